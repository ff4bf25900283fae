import type { RawImage } from '../spec.js';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './font.js';

/**
 * An RGB pixel buffer with the few drawing operations the rendered charts need: rectangles, thick lines
 * and text in the built-in bitmap font. Integer coordinates only, so the same calls give the same bytes.
 */

export type Rgb = readonly [number, number, number];
export type Canvas = RawImage & { channels: 3; data: Uint8Array };
/** Which way text runs: left to right, or turned a quarter so it reads upwards or downwards. */
export type Direction = 'right' | 'up' | 'down';

export function canvas(width: number, height: number, background: Rgb): Canvas {
  const data = new Uint8Array(width * height * 3);
  for (let o = 0; o < data.length; o += 3) data.set(background, o);
  return { width, height, channels: 3, data };
}

export function put(img: Canvas, x: number, y: number, rgb: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  img.data.set(rgb, (y * img.width + x) * 3);
}

export function fillRect(img: Canvas, x: number, y: number, w: number, h: number, rgb: Rgb): void {
  for (let j = Math.max(0, y); j < Math.min(img.height, y + h); j++) for (let i = Math.max(0, x); i < Math.min(img.width, x + w); i++) put(img, i, j, rgb);
}

/** Bresenham with a `thickness × thickness` pen whose top-left corner follows the line. */
export function line(img: Canvas, x0: number, y0: number, x1: number, y1: number, rgb: Rgb, thickness = 1): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    fillRect(img, x0, y0, thickness, thickness, rgb);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) (err += dy), (x0 += sx);
    if (e2 <= dx) (err += dx), (y0 += sy);
  }
}

/** Length of a text along its direction, in pixels (no trailing space). */
export function textLength(text: string, scale: number): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - (GLYPH_ADVANCE - GLYPH_WIDTH)) * scale;
}

/** Thickness of a line of text across its direction (the glyph height, descenders included). */
export function textThickness(scale: number): number {
  return GLYPH_HEIGHT * scale;
}

/**
 * The text cut to at most `maxLength` pixels with `…` where it was cut: at the end, or at the start
 * (`keep: 'end'`, for names whose last part says the most, like `evaluation/pr_curve/setosa`).
 */
export function fitText(text: string, scale: number, maxLength: number, keep: 'start' | 'end' = 'start'): string {
  const chars = [...text];
  if (textLength(text, scale) <= maxLength) return text;
  for (let n = chars.length - 1; n > 0; n--) {
    const cut = keep === 'start' ? `${chars.slice(0, n).join('')}…` : `…${chars.slice(chars.length - n).join('')}`;
    if (textLength(cut, scale) <= maxLength) return cut;
  }
  return textLength('…', scale) <= maxLength ? '…' : '';
}

/**
 * Draws text from (x, y): the top-left pixel of its box for `right`; for `up` (reads upwards, glyph tops
 * facing left) the box's left column and, just below its bottom row, y; for `down` (reads downwards, glyph
 * tops facing right) its top row and, just right of its right column, x.
 */
export function drawText(img: Canvas, text: string, x: number, y: number, scale: number, rgb: Rgb, direction: Direction = 'right'): void {
  let along = 0;
  for (const ch of text) {
    const rows = glyphRows(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++)
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!((rows[r]! >> (GLYPH_WIDTH - 1 - c)) & 1)) continue;
        const u = along + c * scale; // along the text
        const v = r * scale; // across it, from the glyph tops
        if (direction === 'right') fillRect(img, x + u, y + v, scale, scale, rgb);
        else if (direction === 'up') fillRect(img, x + v, y - u - scale, scale, scale, rgb);
        else fillRect(img, x - v - scale, y + u, scale, scale, rgb);
      }
    along += GLYPH_ADVANCE * scale;
  }
}
