import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { weightHistogramName } from './names.js';

export interface WeightValues {
  name: string;
  values: Float32Array;
}

/**
 * Every float weight of every layer (kernels, biases, …), read asynchronously. `read()` hands back the
 * variable itself, so no tensor is created and none needs disposing; the values are copied because a backend
 * may hand out its own storage, which the next optimizer step replaces.
 */
export async function readWeights(model: LayersModel): Promise<WeightValues[]> {
  const names: string[] = [];
  const reads: Promise<ArrayLike<number>>[] = [];
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      if (weight.dtype !== 'float32') continue;
      names.push(weightHistogramName(layer.name, weight.originalName ?? weight.name));
      reads.push((weight.read() as Tensor).data() as Promise<ArrayLike<number>>);
    }
  }
  const values = await Promise.all(reads);
  return values.map((v, i) => ({ name: names[i]!, values: Float32Array.from(v) }));
}
