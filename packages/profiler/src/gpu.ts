import { execFile } from 'node:child_process';

/** One GPU as `nvidia-smi` reports it; a field the device or driver does not report is left out. */
export interface GpuDeviceSample {
  /** nvidia-smi's device index (the `0` of `system/gpu/0/…`). */
  index: number;
  utilizationPercent?: number;
  memoryUsedMb?: number;
  memoryTotalMb?: number;
  temperatureC?: number;
  powerW?: number;
}

/** Metric name of each per-device field, after `system/gpu/<index>/`. */
export const GPU_DEVICE_METRICS = {
  utilizationPercent: 'utilization_percent',
  memoryUsedMb: 'memory_used_mb',
  memoryTotalMb: 'memory_total_mb',
  temperatureC: 'temperature_c',
  powerW: 'power_w',
} as const satisfies Record<Exclude<keyof GpuDeviceSample, 'index'>, string>;

/** The query's columns, in order: the parser reads them by position. */
const COLUMNS = ['index', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw'] as const;
const FIELDS = ['utilizationPercent', 'memoryUsedMb', 'memoryTotalMb', 'temperatureC', 'powerW'] as const;
export const NVIDIA_SMI_ARGS: readonly string[] = [`--query-gpu=${COLUMNS.join(',')}`, '--format=csv,noheader,nounits'];

/** `system/gpu/<index>/<metric>` for every field a device reported. */
export function gpuDeviceValues(devices: readonly GpuDeviceSample[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const device of devices) {
    for (const field of FIELDS) {
      const value = device[field];
      if (value !== undefined) values[`system/gpu/${device.index}/${GPU_DEVICE_METRICS[field]}`] = value;
    }
  }
  return values;
}

/**
 * Parses `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw
 * --format=csv,noheader,nounits`: one device a line. A value nvidia-smi cannot give (`[N/A]`, `[Not Supported]`,
 * `[Unknown Error]`, empty, a missing trailing column) is left out of that device; a line without a whole-number
 * index (a message such as "No devices were found", or one beyond 2^53) is skipped, as is a repeated index.
 */
export function parseNvidiaSmi(stdout: string): GpuDeviceSample[] {
  const devices: GpuDeviceSample[] = [];
  const seen = new Set<number>();
  for (const line of stdout.split(/\r?\n/)) {
    const cells = line.split(',').map((cell) => cell.trim());
    const index = /^\d+$/.test(cells[0] ?? '') ? Number(cells[0]) : Number.NaN;
    if (!Number.isSafeInteger(index) || seen.has(index) || cells.length < 2) continue;
    seen.add(index);
    const device: GpuDeviceSample = { index };
    FIELDS.forEach((field, i) => {
      const value = numberOrUndefined(cells[i + 1]);
      if (value !== undefined) device[field] = value;
    });
    devices.push(device);
  }
  return devices;
}

function numberOrUndefined(cell: string | undefined): number | undefined {
  // Number('') is 0 and Number('[N/A]') NaN: only a plain decimal number counts.
  if (cell === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(cell)) return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/** Runs nvidia-smi without blocking (never more than `timeoutMs`) and parses its devices. */
export function nvidiaSmiProbe(path = 'nvidia-smi', timeoutMs = 5000): () => Promise<GpuDeviceSample[]> {
  return () =>
    new Promise<GpuDeviceSample[]>((resolve, reject) => {
      const child = execFile(path, NVIDIA_SMI_ARGS, { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
        if (error) return reject(error);
        resolve(parseNvidiaSmi(stdout));
      });
      child.unref();
    });
}
