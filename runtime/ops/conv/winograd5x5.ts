// Winograd F(2×2, 5×5) convolution for ungrouped 5×5, stride-1, undilated
// layers (any padding): 36 products per 2×2 output block and channel pair
// instead of 100. Same scheme (winograd_tiles.ts winogradConv) as winograd3x3.ts with n = 6 transform points
// (0, 1, −1, 2, −2, ∞): V = Bᵀ d B per 6×6 input tile (stride 2), M_ξ =
// U_ξ·V_ξ for the 36 positions ξ, Y = Aᵀ m A. Matrices are exact rationals.
// Layouts: U (36, outC, inC); V (36, tiles, inC); M (36, outC, tiles), all
// Float64Array: every intermediate stays in float64 and each output is
// rounded to f32 once. Shapes: x (N, inC, inH, inW) → y (N, outC, outH, outW).
// Invariant: callers check lengths and useWinograd5(g); scratch grows only.

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import type { ConvGeometry } from "./geometry.ts";
import { winogradConv, winogradFits, type WinogradVariant } from "./winograd_tiles.ts";
import { Scratch } from "../../cpu/scratch.ts";

/** True when the layer qualifies (winogradFits with k = 5). */
export const useWinograd5 = (g: ConvGeometry): boolean => winogradFits(g, 5);

/** U = G g Gᵀ for every (oc, ic): w is (outC, inC, 5, 5) → U (36, outC, inC). */
export function winograd5Weights(g: ConvGeometry, w: Float32Array): Float64Array {
  const { inC, outC } = g;
  const plane = outC * inC;
  const u = new Float64Array(36 * plane);
  const t = new Float64Array(30); // G g: 6×5
  // G rows: 1/4·(1,0,0,0,0) | −1/6·(1,1,1,1,1) | −1/6·(1,−1,1,−1,1) | 1/24·(1,2,4,8,16) |
  // 1/24·(1,−2,4,−8,16) | (0,0,0,0,1); applied along columns, then along rows.
  // The 1-D transforms are small functions called per column/row (cold start:
  // they tier up as whole functions after a few calls; this runs once per load).
  for (let q = 0; q < plane; q++) {
    const s = q * 25;
    for (let j = 0; j < 5; j++) g5Column(w, s + j, t, j);
    for (let i = 0; i < 6; i++) g5Row(t, 5 * i, u, 6 * i * plane + q, plane);
  }
  return u;
}

/** Column j of G g: w[s], w[s+5], …, w[s+20] → t[j], t[5+j], …, t[25+j]. */
function g5Column(w: Float32Array, s: number, t: Float64Array, j: number): void {
  const g0 = w[s], g1 = w[s + 5], g2 = w[s + 10], g3 = w[s + 15], g4 = w[s + 20];
  const ev = g0 + g2 + g4, od = g1 + g3, ev4 = g0 + 4 * g2 + 16 * g4, od4 = 2 * g1 + 8 * g3;
  t[j] = g0 / 4;
  t[5 + j] = -(ev + od) / 6;
  t[10 + j] = -(ev - od) / 6;
  t[15 + j] = (ev4 + od4) / 24;
  t[20 + j] = (ev4 - od4) / 24;
  t[25 + j] = g4;
}

/** Row t[k..k+5) of G g times Gᵀ → u[base + ξ·plane] for the 6 columns ξ of that row. */
function g5Row(t: Float64Array, k: number, u: Float64Array, base: number, plane: number): void {
  const g0 = t[k], g1 = t[k + 1], g2 = t[k + 2], g3 = t[k + 3], g4 = t[k + 4];
  const ev = g0 + g2 + g4, od = g1 + g3, ev4 = g0 + 4 * g2 + 16 * g4, od4 = 2 * g1 + 8 * g3;
  u[base] = g0 / 4;
  u[base + plane] = -(ev + od) / 6;
  u[base + 2 * plane] = -(ev - od) / 6;
  u[base + 3 * plane] = (ev4 + od4) / 24;
  u[base + 4 * plane] = (ev4 - od4) / 24;
  u[base + 5 * plane] = g4;
}

/** Bᵀ d of one 6×6 tile (module-level: no allocation per call). */
const e = new Float64Array(36);

/** F(2×2, 5×5): 6×6 tiles at the points 0, 1, −1, 2, −2, ∞. */
const F2x5: WinogradVariant = {
  a: 6,
  input(d, V, vv, vStride) {
    // e = Bᵀ d, column by column (Bᵀ rows: 4,0,-5,0,1,0 | 0,-4,-4,1,1,0 | 0,4,-4,-1,1,0 |
    // 0,-2,-1,2,1,0 | 0,2,-1,-2,1,0 | 0,4,0,-5,0,1)
    for (let q = 0; q < 6; q++) {
      const d0 = d[q], d1 = d[6 + q], d2 = d[12 + q], d3 = d[18 + q], d4 = d[24 + q], d5 = d[30 + q];
      e[q] = 4 * d0 - 5 * d2 + d4;
      e[6 + q] = d3 + d4 - 4 * (d1 + d2);
      e[12 + q] = d4 - d3 + 4 * (d1 - d2);
      e[18 + q] = d4 - d2 + 2 * (d3 - d1);
      e[24 + q] = d4 - d2 + 2 * (d1 - d3);
      e[30 + q] = 4 * d1 - 5 * d3 + d5;
    }
    // V = e B, row by row (same combinations along the row)
    for (let i = 0; i < 6; i++) {
      const k = 6 * i;
      const d0 = e[k], d1 = e[k + 1], d2 = e[k + 2], d3 = e[k + 3], d4 = e[k + 4], d5 = e[k + 5];
      const base = k * vStride + vv;
      V[base] = 4 * d0 - 5 * d2 + d4;
      V[base + vStride] = d3 + d4 - 4 * (d1 + d2);
      V[base + 2 * vStride] = d4 - d3 + 4 * (d1 - d2);
      V[base + 3 * vStride] = d4 - d2 + 2 * (d3 - d1);
      V[base + 4 * vStride] = d4 - d2 + 2 * (d1 - d3);
      V[base + 5 * vStride] = 4 * d1 - 5 * d3 + d5;
    }
  },
  output(Mb, m, mStride, out) {
    // Aᵀ rows: 1,1,1,1,1,0 | 0,1,-1,2,-2,1; first along columns (p: row 0, q: row 1) ...
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0;
    for (let s = 0; s < 6; s++) {
      const m0 = Mb[s * mStride + m], m1 = Mb[(6 + s) * mStride + m], m2 = Mb[(12 + s) * mStride + m];
      const m3 = Mb[(18 + s) * mStride + m], m4 = Mb[(24 + s) * mStride + m], m5 = Mb[(30 + s) * mStride + m];
      const pv = m0 + m1 + m2 + m3 + m4, qv = m1 - m2 + 2 * (m3 - m4) + m5;
      if (s === 0) p0 = pv, q0 = qv;
      else if (s === 1) p1 = pv, q1 = qv;
      else if (s === 2) p2 = pv, q2 = qv;
      else if (s === 3) p3 = pv, q3 = qv;
      else if (s === 4) p4 = pv, q4 = qv;
      else p5 = pv, q5 = qv;
    }
    // ... then along rows
    out[0] = p0 + p1 + p2 + p3 + p4, out[1] = p1 - p2 + 2 * (p3 - p4) + p5;
    out[2] = q0 + q1 + q2 + q3 + q4, out[3] = q1 - q2 + 2 * (q3 - q4) + q5;
  },
};

type WinogradKernel = LayerKernel<[g: ConvGeometry, u: Float64Array]>;

/** y = act(conv5×5(x) + b) via Winograd; `u` from winograd5Weights; act = relu when `relu`. */
export const conv2dWinograd5: WinogradKernel = (g, u, b, x, batch, y, relu, scratch = new Scratch()) =>
  winogradConv(F2x5, g, u, b, x, batch, y, relu, scratch);
