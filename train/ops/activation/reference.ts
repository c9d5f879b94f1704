// Float64 reference activations and their derivatives.
// Shapes: x, y, dy, dx are (N, C, spatial) flattened; softmax runs over C at
// each (n, spatial) position, the others are elementwise.
//   relu' = [x > 0]; leakyrelu' = x > 0 ? 1 : α; elu' = x > 0 ? 1 : y + α;
//   sigmoid' = y(1 − y); tanh' = 1 − y²; softmax: dx = y ⊙ (δ − Σ_c δ·y);
//   clip(α, β)' = [α ≤ x ≤ β]; hardswish = x·min(max(x + 3, 0), 6)/6 with
//   hardswish' = 0 for x ≤ −3, (2x + 3)/6 for x < 3, else 1 (PyTorch's);
//   identity' = 1.
// Invariants: sigmoid and softmax are overflow-free for any finite input.

import type { ActivationType, ActParams } from "../../../runtime/format/spec.ts";

/** Each elementwise activation as f(x) and its derivative f′(x, y = f(x)), side by side (α, β: alpha, beta). */
const ELEMENTWISE: Record<Exclude<ActivationType, "softmax">, {
  f: (x: number, a: number, b: number) => number;
  df: (x: number, y: number, a: number, b: number) => number;
}> = {
  relu: { f: (x) => x > 0 ? x : 0, df: (x) => x > 0 ? 1 : 0 },
  leakyrelu: { f: (x, a) => x > 0 ? x : a * x, df: (x, _y, a) => x > 0 ? 1 : a },
  elu: { f: (x, a) => x > 0 ? x : a * Math.expm1(x), df: (x, y, a) => x > 0 ? 1 : y + a },
  // two forms so exp never overflows
  sigmoid: {
    f: (x) => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
    df: (_x, y) => y * (1 - y),
  },
  tanh: { f: Math.tanh, df: (_x, y) => 1 - y * y },
  clip: { f: (x, a, b) => Math.min(Math.max(x, a), b), df: (x, _y, a, b) => x >= a && x <= b ? 1 : 0 },
  hardswish: {
    f: (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6,
    df: (x) => x <= -3 ? 0 : x < 3 ? (2 * x + 3) / 6 : 1,
  },
  // hardsigmoid = max(0, min(1, αx + β)), hardsigmoid' = α inside (0, 1), 0 where clamped
  hardsigmoid: {
    f: (x, a, b) => Math.min(Math.max(a * x + b, 0), 1),
    df: (x, _y, a, b) => a * x + b > 0 && a * x + b < 1 ? a : 0,
  },
  identity: { f: (x) => x, df: () => 1 },
};

/** Calls `f` with the indices of the c channel values at each (sample, position): the vectors softmax normalises. */
function forEachColumn(c: number, spatial: number, batch: number, f: (idx: number[]) => void): void {
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < spatial; s++) f(Array.from({ length: c }, (_, k) => (n * c + k) * spatial + s));
  }
}

/** y = act(x), float64. */
export function actForward64(l: ActParams, x: Float64Array, batch: number): Float64Array {
  const { act, alpha, beta, c, spatial } = l;
  const y = new Float64Array(x.length);
  if (act === "softmax") {
    forEachColumn(c, spatial, batch, (idx) => {
      const m = idx.reduce((a, i) => Math.max(a, x[i]), -Infinity); // subtracting the max keeps exp ≤ 1
      const sum = idx.reduce((s, i) => s + Math.exp(x[i] - m), 0);
      for (const i of idx) y[i] = Math.exp(x[i] - m) / sum;
    });
    return y;
  }
  const e = ELEMENTWISE[act];
  if (!e) throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
  for (let i = 0; i < x.length; i++) y[i] = e.f(x[i], alpha, beta);
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
  const dx = new Float64Array(x.length);
  if (act === "softmax") {
    forEachColumn(c, spatial, batch, (idx) => {
      const dot = idx.reduce((s, i) => s + dy[i] * y[i], 0);
      for (const i of idx) dx[i] = y[i] * (dy[i] - dot);
    });
    return dx;
  }
  const e = ELEMENTWISE[act];
  if (!e) throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i] * e.df(x[i], y[i], alpha, beta);
  return dx;
}
