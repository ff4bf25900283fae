import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMetricName, MetricRegistry } from '@metrics/core';
import { gpuDeviceValues, NVIDIA_SMI_ARGS, parseNvidiaSmi } from './gpu.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('nvidia-smi per-device parsing', () => {
  it('asks for index, utilisation, memory used/total, temperature and power, without header or units', () => {
    expect(NVIDIA_SMI_ARGS).toEqual(['--query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw', '--format=csv,noheader,nounits']);
  });

  it('1 GPU: a power draw of [N/A] is left out, the rest kept', () => {
    expect(parseNvidiaSmi(fixture('nvidia-smi-1gpu.csv'))).toEqual([
      { index: 0, utilizationPercent: 3, memoryUsedMb: 412, memoryTotalMb: 6144, temperatureC: 48 },
    ]);
  });

  it('2 GPUs: each device on its own (nothing summed); [Not Supported] fields are left out', () => {
    expect(parseNvidiaSmi(fixture('nvidia-smi-2gpu.csv'))).toEqual([
      { index: 0, utilizationPercent: 97, memoryUsedMb: 45321, memoryTotalMb: 49140, temperatureC: 81, powerW: 287.43 },
      { index: 1, memoryUsedMb: 1021, memoryTotalMb: 2048, temperatureC: 52 },
    ]);
  });

  it('8 GPUs: every device by its index, a MIG device without utilisation', () => {
    const devices = parseNvidiaSmi(fixture('nvidia-smi-8gpu.csv'));
    expect(devices.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(devices[2]).toEqual({ index: 2, utilizationPercent: 99, memoryUsedMb: 78809, memoryTotalMb: 81920, temperatureC: 69, powerW: 401.05 });
    expect(devices[6]).toEqual({ index: 6, memoryUsedMb: 13, memoryTotalMb: 81920, temperatureC: 34, powerW: 88.14 });
    expect(devices.every((d) => d.memoryTotalMb === 81920)).toBe(true);
  });

  it('a missing power column, CRLF line ends and blank cells leave only those fields out', () => {
    expect(parseNvidiaSmi('0, 12, 100, 8192, 40\r\n1, , 5, 8192, [Unknown Error], 30.5\r\n')).toEqual([
      { index: 0, utilizationPercent: 12, memoryUsedMb: 100, memoryTotalMb: 8192, temperatureC: 40 },
      { index: 1, memoryUsedMb: 5, memoryTotalMb: 8192, powerW: 30.5 },
    ]);
  });

  it('messages, empty output and lines without a whole-number index give no device; a repeated index is skipped', () => {
    expect(parseNvidiaSmi('')).toEqual([]);
    expect(parseNvidiaSmi('No devices were found\n')).toEqual([]);
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")).toEqual([]);
    expect(parseNvidiaSmi('[N/A], 1, 2, 3, 4, 5\n-1, 1, 2, 3, 4, 5\n1.5, 1, 2, 3, 4, 5\n0\n9007199254740992, 1\n')).toEqual([]);
    expect(parseNvidiaSmi('0, 1, 2, 3, 4, 5\n0, 9, 9, 9, 9, 9\n')).toEqual([
      { index: 0, utilizationPercent: 1, memoryUsedMb: 2, memoryTotalMb: 3, temperatureC: 4, powerW: 5 },
    ]);
    expect(parseNvidiaSmi('0, 1e3, 0x10, Infinity, NaN, 2.\n')).toEqual([{ index: 0, powerW: 2 }]);
  });
});

describe('per-device metric names', () => {
  it('system/gpu/<index>/<metric> for each reported field: valid names, all in the standard registry', () => {
    const values = gpuDeviceValues(parseNvidiaSmi(fixture('nvidia-smi-2gpu.csv')));
    expect(values).toEqual({
      'system/gpu/0/utilization_percent': 97,
      'system/gpu/0/memory_used_mb': 45321,
      'system/gpu/0/memory_total_mb': 49140,
      'system/gpu/0/temperature_c': 81,
      'system/gpu/0/power_w': 287.43,
      'system/gpu/1/memory_used_mb': 1021,
      'system/gpu/1/memory_total_mb': 2048,
      'system/gpu/1/temperature_c': 52,
    });
    const registry = new MetricRegistry();
    for (const name of Object.keys(gpuDeviceValues(parseNvidiaSmi(fixture('nvidia-smi-8gpu.csv'))))) {
      expect(checkMetricName(name)).toBeUndefined();
      expect(registry.get(name)?.name).toMatch(/^system\/gpu\/<index>\//);
    }
  });
});

describe('nvidia-smi parsing, property-based', () => {
  const missing = fc.constantFrom('[N/A]', '[Not Supported]', '[Unknown Error]', '');
  const reading = fc.option(
    fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 100),
    { nil: undefined },
  );
  const device = fc.record({ utilizationPercent: reading, memoryUsedMb: reading, memoryTotalMb: reading, temperatureC: reading, powerW: reading });

  it('reads back what nvidia-smi would print for any devices, with any unreadable fields', () => {
    fc.assert(
      fc.property(fc.array(device, { maxLength: 16 }), fc.array(missing, { minLength: 80, maxLength: 80 }), (devices, gaps) => {
        const fields = ['utilizationPercent', 'memoryUsedMb', 'memoryTotalMb', 'temperatureC', 'powerW'] as const;
        const lines = devices.map((d, index) => [index, ...fields.map((f, i) => (d[f] === undefined ? gaps[index * 5 + i] : d[f]!.toFixed(2)))].join(', '));
        const expected = devices.map((d, index) => ({ index, ...Object.fromEntries(fields.filter((f) => d[f] !== undefined).map((f) => [f, d[f]])) }));
        expect(parseNvidiaSmi(lines.join('\n'))).toEqual(expected);
      }),
    );
  });

  it('never throws on any text; every device has a unique whole-number index, finite readings and valid metric names', () => {
    const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.nat().map(String), missing, fc.double().map(String));
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .array(
          fc.array(cell, { maxLength: 8 }).map((cells) => cells.join(', ')),
          { maxLength: 10 },
        )
        .map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(text, (stdout) => {
        const devices = parseNvidiaSmi(stdout);
        expect(new Set(devices.map((d) => d.index)).size).toBe(devices.length);
        for (const d of devices) {
          expect(Number.isSafeInteger(d.index) && d.index >= 0).toBe(true);
          for (const [key, value] of Object.entries(d)) if (key !== 'index') expect(Number.isFinite(value)).toBe(true);
        }
        for (const name of Object.keys(gpuDeviceValues(devices))) expect(checkMetricName(name)).toBeUndefined();
      }),
    );
  });
});
