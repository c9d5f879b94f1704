// Batchnorm at export and conversion time: its eval-mode affine form
// y = x·s + t per channel (s = γ/√(var + ε), t = β − mean·s), folded into the
// output channels of the conv / transposed conv / dense before it, or, where
// it cannot fold, written as its own per-channel layer. The one place both
// train/export.ts and train/convert/from_onnx.ts (batchnorm nodes and bias
// Adds) take it from. Sums in float64, stored as float32.

import type { LayerSpec } from "../../../runtime/format/spec.ts";

/** s = γ/√(var + ε) and t = β − mean·s per channel. */
export function bnScaleShift(
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  eps: number,
): { s: Float64Array; t: Float64Array } {
  const s = Float64Array.from({ length: gamma.length }, (_, o) => gamma[o] / Math.sqrt(variance[o] + eps));
  return { s, t: Float64Array.from(s, (v, o) => beta[o] - mean[o] * v) };
}

/**
 * w·s[o] and b·s + t per output channel o of a layer's weight `w` and bias `b` (null: 0). A transposed conv
 * (`convT`: its input channels and groups) has weight (inC, outC/groups, k…), where row ic·ocg + o' belongs
 * to output channel group(ic)·ocg + o'; conv and dense weights are output-channel major.
 *
 * @example
 * ```ts
 * import { foldIntoOutputChannels } from "./fold.ts";
 * const [w, b] = foldIntoOutputChannels(Float32Array.of(1, 2, 3, 4), null, Float64Array.of(2, 10), Float64Array.of(1, 0));
 * if (w.join() !== "2,4,30,40" || b.join() !== "1,0") throw new Error();
 * ```
 */
export function foldIntoOutputChannels(
  w: Float32Array,
  b: Float32Array | null,
  s: Float64Array,
  t: Float64Array,
  convT?: { inC: number; groups: number },
): [Float32Array, Float32Array] {
  const c = s.length;
  let channelOf = (e: number) => Math.floor(e / (w.length / c));
  if (convT) {
    const ocg = c / convT.groups, icg = convT.inC / convT.groups, per = w.length / (convT.inC * ocg);
    channelOf = (e) => {
      const row = Math.floor(e / per); // = ic·ocg + o'
      return Math.floor(Math.floor(row / ocg) / icg) * ocg + (row % ocg);
    };
  }
  const w2 = Float32Array.from(w, (v, e) => v * s[channelOf(e)]);
  return [w2, Float32Array.from(s, (v, o) => (b ? b[o] : 0) * v + t[o])];
}

/** The per-channel layer y = x·s + t (a scale layer, runtime/ops/channel), for an input of any rank. */
export function affineLayer(
  s: Float64Array,
  t: Float64Array,
): { spec: LayerSpec; params: Float32Array[] } {
  return { spec: { type: "scale" }, params: [Float32Array.from(s), Float32Array.from(t)] };
}
