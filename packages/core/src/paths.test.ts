import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { safeSegment, truncateBytes } from './paths.js';

const CHARSETS = ['unicode', 'portable'] as const;

/** What every result must be, in either charset: one segment that stays inside its parent on any OS. */
function expectSafe(s: string, maxBytes = 200): void {
  expect(s.length).toBeGreaterThan(0);
  expect(s).not.toMatch(/[/\\\0:*?"<>|\u0000-\u001f\u007f]/);
  expect(s.startsWith('.')).toBe(false);
  expect(s).not.toMatch(/[. ]$/);
  expect(s).not.toMatch(/^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i);
  expect(Buffer.byteLength(s)).toBeLessThanOrEqual(maxBytes);
  expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
}

describe('safeSegment', () => {
  const root = mkdtempSync(join(tmpdir(), 'safe-segment-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('never escapes: separators, `..`, NUL and control characters', () => {
    for (const charset of CHARSETS) {
      for (const name of ['..', '.', '../../etc/passwd', '..\\..\\windows', 'a/b', 'a\\b', 'a\0b', '/abs', 'C:\\x', 'a\nb\tc']) {
        const s = safeSegment(name, { charset });
        expectSafe(s);
        expect(resolve(root, s).startsWith(root + '/')).toBe(true);
      }
    }
    // each leading dot becomes its own `_`, so `.x` and `..x` stay apart
    expect(safeSegment('../../etc/passwd')).toBe('___.._etc_passwd');
    expect(safeSegment('../../etc/passwd', { charset: 'portable' })).toBe('___.._etc_passwd');
    expect(safeSegment('a\0b:c')).toBe('a_b_c');
    expect(safeSegment('a\nb', { charset: 'portable' })).toBe('ab');
  });

  it('empty and blank names become `_`', () => {
    for (const charset of CHARSETS) for (const name of ['', '   ']) expect(safeSegment(name, { charset })).toBe('_');
    expect(safeSegment('\0\n', { charset: 'portable' })).toBe('_');
    expect(safeSegment('\0\n')).toBe('__');
  });

  it('Windows device names, reserved characters, trailing dots and spaces', () => {
    for (const charset of CHARSETS) {
      expect(safeSegment('con', { charset })).toBe('_con');
      expect(safeSegment('NUL.txt', { charset })).toBe('_NUL.txt');
      expect(safeSegment('Com1', { charset })).toBe('_Com1');
      expect(safeSegment('lpt9.log', { charset })).toBe('_lpt9.log');
      expect(safeSegment('console', { charset })).toBe('console');
      expect(safeSegment('run.', { charset })).toBe('run_');
    }
    expect(safeSegment('a*b?c"d<e>f|g')).toBe('a_b_c_d_e_f_g');
    expect(safeSegment('  my run  ')).toBe('my run');
  });

  it('very long names are cut to maxBytes between code points', () => {
    expect(safeSegment('x'.repeat(1000))).toBe('x'.repeat(200));
    expect(safeSegment('x'.repeat(1000), { charset: 'portable', maxBytes: 64 })).toBe('x'.repeat(64));
    for (const ch of ['é', '日', '😀']) {
      const s = safeSegment(ch.repeat(300));
      expectSafe(s);
      expect(s.replaceAll(ch, '')).toBe('');
      expect(Buffer.byteLength(s)).toBeGreaterThan(200 - Buffer.byteLength(ch));
    }
  });

  it('unicode: kept as given in the default charset, one `_` per run in the portable one', () => {
    expect(safeSegment('résumé 日本 😀')).toBe('résumé 日本 😀');
    expect(safeSegment('résumé 日本 😀', { charset: 'portable' })).toBe('r_sum_');
    // NFC first: a decomposed é is one character, so one `_`, as for the composed form
    expect(safeSegment('re\u0301sume\u0301', { charset: 'portable' })).toBe(safeSegment('résumé', { charset: 'portable' }));
    expect(safeSegment('a\uD800b')).toBe('a_b');
  });

  it('any string: a safe segment, and a directory of that name is created inside the parent', () => {
    let made = 0;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...CHARSETS), fc.integer({ min: 1, max: 255 }), (name, charset, maxBytes) => {
        const s = safeSegment(name, { charset, maxBytes });
        expectSafe(s, maxBytes);
        if (made++ < 200) {
          const dir = join(root, `${made}`);
          mkdirSync(dir);
          mkdirSync(join(dir, s));
          expect(readdirSync(dir)).toEqual([s]);
          expect(relative(dir, join(dir, s))).toBe(s);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncateBytes', () => {
  it('cuts between code points', () => {
    expect(truncateBytes('abc', 5)).toBe('abc');
    expect(truncateBytes('aéb', 2)).toBe('a');
    expect(truncateBytes('😀😀', 5)).toBe('😀');
  });
});
