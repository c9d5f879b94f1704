// Float64 reference of lrn (local response normalisation across channels),
// forward and backward side by side. Shapes: x, y, dy, dx (N, C, spatial).
// In the forward pass s_c = bias + k·Σ_{j∈W(c)} x_j² (k = alpha/size, W(c) the
// channel window [c − before, c + after]) and y_c = x_c·s_c^(−β). Then
//   dx_m = δ_m·s_m^(−β) − 2kβ·x_m·Σ_{c : m∈W(c)} δ_c·x_c·s_c^(−β−1),
// where m ∈ W(c) ⇔ c ∈ [m − after, m + before].

import type { LayerOf } from "../../../runtime/ops/op_entry.ts";
import { lrnWindow, windowSquares } from "../../../runtime/ops/lrn/cpu.ts";

/** s_c at every value, float64. */
function bases(l: LayerOf<"lrn">, x: Float64Array, batch: number): Float64Array {
  const { c, spatial, size, alpha, bias } = l;
  const [before, after] = lrnWindow(size);
  const s = new Float64Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let p = 0; p < spatial; p++) {
      const base = n * c * spatial + p;
      for (let ch = 0; ch < c; ch++) {
        s[base + ch * spatial] = bias +
          (alpha / size) * windowSquares(x, base, ch, c, spatial, before, after);
      }
    }
  }
  return s;
}

/** y = lrn(x), float64. */
export function lrnForward64(l: LayerOf<"lrn">, x: Float64Array, batch: number): Float64Array {
  const s = bases(l, x, batch);
  return x.map((v, i) => v * s[i] ** -l.beta);
}

/** dx from dy, float64. */
export function lrnBackward64(
  l: LayerOf<"lrn">,
  x: Float64Array,
  dy: Float64Array,
  batch: number,
): Float64Array {
  const { c, spatial, size, alpha, beta } = l;
  const [before, after] = lrnWindow(size);
  const s = bases(l, x, batch);
  const dx = new Float64Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let p = 0; p < spatial; p++) {
      const base = n * c * spatial + p;
      for (let m = 0; m < c; m++) {
        const at = base + m * spatial;
        let acc = 0;
        for (let ch = Math.max(0, m - after); ch <= Math.min(c - 1, m + before); ch++) {
          const j = base + ch * spatial;
          acc += dy[j] * x[j] * s[j] ** (-beta - 1);
        }
        dx[at] = dy[at] * s[at] ** -beta - 2 * (alpha / size) * beta * x[at] * acc;
      }
    }
  }
  return dx;
}
