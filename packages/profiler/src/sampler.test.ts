import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, createTracker } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { startSystemSampler } from './sampler.js';

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

  it('per-device readings from a probe are logged as system/gpu/<index>/… through a strict tracker, never summed', async () => {
    const exporter = new InMemoryExporter();
    const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: quiet, validation: 'strict' });
    const sampler = startSystemSampler({
      intervalMs: 60_000,
      tracker,
      logger: quiet,
      gpuProbe: () => [
        { index: 0, utilizationPercent: 97, memoryUsedMb: 45321, memoryTotalMb: 49140, temperatureC: 81, powerW: 287.43 },
        { index: 1, memoryUsedMb: 1021, memoryTotalMb: 2048 },
      ],
    });
    const s = await sampler.sample();
    sampler.stop();
    await tracker.close();
    const gpu = Object.fromEntries(Object.entries(s).filter(([name]) => name.includes('gpu')));
    expect(gpu).toEqual({
      'system/gpu/0/utilization_percent': 97,
      'system/gpu/0/memory_used_mb': 45321,
      'system/gpu/0/memory_total_mb': 49140,
      'system/gpu/0/temperature_c': 81,
      'system/gpu/0/power_w': 287.43,
      'system/gpu/1/memory_used_mb': 1021,
      'system/gpu/1/memory_total_mb': 2048,
    });
    const logged = exporter.records.flatMap((r) => (r.kind === 'scalar' && r.name.startsWith('system/gpu/') ? [[r.name, r.value]] : []));
    expect(Object.fromEntries(logged)).toEqual(gpu);
  });

  it('runs the real nvidia-smi when it is on PATH: one set of metrics per GPU; without it (or without GPUs) no GPU metric and no warning', async () => {
    const lines: string[] = [];
    const sampler = startSystemSampler({ intervalMs: 60_000, logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
    const s = await sampler.sample();
    sampler.stop();
    const gpuNames = Object.keys(s).filter((name) => name.includes('gpu'));
    const listed = spawnSync('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 });
    const indexes =
      listed.status === 0
        ? listed.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => /^\d+$/.test(l))
        : [];
    if (indexes.length > 0) {
      // A GPU machine: every device reports at least its memory, under its own index.
      for (const index of indexes) expect(gpuNames).toContain(`system/gpu/${index}/memory_total_mb`);
      expect(gpuNames.every((name) => /^system\/gpu\/\d+\/[a-z_]+$/.test(name))).toBe(true);
    } else {
      expect(gpuNames).toEqual([]);
      // No nvidia-smi, or one that lists no GPU, is no error; one that fails (no driver) is reported once.
      const failing = !listed.error && listed.status !== 0;
      expect(lines).toEqual(failing ? [expect.stringContaining('GPU probe failed')] : []);
    }
    expect(s['performance/memory_rss_mb']).toBeGreaterThan(0);
  });
});
