import { describe, expect, it } from 'vitest';
import {
  formatHistory,
  formatRunsTable,
  parseCommandLine,
  runReadCommand,
  selectMetrics,
  sparkline,
  textTable,
  UsageError,
  type RunReader,
} from '../backend.js';

describe('sparkline', () => {
  it('maps the range onto the eight bars, lowest to highest', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([7, 0])).toBe('█▁');
  });
  it('shows NaN and ±Infinity as gaps and scales on the finite values', () => {
    expect(sparkline([0, Number.NaN, 10, Infinity, -Infinity])).toBe('▁ █  ');
    expect(sparkline([Number.NaN, Number.NaN])).toBe('  ');
  });
  it('draws a constant series as a flat line at mid height', () => {
    expect(sparkline([3, 3, 3])).toBe('▄▄▄');
    expect(sparkline([5])).toBe('▄');
    expect(sparkline([])).toBe('');
  });
  it('averages a long series into the width', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const line = sparkline(values, 10);
    expect(line).toHaveLength(10);
    expect(line[0]).toBe('▁');
    expect(line[9]).toBe('█');
    expect([...line].every((c, i) => i === 0 || c >= line[i - 1]!)).toBe(true);
    expect(sparkline([0, 1, 2], 80)).toHaveLength(3);
  });
  it('rejects a width that is not a positive integer', () => {
    expect(() => sparkline([1], 0)).toThrow(/positive integer/);
    expect(() => sparkline([1], 2.5)).toThrow(/positive integer/);
  });
});

describe('tables', () => {
  it('pads columns, right-aligns numbers and spells out non-finite values', () => {
    expect(
      textTable(
        ['step', 'value'],
        [
          [1, 0.5],
          [10, Number.NaN],
          [100, -Infinity],
        ],
      ),
    ).toBe(['step      value', '----  ---------', '   1        0.5', '  10        NaN', ' 100  -Infinity'].join('\n'));
  });
  it('formats a history of a million points (no argument-spreading limits)', () => {
    const points = Array.from({ length: 1_000_000 }, (_, step) => ({ step, value: step % 7, timestamp: 0 }));
    expect(formatHistory('m', points, { sparkline: true, width: 5 }).split('\n')[1]).toBe('1000000 points, steps 0..999999, min 0  max 6, last 0');
    expect(formatHistory('m', points).split('\n')).toHaveLength(1_000_002);
  });
  it('lists runs with their counts, and says when there are none', () => {
    const text = formatRunsTable([
      {
        id: 'abc',
        name: 'n',
        status: 'finished',
        startTime: Date.UTC(2026, 0, 2, 3, 4, 5),
        params: { a: '1' },
        tags: {},
        latestMetrics: { 'training/loss': 1, 'training/acc': 2 },
      },
    ]);
    expect(text.split('\n')[0]).toMatch(/^id\s+name\s+status\s+started\s+params\s+tags\s+metrics$/);
    expect(text.split('\n')[2]).toMatch(/^abc\s+n\s+finished\s+2026-01-02T03:04:05Z\s+1\s+0\s+2$/);
    expect(formatRunsTable([])).toBe('No runs found.');
  });
  it('prints a history as a sparkline with its range and gaps', () => {
    const points = [0, 2, Number.NaN, 1].map((value, step) => ({ step, value, timestamp: 0 }));
    expect(formatHistory('training/loss', points, { sparkline: true })).toBe(
      'training/loss  ▁█ ▅\n4 points, steps 0..3, min 0  max 2, last 1, 1 non-finite (gaps)',
    );
    expect(formatHistory('training/loss', [])).toBe('No points for training/loss.');
  });
});

describe('selectMetrics', () => {
  const metrics = { 'training/loss': 1, 'training/accuracy': 2, 'validation/loss': 3, 'profiling/timing/step': 4 };
  it('keeps names by prefix, glob or category (the first segment)', () => {
    expect(Object.keys(selectMetrics(metrics, { prefix: 'training/' }))).toEqual(['training/accuracy', 'training/loss']);
    expect(Object.keys(selectMetrics(metrics, { glob: '*/loss' }))).toEqual(['training/loss', 'validation/loss']);
    expect(Object.keys(selectMetrics(metrics, { category: 'profiling' }))).toEqual(['profiling/timing/step']);
    expect(selectMetrics(metrics, { category: 'training', glob: '**/acc*' })).toEqual({ 'training/accuracy': 2 });
  });
});

describe('command lines', () => {
  const options = { sparkline: { type: 'boolean' }, width: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  it('names the closest flag for an unknown one', () => {
    expect(() => parseCommandLine(['history', 'r', 'm', '--sparklin'], options)).toThrow(
      new UsageError('unknown option --sparklin; did you mean `--sparkline`?'),
    );
    expect(() => parseCommandLine(['--wdith', '3'], options)).toThrow(/did you mean `--width`/);
    expect(() => parseCommandLine(['--zzzzzz'], options)).toThrow(/^unknown option --zzzzzz$/);
    expect(parseCommandLine(['-h', 'x'], options)).toEqual({ values: { help: true }, positionals: ['x'] });
  });
  it('runs the read commands against a reader', async () => {
    const reader: RunReader = {
      listRuns: async () => [],
      metricHistory: async (run, metric) => [{ step: 1, value: run.length + metric.length, timestamp: 0 }],
    };
    expect(await runReadCommand(reader, 'runs', [], {})).toBe('No runs found.');
    expect(await runReadCommand(reader, 'history', ['ab', 'c'], {})).toBe('step  value  time\n----  -----  ----\n   1      3');
    await expect(runReadCommand(reader, 'history', ['ab'], {})).rejects.toThrow(UsageError);
    await expect(runReadCommand(reader, 'history', ['a', 'b'], { width: '0', sparkline: true })).rejects.toThrow(
      '--width must be a positive integer (got "0")',
    );
    await expect(runReadCommand(reader, 'runs', [], { sparkline: true })).rejects.toThrow(/belong to history/);
  });
});
