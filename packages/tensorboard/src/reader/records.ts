import { crc32c, maskCrc } from '../crc32c.js';

export type RecordProblem = 'truncated' | 'length-crc' | 'data-crc' | 'too-large';

export interface RecordError {
  problem: RecordProblem;
  /** Byte offset of the record's start. */
  offset: number;
  message: string;
}

export interface RawRecord {
  offset: number;
  data: Uint8Array;
}

/** Records above this size are treated as corrupt (a garbage length must not make us allocate or loop). */
const MAX_RECORD = 1 << 30;

/**
 * Iterates the TFRecords of a buffer, checking both CRCs. Stops at a truncated tail or a bad length CRC
 * (framing is lost after it) and reports it; a bad data CRC is reported and the record skipped.
 */
export function* iterateRecords(buf: Uint8Array, errors: RecordError[]): Generator<RawRecord> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 12) {
      errors.push({ problem: 'truncated', offset: off, message: `truncated record header at byte ${off}` });
      return;
    }
    const lo = view.getUint32(off, true);
    const hi = view.getUint32(off + 4, true);
    if (maskCrc(crc32c(buf, off, off + 8)) !== view.getUint32(off + 8, true)) {
      errors.push({ problem: 'length-crc', offset: off, message: `length CRC mismatch at byte ${off}` });
      return;
    }
    const len = hi * 2 ** 32 + lo;
    if (len > MAX_RECORD) {
      errors.push({ problem: 'too-large', offset: off, message: `record of ${len} bytes at byte ${off} is too large` });
      return;
    }
    if (buf.length - off - 12 < len + 4) {
      errors.push({ problem: 'truncated', offset: off, message: `truncated record at byte ${off} (needs ${len + 16} bytes, ${buf.length - off} left)` });
      return;
    }
    const start = off + 12;
    const end = start + len;
    off = end + 4;
    if (maskCrc(crc32c(buf, start, end)) !== view.getUint32(end, true)) {
      errors.push({ problem: 'data-crc', offset: start - 12, message: `data CRC mismatch in the record at byte ${start - 12}` });
      continue;
    }
    yield { offset: start - 12, data: buf.subarray(start, end) };
  }
}
