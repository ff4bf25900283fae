/**
 * Hostile inputs for the structured kinds (`logTable`, `logPrCurve`, `logConfusionMatrix`, `logAudio`,
 * `setTags`, `setNote`): table cells of every JS type, ragged rows, audio buffers of odd lengths and
 * values, labels and predictions out of range, tag values that are not strings, and non-objects.
 */
import fc from 'fast-check';
import { anyName, anyNumber, anyStep, anyText, anyValue, stepOption } from './security-inputs.js';

const anyCell: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.oneof(anyNumber, fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean(), fc.constant(null)), weight: 8 },
  { arbitrary: fc.constantFrom('|', '\n', '\\', '```', '<script>', '\u0000', 'x'.repeat(10_000)), weight: 2 },
  { arbitrary: anyValue, weight: 1 },
  { arbitrary: fc.constantFrom(undefined, [1], { a: 1 }, new Date(0)), weight: 1 },
);

export const anyTable: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }).chain((columns) =>
      fc.record({
        columns: fc.constant(columns),
        rows: fc.array(fc.array(anyCell, { minLength: columns.length, maxLength: columns.length }), { maxLength: 6 }),
      }),
    ),
    weight: 6,
  },
  // Ragged rows, duplicate or empty column names, wrong types.
  {
    arbitrary: fc.record({
      columns: fc.array(fc.oneof(fc.string({ maxLength: 3 }), anyValue), { maxLength: 4 }),
      rows: fc.array(fc.array(anyCell, { maxLength: 5 }), { maxLength: 4 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(null, undefined, 7, 'table', [[1, 2]], { columns: 'a', rows: [] }, { columns: ['a'], rows: 'x' }, { columns: ['a'] }),
    weight: 1,
  },
);

// Mostly clean arrays (so calls get through to the backends), some with a hostile element.
const probability = fc.oneof({ arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 60 }, { arbitrary: anyNumber, weight: 1 });
const label = fc.oneof({ arbitrary: fc.constantFrom(0, 1, true, false), weight: 60 }, { arbitrary: anyValue, weight: 1 });

export const anyPrCurve: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.nat({ max: 30 }).chain((n) =>
      fc.record(
        {
          labels: fc.array(label, { minLength: n, maxLength: n }),
          predictions: fc.oneof(
            fc.array(probability, { minLength: n, maxLength: n }),
            fc.float64Array({ minLength: n, maxLength: n, min: 0, max: 1, noNaN: true }),
          ),
          numThresholds: fc.oneof(
            { arbitrary: fc.integer({ min: 2, max: 300 }), weight: 4 },
            { arbitrary: fc.constantFrom(0, 1, -3, 2.5, NaN, 1e9, '11'), weight: 1 },
          ),
        },
        { requiredKeys: ['labels', 'predictions'] },
      ),
    ),
    weight: 6,
  },
  { arbitrary: fc.record({ labels: fc.array(label, { maxLength: 5 }), predictions: fc.array(probability, { maxLength: 6 }) }), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, 3, 'pr', { labels: 'x', predictions: [] }, { labels: [1], predictions: [0.5], extra: 1 }), weight: 1 },
);

export const anyConfusion: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }).chain((classNames) => {
      const cls = fc.oneof(
        { arbitrary: fc.nat({ max: classNames.length - 1 }) as fc.Arbitrary<unknown>, weight: 4 },
        { arbitrary: fc.constantFrom(...classNames), weight: 4 },
        { arbitrary: anyValue, weight: 1 },
      );
      return fc.nat({ max: 20 }).chain((n) =>
        fc.record({
          classNames: fc.constant(classNames),
          actual: fc.array(cls, { minLength: n, maxLength: n }),
          predicted: fc.array(cls, { minLength: n, maxLength: n }),
        }),
      );
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      classNames: fc.array(fc.oneof(fc.string({ maxLength: 2 }), anyValue), { maxLength: 3 }),
      actual: fc.array(anyValue, { maxLength: 3 }),
      predicted: fc.array(anyValue, { maxLength: 4 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.constantFrom(null, undefined, 'cm', { classNames: [], actual: [], predicted: [] }), weight: 1 },
);

export const anyAudio: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record({
      sampleRate: fc.oneof(
        { arbitrary: fc.constantFrom(8000, 16000, 44100, 48000), weight: 4 },
        { arbitrary: fc.constantFrom(0, -1, 0.5, NaN, 1e9, '8000'), weight: 1 },
      ),
      channels: fc.oneof({ arbitrary: fc.constant(1), weight: 4 }, fc.integer({ min: 2, max: 3 }), fc.constantFrom(0, -1, 1.5, 100)),
      samples: fc.oneof(
        { arbitrary: fc.float32Array({ maxLength: 40, noDefaultInfinity: true, noNaN: true }), weight: 3 },
        fc.float32Array({ maxLength: 40 }),
        fc.float64Array({ maxLength: 40 }),
        { arbitrary: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 40 }), weight: 3 },
        fc.array(fc.oneof({ arbitrary: fc.double({ min: -2, max: 2, noNaN: true }), weight: 30 }, anyNumber), { maxLength: 40 }),
        fc.array(anyValue, { maxLength: 4 }),
        fc.constantFrom(null, 'samples', new Int16Array([1, 2]), new Uint8Array([255])),
      ),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(null, undefined, 7, 'a.wav', { sampleRate: 8000, channels: 1 }, { sampleRate: 8000, channels: 1, samples: [0], extra: 1 }),
    weight: 1,
  },
);

export const anyTags: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.dictionary(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 4 }), weight: 6 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { minKeys: 1, maxKeys: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom({ api_key: 'sk-secret', ['x'.repeat(300)]: 'v', long: 'v'.repeat(9000), '../../etc/passwd': '..' }), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, 'tag', ['a', 'b'], 3), weight: 1 },
);

export type KindCall =
  | { m: 'logTable'; name: unknown; table: unknown; step: unknown }
  | { m: 'logPrCurve'; name: unknown; data: unknown; step: unknown }
  | { m: 'logConfusionMatrix'; name: unknown; data: unknown; step: unknown }
  | { m: 'logAudio'; name: unknown; audio: unknown; step: unknown; caption: unknown }
  | { m: 'setTags'; tags: unknown }
  | { m: 'setNote'; text: unknown };

export const kindCallArbitraries = {
  logTable: fc.record({ m: fc.constant('logTable' as const), name: anyName, table: anyTable, step: anyStep }),
  logPrCurve: fc.record({ m: fc.constant('logPrCurve' as const), name: anyName, data: anyPrCurve, step: anyStep }),
  logConfusionMatrix: fc.record({ m: fc.constant('logConfusionMatrix' as const), name: anyName, data: anyConfusion, step: anyStep }),
  logAudio: fc.record({
    m: fc.constant('logAudio' as const),
    name: anyName,
    audio: anyAudio,
    step: anyStep,
    caption: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
  }),
  setTags: fc.record({ m: fc.constant('setTags' as const), tags: anyTags }),
  setNote: fc.record({ m: fc.constant('setNote' as const), text: anyText }),
} satisfies Record<KindCall['m'], fc.Arbitrary<KindCall>>;

export const KIND_METHODS = Object.keys(kindCallArbitraries) as KindCall['m'][];

export function anyKindCall(): fc.Arbitrary<KindCall> {
  return fc.oneof(...KIND_METHODS.map((m) => kindCallArbitraries[m] as fc.Arbitrary<KindCall>));
}

/** Calls the method with the raw arguments, as an untyped caller would. */
export function applyKindCall(t: object, call: KindCall): void {
  const any = t as Record<string, (...args: unknown[]) => unknown>;
  switch (call.m) {
    case 'logTable':
      return void any.logTable!(call.name, call.table, stepOption(call.step));
    case 'logPrCurve':
      return void any.logPrCurve!(call.name, call.data, stepOption(call.step));
    case 'logConfusionMatrix':
      return void any.logConfusionMatrix!(call.name, call.data, stepOption(call.step));
    case 'logAudio':
      return void any.logAudio!(call.name, call.audio, { ...stepOption(call.step), caption: call.caption });
    case 'setTags':
      return void any.setTags!(call.tags);
    case 'setNote':
      return void any.setNote!(call.text);
  }
}

/** A step option that is not a number is a wrong call shape: InvalidCallError at once, nothing counted. */
export function isKindShapeError(call: KindCall): boolean {
  return 'step' in call && call.step !== undefined && typeof call.step !== 'number';
}

/** What a call adds to accepted + skipped: one record (accepted or skipped); an empty tag set is a no-op. */
export function kindUnits(call: KindCall): number {
  if (isKindShapeError(call)) return 0;
  if (call.m === 'setTags' && isPlainObject(call.tags) && Object.keys(call.tags).length === 0) return 0;
  return 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The record kind a method produces. */
export const KIND_OF_METHOD: Record<KindCall['m'], string> = {
  logTable: 'table',
  logPrCurve: 'pr_curve',
  logConfusionMatrix: 'confusion_matrix',
  logAudio: 'audio',
  setTags: 'tags',
  setNote: 'note',
};
