import type { RawImage } from '@metrics/core';
import type { ConfusionMatrix } from './metrics.js';

/**
 * A confusion matrix as an RGB heat map: one `cell × cell` square per (actual row, predicted column),
 * white for 0 through blue for the row's whole support; the diagonal in blue, errors in red, a 1-pixel grid.
 */
export function renderConfusionMatrix(m: ConfusionMatrix, cell = 32): RawImage {
  const k = m.length;
  const size = k * cell + 1;
  const data = new Uint8Array(size * size * 3).fill(96); // grid colour shows where nothing is painted
  for (let a = 0; a < k; a++) {
    const support = m[a]!.reduce((s, v) => s + v, 0);
    for (let p = 0; p < k; p++) {
      const share = support > 0 ? m[a]![p]! / support : 0;
      const fade = Math.round(255 * (1 - share));
      const rgb = a === p ? [fade, fade, 255] : [255, fade, fade];
      for (let y = a * cell + 1; y < (a + 1) * cell; y++) for (let x = p * cell + 1; x < (p + 1) * cell; x++) data.set(rgb, (y * size + x) * 3);
    }
  }
  return { width: size, height: size, channels: 3, data };
}
