import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { numberJson, secondsJson, toJson } from './json.js';

describe('JSON for W&B values', () => {
  it('writes whole milliseconds as seconds that parse to exactly ms / 1000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), (ms) => {
        expect(JSON.parse(secondsJson(ms))).toBe(ms / 1000);
        expect(secondsJson(ms)).toBe(String(ms / 1000));
      }),
      { numRuns: 2000 },
    );
    expect(secondsJson(1500.5)).toBe('1.5005');
  });

  it('keeps non-finite numbers as W&B bare tokens', () => {
    expect(numberJson(Number.NaN)).toBe('NaN');
    expect(numberJson(-Infinity)).toBe('-Infinity');
    expect(numberJson(-0)).toBe('0');
    expect(numberJson(1e-7)).toBe('1e-7');
    expect(toJson({ a: [1, Number.NaN], b: 'x' })).toBe('{"a":[1,NaN],"b":"x"}');
  });
});
