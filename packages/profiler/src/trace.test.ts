import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@metrics/core/test';
import { createProfiler, type TraceEvent } from './index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'profiler-trace-'));

function read(path: string): { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: { droppedEvents: number } } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('Chrome trace', () => {
  it('writes complete events with µs times, pid/tid and category', async () => {
    const clock = createFakeClock(1);
    const profiler = createProfiler({ now: clock.now, trace: true });
    profiler.profileOperation('outer', 'experiment_tracking', () => {
      clock.advance(2);
      profiler.profileOperation('inner', 'memory_usage', () => clock.advance(0.5));
    });
    expect(() =>
      profiler.profileOperation('bad', 'x', () => {
        throw new Error('e');
      }),
    ).toThrow();
    const path = join(dir(), 'nested', 'trace.json');
    await profiler.writeChromeTrace(path);
    const doc = read(path);
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const complete = doc.traceEvents.filter((e) => e.ph === 'X');
    expect(complete.map((e) => e.name)).toEqual(['inner', 'outer', 'bad']);
    for (const e of complete) {
      expect(typeof e.ts).toBe('number');
      expect(typeof e.dur).toBe('number');
      expect(e.pid).toBe(process.pid);
      expect(Number.isInteger(e.tid)).toBe(true);
    }
    const [inner, outer, bad] = complete;
    expect(outer).toMatchObject({ cat: 'experiment_tracking', ts: 1000, dur: 2500 });
    expect(inner).toMatchObject({ cat: 'memory_usage', ts: 3000, dur: 500 });
    // the child lies inside the parent on the timeline
    expect(inner.ts).toBeGreaterThanOrEqual(outer.ts);
    expect(inner.ts + inner.dur!).toBeLessThanOrEqual(outer.ts + outer.dur!);
    expect(bad.args).toEqual({ error: true });
    expect(doc.traceEvents.filter((e) => e.ph === 'M').map((e) => e.name)).toEqual(['process_name', 'thread_name']);
    expect(doc.otherData.droppedEvents).toBe(0);
  });

  it('bounds the buffer and counts dropped events', async () => {
    const clock = createFakeClock();
    const profiler = createProfiler({ now: clock.now, trace: true, maxTraceEvents: 3 });
    for (let i = 0; i < 10; i++) profiler.profileOperation('op', 'c', () => clock.advance(1));
    const path = join(dir(), 't.json');
    await profiler.writeChromeTrace(path);
    const doc = read(path);
    expect(doc.traceEvents.filter((e) => e.ph === 'X')).toHaveLength(3);
    expect(doc.otherData.droppedEvents).toBe(7);
    expect(profiler.report().droppedTraceEvents).toBe(7);
    expect(profiler.report().operations[0].count).toBe(10);
  });

  it('writes traceFile on close', async () => {
    const path = join(dir(), 'close.json');
    const profiler = createProfiler({ traceFile: path });
    profiler.profileOperation('a', 'c', () => 1);
    expect(existsSync(path)).toBe(false);
    await profiler.close();
    expect(read(path).traceEvents.filter((e) => e.ph === 'X')).toHaveLength(1);
  });

  it('writes traceFile at process exit when close() was never called', () => {
    const path = join(dir(), 'exit.json');
    const src = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script =
      `import { createProfiler } from ${JSON.stringify(src)}; const p = createProfiler({ traceFile: ${JSON.stringify(path)} }); ` +
      `p.profileOperation('a', 'c', () => 1); p.profileOperation('b', 'c', () => 2);`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(out.status).toBe(0);
    expect(
      read(path)
        .traceEvents.filter((e) => e.ph === 'X')
        .map((e) => e.name),
    ).toEqual(['a', 'b']);
  });
});
