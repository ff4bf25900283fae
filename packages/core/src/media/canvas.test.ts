import { describe, expect, it } from 'vitest';
import { canvas, drawText, fitText, textLength } from './canvas.js';
import { glyphRows, hasGlyph } from './font.js';

const REQUIRED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-/:%()';

describe('bitmap font', () => {
  it('has a distinct glyph for every digit, letter and ._-/:%()', () => {
    const seen = new Map<string, string>();
    for (const ch of REQUIRED) {
      expect(hasGlyph(ch), ch).toBe(true);
      const key = glyphRows(ch).join();
      expect(seen.get(key), `${ch} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, ch);
    }
  });

  it('draws characters it lacks as ?', () => {
    expect(hasGlyph('é')).toBe(false);
    expect(glyphRows('é')).toEqual(glyphRows('?'));
  });
});

describe('text', () => {
  it('drawn at an integer scale: the pixels of "1" are its glyph, each one a scale × scale block', () => {
    const img = canvas(12, 16, [255, 255, 255]);
    drawText(img, '1', 0, 0, 2, [0, 0, 0]);
    const rows = glyphRows('1');
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 10; x++) {
        const set = ((rows[y >> 1]! >> (4 - (x >> 1))) & 1) === 1;
        expect(img.data[(y * 12 + x) * 3], `${x},${y}`).toBe(set ? 0 : 255);
      }
  });

  it('turned upwards and downwards: the same pixels, rotated', () => {
    const right = canvas(16, 16, [255, 255, 255]);
    const up = canvas(16, 16, [255, 255, 255]);
    const down = canvas(16, 16, [255, 255, 255]);
    drawText(right, 'F', 0, 0, 1, [0, 0, 0]);
    drawText(up, 'F', 0, 16, 1, [0, 0, 0], 'up');
    drawText(down, 'F', 16, 0, 1, [0, 0, 0], 'down');
    const at = (img: typeof right, x: number, y: number) => img.data[(y * 16 + x) * 3];
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 5; c++) {
        expect(at(up, r, 15 - c), `up ${c},${r}`).toBe(at(right, c, r));
        expect(at(down, 15 - r, c), `down ${c},${r}`).toBe(at(right, c, r));
      }
  });

  it('fitText cuts with … at the end or keeps the end', () => {
    expect(fitText('setosa', 1, 100)).toBe('setosa');
    expect(fitText('versicolor', 1, textLength('versi…', 1))).toBe('versi…');
    expect(fitText('evaluation/pr_curve/setosa', 1, textLength('…setosa', 1), 'end')).toBe('…setosa');
    expect(fitText('abc', 1, 2)).toBe('');
  });
});
