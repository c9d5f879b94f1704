// Float64 reference activations and their derivatives.
// Shapes: x, y, dy, dx are (N, C, spatial) flattened; softmax runs over C at
// each (n, spatial) position, the others are elementwise.
// Each elementwise activation's f (its `map`) and f′ sit side by side in its entry of the
// activation table (runtime/ops/activation/table.ts), which the CPU kernel
// evaluates too; the backward here is the chain rule dx = δ · f′(x, y).
// Softmax, written here: in the forward pass y_k = exp(x_k − m) / Σ_j exp(x_j − m)
// with m the column's max; its backward is dx = y ⊙ (δ − Σ_c δ·y). Logsoftmax is
// y_k = x_k − m − log Σ_j exp(x_j − m), and dx = δ − exp(y) · Σ_c δ.
// Invariants: sigmoid and softmax are overflow-free for any finite input.

import type { ActParams } from "../../../runtime/format/spec.ts";
import { activationEntry } from "../../../runtime/ops/activation/table.ts";

/** Calls `f` with the indices of the c channel values at each (sample, position): the vectors softmax normalises. */
function forEachColumn(c: number, spatial: number, batch: number, f: (idx: number[]) => void): void {
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < spatial; s++) f(Array.from({ length: c }, (_, k) => (n * c + k) * spatial + s));
  }
}

/** y = act(x), float64. */
export function actForward64(l: ActParams, x: Float64Array, batch: number): Float64Array {
  const { act, alpha, beta, c, spatial } = l;
  batch *= l.outer; // the blocks before a column activation's axis, as more samples
  const y = new Float64Array(x.length);
  if (act === "softmax" || act === "logsoftmax") {
    forEachColumn(c, spatial, batch, (idx) => {
      const m = idx.reduce((a, i) => Math.max(a, x[i]), -Infinity); // subtracting the max keeps exp ≤ 1
      const sum = idx.reduce((s, i) => s + Math.exp(x[i] - m), 0);
      for (const i of idx) y[i] = act === "softmax" ? Math.exp(x[i] - m) / sum : x[i] - m - Math.log(sum);
    });
    return y;
  }
  activationEntry(act).map(x, y, x.length, alpha, beta);
  return y;
}

/** dx from dy (x the layer input, y its output), float64. */
export function actBackward64(
  l: ActParams,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
  batch: number,
): Float64Array {
  const { act, alpha, beta, c, spatial } = l;
  batch *= l.outer;
  const dx = new Float64Array(x.length);
  if (act === "softmax") {
    forEachColumn(c, spatial, batch, (idx) => {
      const dot = idx.reduce((s, i) => s + dy[i] * y[i], 0);
      for (const i of idx) dx[i] = y[i] * (dy[i] - dot);
    });
    return dx;
  }
  if (act === "logsoftmax") {
    // in the forward pass this was y_k = x_k − log Σ_j exp(x_j): dx = δ − softmax(x) · Σ_c δ, softmax(x) = exp(y)
    forEachColumn(c, spatial, batch, (idx) => {
      const sum = idx.reduce((s, i) => s + dy[i], 0);
      for (const i of idx) dx[i] = dy[i] - Math.exp(y[i]) * sum;
    });
    return dx;
  }
  // in the forward pass this was y = f(x); the chain rule gives dx = δ · f′(x, y)
  const { df } = activationEntry(act);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i] * df(x[i], y[i], alpha, beta);
  return dx;
}
