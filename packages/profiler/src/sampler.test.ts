import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, createTracker } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { parseNvidiaSmi, startSystemSampler } from './sampler.js';

const quiet = createLogger({ level: 'silent' });

describe('system sampler', () => {
  it('samples CPU, memory and event-loop delay with conventional names', async () => {
    const sampler = startSystemSampler({ intervalMs: 60_000, gpuProbe: false, logger: quiet });
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += i;
    await new Promise((r) => setTimeout(r, 50));
    let s = await sampler.sample();
    // the delay monitor needs a few of its own ticks; a busy machine may take longer
    for (let i = 0; i < 40 && s['performance/event_loop_delay_ms'] === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await sampler.sample();
    }
    sampler.stop();
    expect(x).toBeGreaterThan(0);
    expect(s['performance/cpu_usage_percent']).toBeGreaterThanOrEqual(0);
    expect(s['performance/cpu_usage_percent']).toBeLessThanOrEqual(100);
    expect(s['performance/memory_rss_mb']).toBeGreaterThan(1);
    expect(s['performance/heap_used_mb']).toBeGreaterThan(1);
    expect(s['performance/event_loop_delay_ms']).toBeGreaterThan(0);
    expect(s['performance/gpu_memory_allocated_mb']).toBeUndefined();
    expect(sampler.latest).toBe(s);
  });

  it('reads GPU memory from a user probe and logs to a tracker on each tick', async () => {
    const exporter = new InMemoryExporter();
    const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: quiet });
    tracker.log({ 'training/loss': 1 }, { step: 3 });
    let ticks = 0;
    const sampler = startSystemSampler({
      intervalMs: 10,
      tracker,
      logger: quiet,
      gpuProbe: async () => ({ allocatedMb: 512, reservedMb: 1024 }),
      onSample: () => void ticks++,
    });
    while (ticks < 2) await new Promise((r) => setTimeout(r, 5));
    sampler.stop();
    await tracker.close();
    const names = new Set(exporter.records.map((r) => (r.kind === 'scalar' ? r.name : '')));
    expect(names.has('performance/gpu_memory_allocated_mb')).toBe(true);
    expect(names.has('performance/gpu_memory_reserved_mb')).toBe(true);
    expect(names.has('performance/cpu_usage_percent')).toBe(true);
    expect(tracker.step).toBe(4); // time-keyed samples do not advance the step counter
  });

  it('a failing probe is reported once and sampling goes on', async () => {
    const lines: string[] = [];
    const sampler = startSystemSampler({
      intervalMs: 60_000,
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      gpuProbe: () => {
        throw new Error('no device');
      },
    });
    await sampler.sample();
    const s = await sampler.sample();
    sampler.stop();
    expect(s['performance/memory_rss_mb']).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('no device'))).toHaveLength(1);
  });

  it('stops cleanly: adds no referenced handle, delivers nothing after stop, stop is idempotent', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    let delivered = 0;
    const sampler = startSystemSampler({ intervalMs: 5, gpuProbe: false, logger: quiet, onSample: () => void delivered++ });
    expect(timeouts()).toBe(before); // the interval is unref'd: it would not keep the process alive
    while (delivered < 2) await new Promise((r) => setTimeout(r, 5));
    sampler.stop();
    sampler.stop();
    const atStop = delivered;
    await new Promise((r) => setTimeout(r, 30));
    expect(delivered).toBe(atStop);
    expect(timeouts()).toBeLessThanOrEqual(before);
  });

  it('never keeps a finished program alive', () => {
    const src = fileURLToPath(new URL('./sampler.ts', import.meta.url));
    const script = `import { startSystemSampler } from ${JSON.stringify(src)}; startSystemSampler({ intervalMs: 10 }); console.log('started');`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(out.error).toBeUndefined();
    expect(out.stdout).toContain('started');
    expect(out.status).toBe(0);
  });

  it('parses nvidia-smi output summed over GPUs', () => {
    expect(parseNvidiaSmi('1024, 16384\n2048, 16384\n')).toEqual({ allocatedMb: 3072, reservedMb: 32768 });
    expect(parseNvidiaSmi('')).toBeUndefined();
    expect(parseNvidiaSmi('garbage\n')).toBeUndefined();
  });
});
