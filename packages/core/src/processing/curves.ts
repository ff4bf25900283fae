/**
 * The statistics behind `logPrCurve` and `logConfusionMatrix`, computed once in the tracker so every
 * backend shows the same numbers (TensorBoard's PR-curve rows, W&B's chart tables, MLflow's tables).
 */
import type { PrCurvePoints } from '../spec.js';

export type { PrCurvePoints };

/** Floor on precision/recall denominators, as TensorBoard's PR-curve summaries use. */
const EPSILON = 1e-7;

/** Labels are 0/1 (or booleans), predictions in [0, 1] (checked by the caller). O(examples + thresholds). */
export function prCurvePoints(labels: ArrayLike<number | boolean>, predictions: ArrayLike<number>, numThresholds: number): PrCurvePoints {
  const n = numThresholds;
  // Bucket i holds predictions in [i/(n−1), (i+1)/(n−1)); a suffix sum then counts predictions ≥ threshold i.
  const positives = new Float64Array(n);
  const negatives = new Float64Array(n);
  for (let k = 0; k < predictions.length; k++) {
    const bucket = Math.min(n - 1, Math.floor(predictions[k]! * (n - 1)));
    if (labels[k] === true || labels[k] === 1) positives[bucket]!++;
    else negatives[bucket]!++;
  }
  const out: PrCurvePoints = { thresholds: [], truePositives: [], falsePositives: [], trueNegatives: [], falseNegatives: [], precision: [], recall: [] };
  let tp = 0;
  let fp = 0;
  const tpAt = new Array<number>(n);
  const fpAt = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    tp += positives[i]!;
    fp += negatives[i]!;
    tpAt[i] = tp;
    fpAt[i] = fp;
  }
  const totalPositives = tp;
  const totalNegatives = fp;
  for (let i = 0; i < n; i++) {
    const t = tpAt[i]!;
    const f = fpAt[i]!;
    const fn = totalPositives - t;
    out.thresholds.push(i / (n - 1));
    out.truePositives.push(t);
    out.falsePositives.push(f);
    out.trueNegatives.push(totalNegatives - f);
    out.falseNegatives.push(fn);
    out.precision.push(t / Math.max(EPSILON, t + f));
    out.recall.push(t / Math.max(EPSILON, t + fn));
  }
  return out;
}

/** `counts[a][p]`: how many examples of actual class a were predicted as class p (indices already checked). */
export function confusionCounts(classes: number, actual: readonly number[], predicted: readonly number[]): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let k = 0; k < actual.length; k++) counts[actual[k]!]![predicted[k]!]!++;
  return counts;
}

/**
 * Examples that give back the same curve (every prediction of a threshold bucket in its middle): for
 * handing a computed curve to another `Tracker`'s `logPrCurve` (a tracker used as a backend).
 */
export function prCurveExamples(points: Pick<PrCurvePoints, 'thresholds' | 'truePositives' | 'falsePositives'>): { labels: number[]; predictions: number[] } {
  const labels: number[] = [];
  const predictions: number[] = [];
  const n = points.thresholds.length;
  for (let i = 0; i < n; i++) {
    const positives = points.truePositives[i]! - (i + 1 < n ? points.truePositives[i + 1]! : 0);
    const negatives = points.falsePositives[i]! - (i + 1 < n ? points.falsePositives[i + 1]! : 0);
    // Mid-bucket, so rounding never moves it to the bucket below.
    const at = i === n - 1 ? 1 : (i + 0.5) / (n - 1);
    for (let k = 0; k < positives; k++) labels.push(1), predictions.push(at);
    for (let k = 0; k < negatives; k++) labels.push(0), predictions.push(at);
  }
  return { labels, predictions };
}

/** The (actual, predicted) index pairs behind confusion counts (the inverse of `confusionCounts`). */
export function confusionExamples(counts: readonly (readonly number[])[]): { actual: number[]; predicted: number[] } {
  const actual: number[] = [];
  const predicted: number[] = [];
  counts.forEach((row, a) =>
    row.forEach((n, p) => {
      for (let k = 0; k < n; k++) actual.push(a), predicted.push(p);
    }),
  );
  return { actual, predicted };
}
