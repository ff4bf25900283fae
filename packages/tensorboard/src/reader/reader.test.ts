import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventFileWriter } from '../writer/event-file-writer.js';
import {
  encodeFileVersionEvent,
  HPARAMS_TAGS,
  hparamsSessionStart,
  TEXT_METADATA,
  valueHistogram,
  valueImage,
  valuePluginOnly,
  valueText,
} from '../proto/messages.js';
import { readEventBytes } from './index.js';

function sampleFile(): Uint8Array {
  const w = new EventFileWriter('/nonexistent', { scalarFormat: 'tensor' });
  w.appendEvent(encodeFileVersionEvent(1.6e9, '@metrics/tensorboard'));
  for (let s = 0; s < 5; s++) w.appendScalar('training/loss', s, 1.6e9 + s, 1 / (s + 1));
  w.appendSummary(1.6e9, 1, [valueHistogram('model/w', { min: -1, max: 2, num: 10, sum: 5, sumSquares: 9, bucketLimits: [0, 1, 2], bucketCounts: [3, 4, 3] })]);
  w.appendSummary(1.6e9, 2, [valueImage('img', { width: 1, height: 1, colorspace: 3, encoded: new Uint8Array([1, 2, 3]) })]);
  w.appendSummary(1.6e9, 3, [valueText('note', '**hi**', TEXT_METADATA)]);
  w.appendSummary(1.6e9, 0, [
    valuePluginOnly(HPARAMS_TAGS.sessionStart, { pluginName: 'hparams', content: hparamsSessionStart({ lr: 0.1, opt: 'sgd', bn: true }, 5) }),
  ]);
  return w.pendingCopy();
}

describe('readEventBytes', () => {
  it('decodes every kind into typed values', () => {
    const { events, errors, truncatedAt } = readEventBytes(sampleFile());
    expect(errors).toEqual([]);
    expect(truncatedAt).toBeUndefined();
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', sourceWriter: '@metrics/tensorboard', wallTime: 1.6e9 });
    const values = events.slice(1).map((e) => ({ step: e.step, ...e.values[0] }));
    expect(values.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((s) => ({ step: s, kind: 'scalar', tag: 'training/loss', value: Math.fround(1 / (s + 1)) })));
    expect(values[5]).toMatchObject({ kind: 'histogram', tag: 'model/w', min: -1, max: 2, num: 10, bucketLimits: [0, 1, 2], bucketCounts: [3, 4, 3] });
    expect(values[6]).toMatchObject({ kind: 'image', width: 1, height: 1, colorspace: 3, encoded: new Uint8Array([1, 2, 3]) });
    expect(values[7]).toMatchObject({ kind: 'text', tag: 'note', text: '**hi**' });
    expect(values[8]).toMatchObject({ kind: 'hparams', content: { kind: 'session_start', hparams: { lr: 0.1, opt: 'sgd', bn: true }, startTimeSecs: 5 } });
  });

  it('tolerates a truncated last record and reports where it starts', () => {
    const full = sampleFile();
    const whole = readEventBytes(full).events.length;
    // Cut inside the last record at every possible place.
    const lastStart = full.length - (readLastRecordLength(full) + 16);
    for (let cut = lastStart + 1; cut < full.length; cut++) {
      const r = readEventBytes(full.subarray(0, cut));
      expect(r.events).toHaveLength(whole - 1);
      expect(r.truncatedAt).toBe(lastStart);
    }
  });

  it('reports a data CRC mismatch with its offset and keeps reading; a length CRC mismatch stops', () => {
    const bytes = sampleFile();
    const firstLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) + 16; // end of the version record
    const dataBad = bytes.slice();
    dataBad[firstLen + 20] ^= 0xff; // inside the second record's data
    const r1 = readEventBytes(dataBad);
    expect(r1.errors).toEqual([expect.objectContaining({ problem: 'data-crc', offset: expect.any(Number) })]);
    expect(r1.events.length).toBe(readEventBytes(bytes).events.length - 1);
    const lenBad = bytes.slice();
    lenBad[firstLen + 1] ^= 0x01;
    const r2 = readEventBytes(lenBad);
    expect(r2.errors).toEqual([expect.objectContaining({ problem: 'length-crc' })]);
    expect(r2.events).toHaveLength(1);
  });

  it('never throws or hangs on random or mangled bytes', () => {
    const base = sampleFile();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const r = readEventBytes(bytes);
        expect(Array.isArray(r.events)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(base.length),
        (edits, cut) => {
          const b = base.slice(0, Math.max(cut, 1));
          for (const [i, v] of edits) if (i < b.length) b[i] = v;
          const r = readEventBytes(b);
          for (const e of r.errors) expect(e.offset).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a record whose CRCs are valid but whose proto is garbage into an error, not a throw', () => {
    const w = new EventFileWriter('/nonexistent');
    w.appendEvent(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    const r = readEventBytes(w.pendingCopy());
    expect(r.events).toHaveLength(0);
    expect(r.errors[0]).toMatchObject({ problem: 'proto', offset: 0 });
  });
});

function readLastRecordLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  let last = 0;
  while (off < bytes.length) {
    last = view.getUint32(off, true);
    off += last + 16;
  }
  return last;
}
