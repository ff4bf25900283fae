import { describe, expect, it } from 'vitest';
import { EventFileWriter } from '../writer/event-file-writer.js';
import { encodeFileVersionEvent } from './messages.js';
import { ProtoReader, ProtoWriter } from '@metrics/core/protobuf';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('event encoding (spec §1.4 vectors)', () => {
  it('encodes the file_version event and its record byte for byte', () => {
    const data = encodeFileVersionEvent(1600000000.0);
    expect(hex(data)).toBe('090000000084d7d7411a0d627261696e2e4576656e743a32');
    const w = new EventFileWriter('/nonexistent');
    w.appendEvent(data);
    expect(hex(w.pendingCopy())).toBe('1800000000000000a37f4b22090000000084d7d7411a0d627261696e2e4576656e743a32253c71d0');
  });

  it('encodes a simple_value scalar record byte for byte through the hot path', () => {
    const w = new EventFileWriter('/nonexistent');
    w.appendScalar('loss', 7, 1600000000.5, 0.25);
    expect(hex(w.pendingCopy())).toBe('1a00000000000000129bd82d' + '090000200084d7d74110072a0d0a0b0a046c6f7373150000803e' + '4012b8c8');
  });

  it('hot path and generic encoder agree for big steps, long tags and odd values', () => {
    for (const [tag, step, value] of [
      ['a/' + 'x'.repeat(200), 2 ** 40, -0],
      ['t', 0, Number.NaN],
      ['t', 127, Infinity],
      ['t', 128, -Infinity],
      ['ü/ß', 2 ** 31, 1e-40],
    ] as const) {
      const hot = new EventFileWriter('/nonexistent');
      hot.appendScalar(tag, step, 1.5, value);
      const generic = new EventFileWriter('/nonexistent');
      const v = new ProtoWriter().string(1, tag).float(2, value).finish();
      generic.appendSummary(1.5, step, [v]);
      expect(hex(hot.pendingCopy())).toBe(hex(generic.pendingCopy()));
    }
  });
});

describe('ProtoWriter / ProtoReader', () => {
  it('round-trips varints up to 2^53, negative int64, doubles, floats and strings', () => {
    const nums = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, -1, -(2 ** 40)];
    const w = new ProtoWriter(4);
    for (const n of nums) w.uint(2, n);
    w.double(1, Math.PI).float(3, 0.1).string(4, 'héllo');
    const r = new ProtoReader(w.finish());
    for (const n of nums) {
      expect(r.tag()).toEqual({ field: 2, wire: 0 });
      expect(r.varint()).toBe(n);
    }
    r.tag();
    expect(r.double()).toBe(Math.PI);
    r.tag();
    expect(r.float()).toBe(Math.fround(0.1));
    r.tag();
    expect(r.string()).toBe('héllo');
    expect(r.done).toBe(true);
  });
});
