import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '@metrics/core/test/vitest';
import { valueImage } from '../proto/messages.js';
import { readEventBytes } from '../reader/index.js';
import { EventFileWriter } from './event-file-writer.js';

const tempDir = useTempDirs('tb-writer-');

describe('EventFileWriter chunks', () => {
  it('keeps every event in order across chunks, background and synchronous flushes, and events larger than a chunk', async () => {
    // A small flushBytes: many chunks, flushes started from the hot path, chunks reused after their write.
    const w = new EventFileWriter(tempDir(), { flushBytes: 100_000, flushIntervalMs: 0 });
    const before = 'before-open';
    w.appendScalar(before, 1, 1.6e9, 0.5); // buffered before the file exists: written after the version event
    const path = await w.open(1.6e9 * 1000);
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const expected: [string, number, number][] = [[before, 1, 0.5]];
    for (let step = 0; step < 60_000; step++) {
      const tag = `tag_${step % 7}`;
      w.appendScalar(tag, step, 1.6e9 + step, step / 3);
      expected.push([tag, step, step / 3]);
      if (step % 9_000 === 0) {
        w.appendSummary(1.6e9, step, [valueImage('big', { width: 1, height: 1, colorspace: 1, encoded: big })]);
        expected.push(['big', step, Number.NaN]);
      }
      if (step % 20_000 === 10_000) w.flushSync();
      if (step % 25_000 === 5_000) await w.flush();
    }
    expect(w.pendingBytes).toBeGreaterThan(0);
    await w.close();
    const { events, errors, truncatedAt } = readEventBytes(readFileSync(path));
    expect(errors).toEqual([]);
    expect(truncatedAt).toBeUndefined();
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    const got = events.slice(1).map((e) => {
      const v = e.values[0]!;
      return [v.tag, e.step, v.kind === 'scalar' ? v.value : Number.NaN] as [string, number, number];
    });
    expect(got).toEqual(expected.map(([tag, step, value]) => [tag, step, Number.isNaN(value) ? value : Math.fround(value)]));
    const image = events.find((e) => e.values[0]?.tag === 'big')!.values[0]!;
    expect(image.kind === 'image' && Buffer.from(image.encoded).equals(Buffer.from(big))).toBe(true);
  });
});
