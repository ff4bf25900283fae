import { BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType, FILE_HEADER, chunkChecksum } from './format.js';

/**
 * Frames records into the LevelDB-style block/chunk layout of `.wandb` files, appending to an
 * in-memory buffer that the caller drains (`take`) and writes. `offset` is the absolute file offset
 * of the next byte, so block boundaries stay right across drains.
 */
export class RecordFramer {
  private buf: Buffer;
  private len = 0;
  private offset: number;

  /** `startOffset` 0 writes the 7-byte file header first. */
  constructor(startOffset = 0, initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.offset = startOffset;
    if (startOffset === 0) this.raw(FILE_HEADER);
  }

  /** Absolute offset in the file after everything framed so far. */
  get fileOffset(): number {
    return this.offset;
  }

  get pending(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    this.offset += bytes.length;
  }

  private zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    this.offset += n;
  }

  private chunk(type: number, payload: Uint8Array): void {
    this.ensure(CHUNK_HEADER_SIZE + payload.length);
    const b = this.buf;
    const at = this.len;
    b.writeUInt32LE(chunkChecksum(type, payload), at);
    b.writeUInt16LE(payload.length, at + 4);
    b[at + 6] = type;
    b.set(payload, at + CHUNK_HEADER_SIZE);
    this.len += CHUNK_HEADER_SIZE + payload.length;
    this.offset += CHUNK_HEADER_SIZE + payload.length;
  }

  /** Appends one record (a serialized `Record`) as one FULL chunk or FIRST, MIDDLE…, LAST chunks. */
  append(record: Uint8Array): void {
    let rest = record;
    let first = true;
    for (;;) {
      let left = BLOCK_SIZE - (this.offset % BLOCK_SIZE);
      if (left < CHUNK_HEADER_SIZE) {
        this.zeros(left); // trailer: too small for a chunk header
        left = BLOCK_SIZE;
      }
      const room = left - CHUNK_HEADER_SIZE;
      if (rest.length <= room) {
        this.chunk(first ? ChunkType.full : ChunkType.last, rest);
        return;
      }
      // room may be 0: a header-only FIRST chunk (both wandb readers accept it).
      this.chunk(first ? ChunkType.first : ChunkType.middle, rest.subarray(0, room));
      rest = rest.subarray(room);
      first = false;
    }
  }

  /** The framed bytes since the last call (a view, valid until the next append). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    return out;
  }
}
