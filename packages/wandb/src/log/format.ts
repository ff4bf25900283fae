import { crc32 } from '@metrics/core/backend';

/** `:W&B`, magic 0xBEE1 (little-endian), store version 0. */
export const FILE_HEADER = Uint8Array.of(0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00);
export const BLOCK_SIZE = 32_768;
export const CHUNK_HEADER_SIZE = 7;

export const ChunkType = { full: 1, first: 2, middle: 3, last: 4 } as const;

/** CRC-32 (IEEE, zlib, unmasked) of each type byte alone: the seed for the payload. */
const TYPE_SEEDS = [0, 1, 2, 3, 4].map((t) => crc32(Uint8Array.of(t)));

/** The chunk checksum: plain CRC-32 over the type byte followed by the payload. */
export function chunkChecksum(type: number, payload: Uint8Array): number {
  return crc32(payload, TYPE_SEEDS[type] ?? crc32(Uint8Array.of(type)));
}
