import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberJson } from '../json.js';
import { keyField } from '../proto/records.js';
import { historyItems, KeyTable, numbersJson, numberTextBackend, stringifyNumbersJson } from './index.js';
import { NUMBER_TEXT_SOURCE_SHA256 } from './wasm.js';

const ascii = new TextDecoder('latin1');
const text = (numbers: ArrayLike<number>) => ascii.decode(numbersJson(numbers));

/** The first number whose text differs from JSON.stringify's, or undefined. */
function firstDifference(numbers: number[]): string | undefined {
  const ours = text(numbers);
  const v8 = JSON.stringify(numbers);
  if (ours === v8) return undefined;
  const a = ours.slice(1, -1).split(',');
  const b = v8.slice(1, -1).split(',');
  const i = a.findIndex((t, k) => t !== b[k]);
  return `${numbers[i]}: ours ${a[i]}, JSON.stringify ${b[i]}`;
}

/** Doubles from random bit patterns: every exponent, subnormals, NaNs and infinities alike. */
function randomBits(count: number, seed: number): number[] {
  const bits = new Uint32Array(count * 2);
  let s = seed >>> 0;
  for (let i = 0; i < bits.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    bits[i] = s >>> 0;
  }
  return Array.from(new Float64Array(bits.buffer));
}

describe('the WebAssembly number text', () => {
  it('runs here (else every comparison below would compare JSON.stringify with itself)', () => {
    expect(numberTextBackend()).toBe('wasm');
  });

  it('writes what JSON.stringify writes for edge cases of every notation', () => {
    const edges = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2,
      0.3,
      1 / 3,
      2 / 3,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      2.225073858507201e-308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.EPSILON,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      2 ** 53 + 2,
      NaN,
      Infinity,
      -Infinity,
      1e21,
      1e21 - 65536,
      1e20,
      123456789012345680000,
      1e-6,
      1e-7,
      1.5e-7,
      Number('9.999999999999999e-7'),
      1e22,
      1e23,
      5e-7,
      1.23e-18,
      100,
      1e15,
      1e16,
      1e17,
      4.35,
      0.5,
      2.5,
      1.25e-5,
      299792458,
      6.02214076e23,
      Math.PI,
      Math.E,
      9.5367431640625e-7,
      0.000001234,
      1.7976931348623157e308,
      4.9406564584124654e-324,
    ];
    expect(firstDifference(edges)).toBeUndefined();
    for (let e = -1074; e <= 1023; e++)
      expect(firstDifference([2 ** e, -(2 ** e), 3 * 2 ** e, 2 ** e * (1 + 2 ** -52), 2 ** e * (2 - 2 ** -52)])).toBeUndefined();
    for (let p = -325; p <= 308; p++)
      expect(firstDifference(['1', '2', '5', '9.999999999999999', '1.5', '3', '7.7', '1.2345678901234567'].map((m) => Number(`${m}e${p}`)))).toBeUndefined();
  });

  it('writes what JSON.stringify writes for two million random doubles', () => {
    for (let round = 0; round < 200; round++) expect(firstDifference(randomBits(10_000, round + 1))).toBeUndefined();
  });

  it('writes what JSON.stringify writes for training-loop values: float32 losses, rounded decimals, integers', () => {
    const f32 = Array.from({ length: 100_000 }, (_, i) => Math.fround(Math.sin(i) * 10 ** ((i % 30) - 15)));
    const decimals = Array.from({ length: 100_000 }, (_, i) => Math.round(Math.cos(i) * 10 ** (1 + (i % 17))) / 10 ** (i % 9));
    const integers = Array.from({ length: 100_000 }, (_, i) => Math.round(i * i * 1.37) * (i % 2 ? -1 : 1));
    expect(firstDifference(f32)).toBeUndefined();
    expect(firstDifference(decimals)).toBeUndefined();
    expect(firstDifference(integers)).toBeUndefined();
  });

  it('agrees with JSON.stringify on any doubles fast-check makes', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 200 }), (numbers) => firstDifference(numbers) === undefined),
      { numRuns: 2000 },
    );
  });

  it('takes typed arrays, empty batches, and batches larger than its memory (which grows)', () => {
    expect(text([])).toBe('[]');
    expect(text(new Float64Array([1.5, -2, Number.NaN]))).toBe('[1.5,-2,null]');
    const large = randomBits(300_000, 99);
    expect(firstDifference(large)).toBeUndefined();
    expect(text([0.1])).toBe('[0.1]');
  });

  it('has a fallback for hosts without WebAssembly that writes the same', () => {
    const numbers = randomBits(5000, 7);
    const expected = JSON.stringify(numbers);
    expect(ascii.decode(stringifyNumbersJson(numbers))).toBe(expected);
    expect(ascii.decode(stringifyNumbersJson(new Float64Array(numbers)))).toBe(expected);
  });

  it('is built from the C source next to it (after changing number-text.c, run the build script)', () => {
    const source = readFileSync(new URL('./number-text.c', import.meta.url));
    const hash = createHash('sha256').update(source).digest('hex');
    expect(hash, 'number-text.c changed since wasm.ts was built: run `npx pnpm@10.34.8 --filter @metrics/wandb build:wasm`').toBe(NUMBER_TEXT_SOURCE_SHA256);
  });

  it('writes history items a JS encoder agrees with, across key tables that alternate and memory that grows', () => {
    /** The item as the value-by-value encoder writes it: tag, length, key field, value_json with numberJson's text. */
    const expected = (field: Uint8Array, value: number): number[] => {
      const text = Buffer.from(numberJson(value), 'latin1');
      const body = [...field, 0x82, 0x01, text.length, ...text];
      const length: number[] = [];
      for (let n = body.length; ; n >>>= 7) {
        if (n < 0x80) {
          length.push(n);
          break;
        }
        length.push((n & 0x7f) | 0x80);
      }
      return [0x0a, ...length, ...body];
    };
    const tables = [
      ['a', 'training/loss'],
      ['k'.repeat(200), 'ü', 'eval/acc'],
    ].map((keys) => {
      const table = new KeyTable();
      for (const k of keys) table.add(keyField(k));
      return { keys, table };
    });
    // one table small then large (its regions are laid out again: its keys must be loaded again), then the other
    for (const { keys, table } of tables) {
      for (const count of [10, 5, 200_000, 7]) {
        const values = randomBits(count, count + keys.length);
        const ids = Int32Array.from(values, (_, i) => i % keys.length);
        const items = historyItems(values, ids, table)!;
        const want = values.flatMap((v, i) => expected(keyField(keys[ids[i]!]!), v));
        expect(Buffer.from(items.bytes).equals(Buffer.from(want))).toBe(true);
        expect(items.ends[count - 1]).toBe(want.length);
      }
    }
  });
});
