import { BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType, FILE_HEADER, chunkChecksum } from './format.js';

export interface LogRecordBytes {
  /** File offset of the record's first chunk header. */
  offset: number;
  payload: Uint8Array;
}

export interface LogDamage {
  /** File offset where the problem was found. */
  offset: number;
  reason: string;
}

export interface ReadLogResult {
  headerOk: boolean;
  records: LogRecordBytes[];
  damage: LogDamage[];
  /** True when the file ends in the middle of a chunk or record (a crash while writing). */
  truncated: boolean;
}

/**
 * Reassembles the records of a `.wandb` file. Never throws: a bad header, a checksum mismatch, an
 * impossible length or a torn record is reported in `damage` with its offset; reading resumes at the
 * next block, as wandb's Go reader does. Linear in the input size.
 */
export function readLogBytes(bytes: Uint8Array): ReadLogResult {
  const result: ReadLogResult = { headerOk: false, records: [], damage: [], truncated: false };
  if (bytes.length < FILE_HEADER.length) {
    result.damage.push({ offset: 0, reason: `file is ${bytes.length} bytes, shorter than the 7-byte header` });
    result.truncated = true;
    return result;
  }
  for (let i = 0; i < FILE_HEADER.length; i++) {
    if (bytes[i] !== FILE_HEADER[i]) {
      result.damage.push({ offset: i, reason: `bad file header (expected 3a572642e1be00 ":W&B", magic 0xBEE1, version 0)` });
      return result;
    }
  }
  result.headerOk = true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let parts: Uint8Array[] | undefined;
  let partsStart = 0;
  let pos = FILE_HEADER.length;
  const nextBlock = (p: number) => (Math.floor(p / BLOCK_SIZE) + 1) * BLOCK_SIZE;
  const dropPartial = (at: number, why: string) => {
    if (parts) result.damage.push({ offset: partsStart, reason: `record starting here is incomplete (${why} at offset ${at})` });
    parts = undefined;
  };

  while (pos < bytes.length) {
    const left = BLOCK_SIZE - (pos % BLOCK_SIZE);
    if (left < CHUNK_HEADER_SIZE) {
      pos += left; // block trailer padding
      continue;
    }
    if (bytes.length - pos < CHUNK_HEADER_SIZE) {
      result.truncated = true;
      result.damage.push({ offset: pos, reason: 'file ends inside a chunk header' });
      dropPartial(pos, 'end of file');
      break;
    }
    const checksum = view.getUint32(pos, true);
    const length = view.getUint16(pos + 4, true);
    const type = bytes[pos + 6]!;
    if (checksum === 0 && length === 0 && type === 0) {
      pos = nextBlock(pos); // zeroed space (pre-allocated or mmap'd files): skip the rest of the block
      continue;
    }
    if (CHUNK_HEADER_SIZE + length > left) {
      result.damage.push({ offset: pos, reason: `chunk length ${length} runs past its block` });
      dropPartial(pos, 'bad chunk');
      pos = nextBlock(pos);
      continue;
    }
    const end = pos + CHUNK_HEADER_SIZE + length;
    if (end > bytes.length) {
      result.truncated = true;
      result.damage.push({ offset: pos, reason: `file ends inside a chunk (needs ${end - bytes.length} more bytes)` });
      dropPartial(pos, 'end of file');
      break;
    }
    const payload = bytes.subarray(pos + CHUNK_HEADER_SIZE, end);
    if (type < ChunkType.full || type > ChunkType.last) {
      result.damage.push({ offset: pos, reason: `unknown chunk type ${type}` });
      dropPartial(pos, 'bad chunk');
      pos = nextBlock(pos);
      continue;
    }
    if (chunkChecksum(type, payload) !== checksum) {
      result.damage.push({ offset: pos, reason: 'chunk checksum mismatch' });
      dropPartial(pos, 'bad chunk');
      pos = nextBlock(pos);
      continue;
    }
    switch (type) {
      case ChunkType.full:
        dropPartial(pos, 'a new record began');
        result.records.push({ offset: pos, payload });
        break;
      case ChunkType.first:
        dropPartial(pos, 'a new record began');
        parts = [payload];
        partsStart = pos;
        break;
      case ChunkType.middle:
      case ChunkType.last:
        if (!parts) {
          result.damage.push({ offset: pos, reason: `${type === ChunkType.last ? 'LAST' : 'MIDDLE'} chunk without a FIRST chunk` });
          break;
        }
        parts.push(payload);
        if (type === ChunkType.last) {
          result.records.push({ offset: partsStart, payload: concat(parts) });
          parts = undefined;
        }
        break;
    }
    pos = end;
  }
  if (parts) {
    result.truncated = true;
    dropPartial(bytes.length, 'end of file');
  }
  return result;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
