// CPU activations: relu, leakyrelu(alpha), elu(alpha), sigmoid, tanh,
// clip(alpha = min, beta = max; relu6 is clip 0..6), hardswish
// x·clip(x + 3, 0, 6)/6, hardsigmoid clip(alpha·x + beta, 0, 1), identity, and softmax over the channel axis. Shapes: x and y are (N, C, spatial)
// flattened; elementwise ones ignore the structure. y may alias x (in place).
// Invariants: sigmoid and softmax are numerically stable (no exp overflow for
// any finite input); softmax subtracts the per-position max before exp.

import type { PlainKernel } from "../../cpu/layer_kernel.ts";
import type { ActivationType } from "../../format/spec.ts";

type ActivationKernel = PlainKernel<
  [act: ActivationType, alpha: number, beta: number, c: number, spatial: number]
>;

/** y = act(x) over `len` elements, or softmax over c at each of `spatial` positions of `batch` samples. */
export const activation: ActivationKernel = (act, alpha, beta, c, spatial, x, batch, y) => {
  const len = batch * c * spatial;
  switch (act) {
    case "relu":
      for (let i = 0; i < len; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : 0;
      }
      return y;
    case "leakyrelu":
      for (let i = 0; i < len; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : alpha * v;
      }
      return y;
    case "elu":
      for (let i = 0; i < len; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : alpha * Math.expm1(v);
      }
      return y;
    case "sigmoid":
      for (let i = 0; i < len; i++) {
        const v = x[i];
        if (v >= 0) {
          y[i] = 1 / (1 + Math.exp(-v));
        } else {
          const e = Math.exp(v);
          y[i] = e / (1 + e);
        }
      }
      return y;
    case "tanh":
      for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]);
      return y;
    case "clip":
      for (let i = 0; i < len; i++) y[i] = Math.min(Math.max(x[i], alpha), beta);
      return y;
    case "hardswish":
      for (let i = 0; i < len; i++) y[i] = x[i] * Math.min(Math.max(x[i] + 3, 0), 6) / 6;
      return y;
    case "hardsigmoid":
      for (let i = 0; i < len; i++) y[i] = Math.min(Math.max(alpha * x[i] + beta, 0), 1);
      return y;
    case "identity":
      if (y !== x) y.set(x.subarray(0, len));
      return y;
    case "softmax":
      return softmax(c, spatial, x, batch, y);
  }
  throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
};

/** Softmax over the channel axis: x is (N, C, spatial); each (n, ·, s) column sums to 1. */
export function softmax(
  c: number,
  spatial: number,
  x: Float32Array,
  batch: number,
  y: Float32Array,
): Float32Array {
  const sample = c * spatial;
  for (let n = 0; n < batch; n++) {
    const base = n * sample;
    for (let s = 0; s < spatial; s++) {
      const p = base + s;
      let m = -Infinity;
      for (let k = 0; k < c; k++) {
        const v = x[p + k * spatial];
        if (v > m) m = v;
      }
      let sum = 0;
      for (let k = 0; k < c; k++) {
        const e = Math.exp(x[p + k * spatial] - m);
        y[p + k * spatial] = e; // x at this index is no longer needed, so aliasing is safe
        sum += e;
      }
      const inv = 1 / sum;
      for (let k = 0; k < c; k++) y[p + k * spatial] *= inv;
    }
  }
  return y;
}
