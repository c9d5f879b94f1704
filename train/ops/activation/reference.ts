// Float64 reference activations and their derivatives.
// Shapes: x, y, dy, dx are (N, C, spatial) flattened; softmax runs over C at
// each (n, spatial) position, the others are elementwise.
//   relu' = [x > 0]; leakyrelu' = x > 0 ? 1 : α; elu' = x > 0 ? 1 : y + α;
//   sigmoid' = y(1 − y); tanh' = 1 − y²; softmax: dx = y ⊙ (δ − Σ_c δ·y).
// Invariants: sigmoid and softmax are overflow-free for any finite input.

import type { ActivationType } from "../../../runtime/spec.ts";

export function actForward64(
  act: ActivationType,
  alpha: number,
  c: number,
  spatial: number,
  x: Float64Array,
  batch: number,
): Float64Array {
  const y = new Float64Array(x.length);
  const len = x.length;
  switch (act) {
    case "relu":
      for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : 0;
      break;
    case "leakyrelu":
      for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
      break;
    case "elu":
      for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
      break;
    case "sigmoid":
      for (let i = 0; i < len; i++) {
        const v = x[i];
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          y[i] = e / (1 + e);
        }
      }
      break;
    case "tanh":
      for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]);
      break;
    case "softmax":
      for (let n = 0; n < batch; n++) {
        for (let s = 0; s < spatial; s++) {
          const p = n * c * spatial + s;
          let m = -Infinity;
          for (let k = 0; k < c; k++) m = Math.max(m, x[p + k * spatial]);
          let sum = 0;
          for (let k = 0; k < c; k++) {
            const e = Math.exp(x[p + k * spatial] - m);
            y[p + k * spatial] = e;
            sum += e;
          }
          for (let k = 0; k < c; k++) y[p + k * spatial] /= sum;
        }
      }
      break;
    default:
      throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
  }
  return y;
}

export function actBackward64(
  act: ActivationType,
  alpha: number,
  c: number,
  spatial: number,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
  batch: number,
): Float64Array {
  const dx = new Float64Array(x.length);
  const len = x.length;
  switch (act) {
    case "relu":
      for (let i = 0; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      break;
    case "leakyrelu":
      for (let i = 0; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
      break;
    case "elu":
      for (let i = 0; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
      break;
    case "sigmoid":
      for (let i = 0; i < len; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case "tanh":
      for (let i = 0; i < len; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case "softmax":
      for (let n = 0; n < batch; n++) {
        for (let s = 0; s < spatial; s++) {
          const p = n * c * spatial + s;
          let dot = 0;
          for (let k = 0; k < c; k++) dot += dy[p + k * spatial] * y[p + k * spatial];
          for (let k = 0; k < c; k++) {
            const i = p + k * spatial;
            dx[i] = y[i] * (dy[i] - dot);
          }
        }
      }
      break;
    default:
      throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
  }
  return dx;
}
