// Test helper: a deterministic Fashion-MNIST-shaped model (1×28×28 → 10
// classes, small conv net, softmax at the end) with seeded random weights,
// encoded with encodeModel. Same seed → byte-identical file. Run as a script
// to write it: `deno run -A tests/helpers/fixture_model.ts out.tcnn`.

import { convNet } from "../../train/archs.ts";
import { encodeModel, type LayerSpec, type ModelDesc } from "../../mod.ts";
import { paramShapes, resolveLayers } from "../../runtime/format/spec.ts";
import { uniformFn as rng } from "../../train/rng.ts";
import { FASHION_CLASSES } from "../../train/data/datasets.ts";

export { uniformFn as rng } from "../../train/rng.ts";

/**
 * Seeded weights for `layers` on `inputShape`: He-uniform from the fan-in (all dims but the first) for
 * weights, so activations stay O(1); ±0.05 for 1-D parameters (biases), so the input decides the class.
 */
export function heUniformParams(layers: LayerSpec[], inputShape: number[], seed: number): Float32Array[][] {
  const rand = rng(seed);
  return resolveLayers(layers, inputShape).map((l) =>
    paramShapes(l).map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const scale = shape.length > 1 ? Math.sqrt(6 / (n / shape[0])) : 0.05;
      const t = new Float32Array(n);
      for (let i = 0; i < n; i++) t[i] = (rand() * 2 - 1) * scale;
      return t;
    })
  );
}

/** conv(8,3×3,same)-relu-maxpool2 → conv(16,3×3,same)-relu-maxpool2 → dense(10) → softmax. */
export function fixtureDesc(seed = 1234): ModelDesc {
  const inputShape = [1, 28, 28];
  const layers = [...convNet([8, 16], [10]), { type: "softmax" }] as LayerSpec[];
  return {
    inputShape,
    layers,
    params: heUniformParams(layers, inputShape, seed),
    labels: [...FASHION_CLASSES],
    normalization: { mean: [0.286], std: [0.353] },
    meta: { fixture: true, seed },
  };
}

/** The fixture model as .tcnn bytes. */
export function fixtureModelBytes(seed = 1234): Uint8Array {
  return encodeModel(fixtureDesc(seed));
}

if (import.meta.main) {
  const out = Deno.args[0];
  if (!out) throw new TypeError("usage: deno run -A tests/helpers/fixture_model.ts OUT.tcnn");
  await Deno.writeFile(out, fixtureModelBytes());
  console.log(`wrote ${out}`);
}
