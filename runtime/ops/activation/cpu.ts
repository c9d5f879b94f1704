// CPU activations: every elementwise one of the activation table (table.ts:
// its float64 `map`, each value rounded to f32 once) and softmax over the
// channel axis. Shapes: x and y are (N, C, spatial) flattened; elementwise
// ones ignore the structure. y may alias x (in place).
// Invariants: sigmoid and softmax are numerically stable (no exp overflow for
// any finite input); softmax subtracts the per-position max before exp.

import type { PlainKernel } from "../../cpu/layer_kernel.ts";
import type { ActivationType } from "../../format/spec.ts";
import { activationEntry } from "./table.ts";

type ActivationKernel = PlainKernel<
  [act: ActivationType, alpha: number, beta: number, c: number, spatial: number]
>;

/** y = act(x) over `len` elements, or softmax over c at each of `spatial` positions of `batch` samples. */
export const activation: ActivationKernel = (act, alpha, beta, c, spatial, x, batch, y) => {
  const len = batch * c * spatial;
  if (act === "softmax" || act === "logsoftmax") {
    return softmax(c, spatial, x, batch, y, act === "logsoftmax");
  }
  if (act === "identity") {
    if (y !== x) y.set(x.subarray(0, len));
    return y;
  }
  activationEntry(act).map(x, y, len, alpha, beta);
  return y;
};

/**
 * Softmax over the channel axis: x is (N, C, spatial); each (n, ·, s) column sums to 1. With `log`, its
 * logarithm, written x − m − log Σ exp(x − m) (never log of an underflowed 0).
 */
export function softmax(
  c: number,
  spatial: number,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  log = false,
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
      if (log) {
        for (let k = 0; k < c; k++) sum += Math.exp(x[p + k * spatial] - m);
        const shift = m + Math.log(sum);
        for (let k = 0; k < c; k++) y[p + k * spatial] = x[p + k * spatial] - shift;
        continue;
      }
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
