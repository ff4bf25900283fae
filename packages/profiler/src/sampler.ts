import { access, constants } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { createLogger, type Logger, type Tracker } from '@metrics/core';
import { gpuDeviceValues, nvidiaSmiProbe, type GpuDeviceSample } from './gpu.js';

/** A framework allocator's GPU memory in MB (e.g. from `tf.memory()`), summed over its devices. */
export interface GpuMemory {
  allocatedMb: number;
  reservedMb: number;
}

/** What a GPU probe returns: allocator memory, per-device readings (as nvidia-smi gives), or nothing. */
export type GpuReading = GpuMemory | readonly GpuDeviceSample[] | undefined;

/**
 * Returns allocator memory (logged as `performance/gpu_memory_*_mb`) or one sample per device (logged as
 * `system/gpu/<index>/…`), or undefined when there is nothing to report. Called at most once at a time.
 */
export type GpuProbe = () => Promise<GpuReading> | GpuReading;

export interface SystemSamplerOptions {
  /** Default 10 000 ms. */
  intervalMs?: number;
  /** Where samples go (time-keyed: logged at the tracker's current step, which is not advanced). */
  tracker?: Tracker;
  /** A probe fn, 'nvidia-smi' (if on PATH), 'auto' (= 'nvidia-smi' when found; the default) or false. */
  gpuProbe?: GpuProbe | 'auto' | 'nvidia-smi' | false;
  /** Also called with every sample. */
  onSample?: (sample: Record<string, number>) => void;
  logger?: Logger;
}

export interface SystemSampler {
  /** Takes one sample now (also what each tick does). */
  sample(): Promise<Record<string, number>>;
  readonly latest: Record<string, number> | undefined;
  /** Stops the timer and the event-loop monitor. Idempotent. */
  stop(): void;
}

const MB = 1024 * 1024;

export function startSystemSampler(options: SystemSamplerOptions = {}): SystemSampler {
  const intervalMs = options.intervalMs ?? 10_000;
  const logger = options.logger ?? createLogger();
  const cores = Math.max(1, availableParallelism());
  const loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let latest: Record<string, number> | undefined;
  let stopped = false;
  let gpuBusy = false;
  let gpuProbe: GpuProbe | undefined = typeof options.gpuProbe === 'function' ? options.gpuProbe : undefined;
  let gpuSearch: Promise<void> | undefined;
  const probeMode = options.gpuProbe ?? 'auto';
  if (probeMode === 'auto' || probeMode === 'nvidia-smi') {
    gpuSearch = findOnPath('nvidia-smi').then((path) => {
      if (path) gpuProbe = nvidiaSmiProbe(path);
      else if (probeMode === 'nvidia-smi') logger.warnOnce('nvidia-smi', 'nvidia-smi is not on PATH; GPUs are not sampled.');
    });
  }

  const readGpu = async (): Promise<GpuReading> => {
    if (gpuSearch) await gpuSearch;
    if (!gpuProbe || gpuBusy) return undefined; // never stack probes up behind a slow one
    gpuBusy = true;
    try {
      return await gpuProbe();
    } catch (error) {
      logger.warnOnce('gpu-probe', `GPU probe failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      gpuBusy = false;
    }
  };

  const sample = async (): Promise<Record<string, number>> => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const elapsedUs = (now - lastAt) * 1000;
    lastCpu = process.cpuUsage();
    lastAt = now;
    const mem = process.memoryUsage();
    const values: Record<string, number> = {
      'performance/cpu_usage_percent': elapsedUs > 0 ? ((cpu.user + cpu.system) / elapsedUs / cores) * 100 : 0,
      'performance/memory_rss_mb': mem.rss / MB,
      'performance/heap_used_mb': mem.heapUsed / MB,
    };
    if (loopDelay.count > 0) values['performance/event_loop_delay_ms'] = loopDelay.percentile(99) / 1e6;
    loopDelay.reset();
    const gpu = await readGpu();
    if (Array.isArray(gpu)) Object.assign(values, gpuDeviceValues(gpu));
    else if (gpu && 'allocatedMb' in gpu) {
      values['performance/gpu_memory_allocated_mb'] = gpu.allocatedMb;
      values['performance/gpu_memory_reserved_mb'] = gpu.reservedMb;
    }
    latest = values;
    if (!stopped) deliver(values);
    return values;
  };

  const deliver = (values: Record<string, number>) => {
    try {
      options.onSample?.(values);
      const tracker = options.tracker;
      if (tracker) tracker.log(values, { step: Math.max(0, tracker.step - 1) });
    } catch (error) {
      logger.errorOnce('sampler-deliver', `System sample could not be delivered: ${(error as Error).message}`);
    }
  };

  const timer = setInterval(() => {
    sample().catch((error: unknown) => logger.errorOnce('sampler', `System sampling failed: ${(error as Error).message}`));
  }, intervalMs);
  timer.unref();

  return {
    sample,
    get latest() {
      return latest;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      loopDelay.disable();
    },
  };
}

async function findOnPath(command: string): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? [`${command}.exe`] : [command];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
