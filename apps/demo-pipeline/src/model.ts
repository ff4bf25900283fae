import { gaussian, type Rng } from './random.js';

/** A fully connected layer: `out = in · W + b`, W row-major `[inputs][outputs]`. */
export interface Dense {
  name: string;
  inputs: number;
  outputs: number;
  weights: Float32Array;
  bias: Float32Array;
}

export interface Gradients {
  weights: Float32Array;
  bias: Float32Array;
}

export interface LossResult {
  /** Mean softmax cross-entropy over the batch. */
  loss: number;
  /** Rows whose arg-max prediction equals the label. */
  correct: number;
  gradients: Gradients[];
}

/** A multi-layer perceptron: dense layers with ReLU between them, softmax cross-entropy on top. */
export class Mlp {
  readonly layers: Dense[];

  constructor(
    readonly sizes: readonly number[],
    rng: Rng,
  ) {
    if (sizes.length < 2) throw new RangeError('an MLP needs at least an input and an output size');
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inputs = sizes[l]!;
      const outputs = sizes[l + 1]!;
      const weights = new Float32Array(inputs * outputs);
      const scale = Math.sqrt(2 / inputs); // He initialisation, suited to ReLU
      for (let i = 0; i < weights.length; i++) weights[i] = gaussian(rng) * scale;
      this.layers.push({ name: `dense_${l}`, inputs, outputs, weights, bias: new Float32Array(outputs) });
    }
  }

  get classes(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  get parameterCount(): number {
    return this.layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0);
  }

  /** Activations of every layer for `rows` inputs; index 0 is the input, the last is the logits. */
  forward(x: Float32Array, rows: number): Float32Array[] {
    const acts = [x];
    this.layers.forEach((layer, l) => {
      const input = acts[l]!;
      const out = new Float32Array(rows * layer.outputs);
      const relu = l < this.layers.length - 1;
      for (let r = 0; r < rows; r++) {
        const o = r * layer.outputs;
        out.set(layer.bias, o);
        for (let i = 0; i < layer.inputs; i++) {
          const v = input[r * layer.inputs + i]!;
          if (v === 0) continue;
          const w = i * layer.outputs;
          for (let j = 0; j < layer.outputs; j++) out[o + j]! += v * layer.weights[w + j]!;
        }
        if (relu) for (let j = 0; j < layer.outputs; j++) if (out[o + j]! < 0) out[o + j] = 0;
      }
      acts.push(out);
    });
    return acts;
  }

  /** Class probabilities, `rows × classes`. */
  predictProba(x: Float32Array, rows: number): Float32Array {
    const logits = this.forward(x, rows).at(-1)!;
    const probs = new Float32Array(logits.length);
    for (let r = 0; r < rows; r++) softmaxRow(logits, probs, r * this.classes, this.classes);
    return probs;
  }

  predict(x: Float32Array, rows: number): Int32Array {
    const probs = this.predictProba(x, rows);
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = argmax(probs, r * this.classes, this.classes);
    return out;
  }

  /** Loss, accuracy count and the gradient of the mean loss for every layer (backpropagation). */
  lossAndGradients(x: Float32Array, y: Int32Array, rows: number): LossResult {
    const acts = this.forward(x, rows);
    const k = this.classes;
    const logits = acts.at(-1)!;
    let delta = new Float32Array(logits.length);
    let loss = 0;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      softmaxRow(logits, delta, r * k, k);
      const label = y[r]!;
      loss -= Math.log(Math.max(delta[r * k + label]!, 1e-12));
      if (argmax(logits, r * k, k) === label) correct++;
      delta[r * k + label]! -= 1;
      for (let j = 0; j < k; j++) delta[r * k + j]! /= rows;
    }
    const gradients: Gradients[] = new Array(this.layers.length);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = acts[l]!;
      const gw = new Float32Array(layer.weights.length);
      const gb = new Float32Array(layer.outputs);
      const prev = l > 0 ? new Float32Array(rows * layer.inputs) : undefined;
      for (let r = 0; r < rows; r++) {
        const d = r * layer.outputs;
        for (let j = 0; j < layer.outputs; j++) gb[j]! += delta[d + j]!;
        for (let i = 0; i < layer.inputs; i++) {
          const v = input[r * layer.inputs + i]!;
          const w = i * layer.outputs;
          let back = 0;
          for (let j = 0; j < layer.outputs; j++) {
            gw[w + j]! += v * delta[d + j]!;
            back += layer.weights[w + j]! * delta[d + j]!;
          }
          // ReLU derivative: the input of this layer is the previous layer's ReLU output.
          if (prev && v > 0) prev[r * layer.inputs + i] = back;
        }
      }
      gradients[l] = { weights: gw, bias: gb };
      if (prev) delta = prev;
    }
    return { loss: loss / rows, correct, gradients };
  }

  /** Weights as plain JSON (what the pipeline saves as the model artifact). */
  toJSON(): { format: string; sizes: number[]; layers: { name: string; inputs: number; outputs: number; weights: number[]; bias: number[] }[] } {
    return {
      format: 'metrics-demo-mlp/1',
      sizes: [...this.sizes],
      layers: this.layers.map((l) => ({ name: l.name, inputs: l.inputs, outputs: l.outputs, weights: Array.from(l.weights), bias: Array.from(l.bias) })),
    };
  }
}

function softmaxRow(logits: Float32Array, out: Float32Array, offset: number, k: number): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[offset + j]!);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += out[offset + j] = Math.exp(logits[offset + j]! - max);
  for (let j = 0; j < k; j++) out[offset + j]! /= sum;
}

function argmax(values: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  return best;
}

/** Adam (Kingma & Ba) with decoupled weight decay off by default. */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly model: Mlp,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = model.layers.flatMap((l) => [new Float32Array(l.weights.length), new Float32Array(l.bias.length)]);
    this.v = model.layers.flatMap((l) => [new Float32Array(l.weights.length), new Float32Array(l.bias.length)]);
  }

  step(gradients: Gradients[], learningRate: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    const params = this.model.layers.flatMap((l) => [l.weights, l.bias]);
    const grads = gradients.flatMap((g) => [g.weights, g.bias]);
    params.forEach((p, k) => {
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * g[i]!;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * g[i]! * g[i]!;
        p[i]! -= (learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.epsilon);
      }
    });
  }
}

/** Linear warm-up, then cosine decay to `floor × base` at the last step. */
export function learningRateAt(step: number, totalSteps: number, base: number, warmupSteps = 0, floor = 0.05): number {
  if (warmupSteps > 0 && step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
