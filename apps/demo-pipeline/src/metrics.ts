/** `matrix[actual][predicted]` counts. */
export type ConfusionMatrix = number[][];

export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): ConfusionMatrix {
  if (actual.length !== predicted.length) throw new RangeError(`${actual.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]!]![predicted[i]!]!++;
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Scores {
  accuracy: number;
  /** Macro averages over the classes (each class weighs the same). */
  precision: number;
  recall: number;
  f1: number;
  perClass: ClassScores[];
}

/** Accuracy and per-class / macro precision, recall and F1; a class never predicted has precision 0. */
export function scores(m: ConfusionMatrix): Scores {
  const k = m.length;
  let total = 0;
  let correct = 0;
  const perClass: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    let predicted = 0;
    let support = 0;
    for (let o = 0; o < k; o++) {
      predicted += m[o]![c]!;
      support += m[c]![o]!;
    }
    const tp = m[c]![c]!;
    total += support;
    correct += tp;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
  }
  const mean = (key: keyof ClassScores) => perClass.reduce((s, c) => s + c[key], 0) / Math.max(1, k);
  return { accuracy: total > 0 ? correct / total : 0, precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), perClass };
}
