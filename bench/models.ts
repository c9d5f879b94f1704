// Reference benchmark models `lenet` and `small` with seeded random weights,
// so ours and every peer run the IDENTICAL network. Invariants: params follow
// runtime/format/model_desc.ts (conv weight (O,I,kh,kw), dense weight (out,in), then
// bias); the same seed always yields the same bytes.

import type { LayerSpec } from "../runtime/format/spec.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
import { exportedLayers } from "../train/archs.ts";
import { uniformFn as rng } from "../train/rng.ts";
import { heUniformParams } from "../tests/helpers/fixture_model.ts";

/** The built-in architectures of train/archs.ts, as exported (softmax at the end). */
export const LENET_LAYERS: LayerSpec[] = exportedLayers("lenet");
export const SMALL_LAYERS: LayerSpec[] = exportedLayers("small");

export { uniformFn as rng } from "../train/rng.ts";

/** Build a model description with He-uniform weights and small biases from `seed`. */
export function makeModel(
  layers: LayerSpec[],
  seed: number,
  inputShape = [1, 28, 28],
): ModelDesc {
  return {
    inputShape,
    layers,
    params: heUniformParams(layers, inputShape, seed),
    labels: Array.from({ length: 10 }, (_, i) => `class${i}`),
  };
}

export const BENCH_MODELS: Record<string, () => ModelDesc> = {
  lenet: () => makeModel(LENET_LAYERS, 1234),
  small: () => makeModel(SMALL_LAYERS, 5678),
};

/** The 3-stage chain the shipped Fashion-MNIST model used to be, with seeded weights (when the shipped one is a graph). */
export const EDGE_CHAIN = (): ModelDesc => makeModel(exportedLayers("edge"), 3456);

/** Deterministic input batch in [0,1): (N, ...shape). */
export function makeInput(
  n: number,
  perSample: number,
  seed = 42,
): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * perSample);
  for (let i = 0; i < x.length; i++) x[i] = r();
  return x;
}
