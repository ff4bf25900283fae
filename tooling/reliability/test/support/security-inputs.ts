/**
 * Hostile inputs for the fuzz and security tests: metric names, values, steps, images, configs and the
 * tracker calls built from them. Everything a caller could pass by mistake (or on purpose) through an
 * untyped boundary: JS callers, JSON from a config file, values computed as NaN.
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { CATEGORIES } from '@metrics/core';

/** Names that break a rule on purpose, and a few valid ones that stress the backends. */
export const NASTY_NAMES: readonly string[] = [
  '',
  '.',
  '..',
  '/',
  '//',
  'a/..',
  '../../etc/passwd',
  '/etc/passwd',
  'training/\u0000loss',
  '\u0000',
  'C:\\Windows\\system32',
  '\\\\server\\share',
  'training\\loss',
  'training/loss',
  'loss',
  'val_loss',
  'Training/Loss',
  'training/lösß',
  '训练/损失',
  '🙂/x',
  'training/\u202eevil',
  'training/_hidden',
  'training//loss',
  'training/loss/',
  '/training/loss',
  '__proto__',
  'constructor',
  'toString',
  'training/__proto__',
  'system/gpu_util',
  'custom/con',
  'custom/' + 'a'.repeat(243),
  'custom/' + 'a'.repeat(244),
  'x'.repeat(10_000),
  'training/' + 'b/'.repeat(120) + 'c',
];

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_]{0,12}$/);

/** A name the conventions accept (so backends see it). */
export const validName: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...CATEGORIES), fc.array(segment, { minLength: 1, maxLength: 4 }))
  .map(([c, rest]) => [c, ...rest].join('/'));

export const anyName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: validName, weight: 4 },
  { arbitrary: fc.constantFrom(...NASTY_NAMES), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 250, maxLength: 400 }), weight: 1 },
);

const SPECIAL_NUMBERS = [NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308];

export const anyNumber: fc.Arbitrary<number> = fc.oneof(fc.double(), fc.constantFrom(...SPECIAL_NUMBERS), fc.integer());

/** A scalar value as a careless caller passes it. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyNumber, weight: 6 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constantFrom(undefined, null, true, false, '1', '', 'NaN'), weight: 1 },
  { arbitrary: fc.bigInt(), weight: 1 },
  { arbitrary: fc.object({ maxDepth: 1, maxKeys: 2 }), weight: 1 },
  { arbitrary: fc.array(fc.double(), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.constant(() => 1), weight: 1 },
);

/** A step: valid, negative, fractional, beyond 2^53, NaN, or not a number at all. */
export const anyStep: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.nat({ max: 1_000_000 }), weight: 4 },
  { arbitrary: fc.integer({ min: -1_000_000, max: -1 }), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -0.5, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300, 2 ** 31, 2 ** 32), weight: 2 },
  { arbitrary: fc.constantFrom('3', null, true, {}), weight: 1 },
  { arbitrary: fc.bigInt(), weight: 1 },
);

/** A record of values under names; sometimes not an object at all. */
export const anyValues: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.dictionary(anyName, anyValue, { maxKeys: 6 }), weight: 8 },
  { arbitrary: fc.constantFrom(null, undefined, 42, 'training/loss', [1, 2]), weight: 1 },
);

/** Raw images with random dims/channels/data lengths, and encoded ones with bogus bytes. */
export const anyImage: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .record({ width: fc.integer({ min: 1, max: 6 }), height: fc.integer({ min: 1, max: 6 }), channels: fc.constantFrom(1, 3, 4) })
    .chain(({ width, height, channels }) =>
      fc.uint8Array({ minLength: width * height * channels, maxLength: width * height * channels }).map((data) => ({ width, height, channels, data })),
    ),
  fc.record({
    width: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(NaN, 0.5, 2 ** 40, Infinity)),
    height: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(NaN, 0.5, 2 ** 40)),
    channels: fc.constantFrom(0, 1, 2, 3, 4, 5, -1, 3.5),
    data: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(null, 'pixels', [1, 2, 3])),
  }),
  fc.record({
    mimeType: fc.constantFrom('image/png', 'image/jpeg', 'image/gif', ''),
    bytes: fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))),
    width: fc.integer({ min: -2, max: 4096 }),
    height: fc.integer({ min: -2, max: 4096 }),
    channels: fc.option(fc.integer({ min: -1, max: 9 }), { nil: undefined }),
  }),
  fc.constantFrom(null, undefined, 'image.png', 7, {}),
);

/** Histogram values: arrays with odd numbers, typed arrays, bogus bucket sets, and non-arrays. */
export const anyHistogram: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(anyNumber, { maxLength: 50 }), weight: 4 },
  { arbitrary: fc.float64Array({ maxLength: 50 }), weight: 1 },
  {
    arbitrary: fc.record({
      min: anyNumber,
      max: anyNumber,
      count: anyNumber,
      sum: anyNumber,
      sumSquares: anyNumber,
      bucketLimits: fc.array(anyNumber, { maxLength: 5 }),
      bucketCounts: fc.oneof(fc.array(anyNumber, { maxLength: 5 }), fc.constantFrom(undefined, null, 3, 'x')),
    }),
    weight: 2,
  },
  { arbitrary: fc.array(anyValue, { maxLength: 5 }), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, 5, 'abc', {}, { length: -1 }, { length: 3 }, { bucketLimits: 'x' }), weight: 1 },
);

/** Configs: nested JSON, cyclic objects, BigInt, functions, symbols, huge nesting, non-objects. */
export const anyConfig: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.object({ maxDepth: 3 }), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  {
    arbitrary: fc.constantFrom('cyclic', 'bigint', 'function', 'symbol', 'deep', 'date', 'map', 'typed', 'getter-throws').map((what) => nastyConfig(what)),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(null, undefined, 7, 'config', [1, 2]), weight: 1 },
);

/**
 * Builds a fresh (unshared) nasty config each time: trackers may keep references. fast-check prints a
 * counterexample by walking it (a throwing getter or 20 000 levels would break the report), so each one
 * carries a short description for that.
 */
export function nastyConfig(what: string): unknown {
  const value = buildNastyConfig(what);
  return Object.defineProperty(value, fc.toStringMethod, { value: () => `nastyConfig('${what}')` });
}

function buildNastyConfig(what: string): object {
  switch (what) {
    case 'cyclic': {
      // One back-reference: a cycle without fan-out (see the TensorBoard blow-up test for fan-out).
      const a: Record<string, unknown> = { lr: 0.1, model: { layers: 3 } };
      (a.model as Record<string, unknown>).parent = a;
      return a;
    }
    case 'bigint':
      return { seed: 123n, nested: { big: 2n ** 80n } };
    case 'function':
      return { fn: () => 1, cls: class X {}, ok: 1 };
    case 'symbol':
      return { s: Symbol('x'), [Symbol('k')]: 1, ok: true };
    case 'deep': {
      let o: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < 20_000; i++) o = { n: o };
      return o;
    }
    case 'date':
      return { when: new Date(0), invalid: new Date(NaN), re: /x/g };
    case 'map':
      return { m: new Map([[1, 2]]), s: new Set([1]) };
    case 'typed':
      return { w: new Float32Array([1, NaN]), b: Buffer.from('abc') };
    case 'getter-throws': {
      const o = Object.defineProperty({ ok: 1 }, 'bad', {
        enumerable: true,
        get: () => {
          throw new Error('getter exploded');
        },
      });
      return o;
    }
    default:
      return {};
  }
}

export const anyText: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 4 },
  { arbitrary: fc.constantFrom('', '\u0000', '# title\n\n|a|b|\n|-|-|', 'x'.repeat(100_000)), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, 5, {}, ['a']), weight: 1 },
);

export const anyHyperparams: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.dictionary(fc.string({ unit: 'binary', maxLength: 30 }), fc.oneof(anyValue, fc.string(), fc.boolean()), { maxKeys: 5 }), weight: 6 },
  { arbitrary: fc.constantFrom(null, undefined, 3, 'lr=0.1'), weight: 1 },
);

export const anySummary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.dictionary(anyName, fc.oneof(anyValue, fc.string(), fc.boolean()), { maxKeys: 5 }), weight: 6 },
  { arbitrary: fc.constantFrom(null, undefined, 3, 'x'), weight: 1 },
);

export const anyArtifactPath: fc.Arbitrary<unknown> = fc.oneof(
  // Never a path that exists: W&B reads and copies an artifact's files, and `.` would be the whole package. The
  // climbing path must not exist from any checkout either: `../../etc/passwd` is /etc/passwd from /work/main
  // or /tmp/ci, and nothing from /work/wt/x, so the harness's "every artifact fails on W&B" held only in some.
  fc.constantFrom('', '\u0000', '/nonexistent/file', '../../../../../../../../nonexistent-metrics-fuzz/passwd', 'relative/missing.txt'),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((p) => !existsSync(p)),
  fc.constantFrom(null, undefined, 3),
);

/** One call on a tracker's public API, with whatever arguments a careless caller passes. */
export type Call =
  | { m: 'log'; values: unknown; step: unknown }
  | { m: 'logTrainingMetrics'; epoch: unknown; step: unknown; metrics: unknown }
  | { m: 'logPerformanceMetrics'; metrics: unknown; step: unknown }
  | { m: 'logProfilingData'; data: unknown; step: unknown }
  | { m: 'logHyperparams'; params: unknown; metrics: unknown }
  | { m: 'logHistogram'; name: unknown; values: unknown; step: unknown }
  | { m: 'logImage'; name: unknown; image: unknown; step: unknown; caption: unknown }
  | { m: 'logText'; name: unknown; text: unknown; step: unknown }
  | { m: 'logConfig'; config: unknown }
  | { m: 'setSummary'; values: unknown }
  | { m: 'logArtifact'; path: unknown };

const metricList: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(anyName, { maxLength: 4 }), weight: 6 },
  { arbitrary: fc.constantFrom(undefined, []), weight: 1 },
);

export const callArbitraries = {
  log: fc.record({ m: fc.constant('log' as const), values: anyValues, step: anyStep }),
  logTrainingMetrics: fc.record({ m: fc.constant('logTrainingMetrics' as const), epoch: anyValue, step: anyStep, metrics: anyValues }),
  logPerformanceMetrics: fc.record({ m: fc.constant('logPerformanceMetrics' as const), metrics: anyValues, step: anyStep }),
  logProfilingData: fc.record({ m: fc.constant('logProfilingData' as const), data: fc.oneof(anyValues, fc.constant(undefined)), step: anyStep }),
  logHyperparams: fc.record({ m: fc.constant('logHyperparams' as const), params: anyHyperparams, metrics: metricList }),
  logHistogram: fc.record({ m: fc.constant('logHistogram' as const), name: anyName, values: anyHistogram, step: anyStep }),
  logImage: fc.record({
    m: fc.constant('logImage' as const),
    name: anyName,
    image: anyImage,
    step: anyStep,
    caption: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
  }),
  logText: fc.record({ m: fc.constant('logText' as const), name: anyName, text: anyText, step: anyStep }),
  logConfig: fc.record({ m: fc.constant('logConfig' as const), config: anyConfig }),
  setSummary: fc.record({ m: fc.constant('setSummary' as const), values: anySummary }),
  logArtifact: fc.record({ m: fc.constant('logArtifact' as const), path: anyArtifactPath }),
} satisfies Record<Call['m'], fc.Arbitrary<Call>>;

/** Methods every `Tracker` has (the facade adds the three `log…Metrics`/`logProfilingData` helpers). */
export const CORE_METHODS = ['log', 'logHyperparams', 'logHistogram', 'logImage', 'logText', 'logConfig', 'setSummary', 'logArtifact'] as const;
export const FACADE_METHODS = [...CORE_METHODS, 'logTrainingMetrics', 'logPerformanceMetrics', 'logProfilingData'] as const;

export function anyCall(methods: readonly Call['m'][]): fc.Arbitrary<Call> {
  return fc.oneof(...methods.map((m) => callArbitraries[m] as fc.Arbitrary<Call>));
}

/** `{ step }` as the caller would write it: left out when undefined. */
export function stepOption(step: unknown): { step?: number } | undefined {
  return step === undefined ? undefined : { step: step as number };
}

/** Short printable description of a call, for failure messages and summaries. */
export function describeCall(call: Call): string {
  const seen = new WeakSet<object>();
  let text: string | undefined;
  try {
    text = JSON.stringify(call, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (typeof v === 'function' || typeof v === 'symbol') return String(v);
      if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[cycle]';
        seen.add(v);
      }
      if (typeof v === 'string' && v.length > 80) return v.slice(0, 80) + `…(${v.length})`;
      return v;
    });
  } catch {
    text = `${call.m}(…unprintable…)`;
  }
  return (text ?? String(call.m)).slice(0, 400);
}
