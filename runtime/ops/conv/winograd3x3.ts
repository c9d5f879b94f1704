// Winograd F(2×2, 3×3) convolution for ungrouped 3×3, stride-1, undilated
// layers (any padding): 2.25× fewer multiplications than direct/im2col.
// Per sample: input tiles d (4×4, stride 2) → V = Bᵀ d B; for each of the 16
// transform positions ξ, M_ξ (outC, tiles) = U_ξ (outC, inC) · V_ξ; output
// 2×2 blocks Y = Aᵀ m A (+ bias, optional fused ReLU). U = G g Gᵀ comes from
// winogradWeights (the executor computes it once at load); the loop over
// tiles, the gemm and the scratch are winograd_tiles.ts winogradConv, shared
// with winograd5x5.ts: this file holds the F(2×2,3×3) transforms.
// Layouts: U (16, outC, inC); V (16, tiles, inC); M (16, outC, tiles), all
// Float64Array so every intermediate stays in float64 and each output is
// rounded to f32 once (same accuracy contract as conv_direct.ts).
// Shapes: x (N, inC, inH, inW) → y (N, outC, outH, outW).
// Invariant: callers check lengths and useWinograd(g); scratch grows only.

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import type { ConvGeometry } from "./geometry.ts";
import { winogradConv, winogradFits, type WinogradVariant } from "./winograd_tiles.ts";
import { Scratch } from "../../cpu/scratch.ts";

/** True when the layer qualifies (winogradFits with k = 3). */
export const useWinograd = (g: ConvGeometry): boolean => winogradFits(g, 3);

/** U = G g Gᵀ for every (oc, ic): w is (outC, inC, 3, 3) → U (16, outC, inC). */
export function winogradWeights(g: ConvGeometry, w: Float32Array): Float64Array {
  const { inC, outC } = g;
  const plane = outC * inC;
  const u = new Float64Array(16 * plane);
  const t = new Float64Array(12);
  // one small call per (oc, ic) pair (cold start: whole-function tier-up, no loop OSR)
  for (let q = 0; q < plane; q++) weightPair(w, q * 9, t, u, q, plane);
  return u;
}

/** U[·][q] = G g Gᵀ of the 3×3 kernel at w[s..s+9); t is 12 floats of scratch. */
function weightPair(
  w: Float32Array,
  s: number,
  t: Float64Array,
  u: Float64Array,
  q: number,
  plane: number,
): void {
  // t = G g (4×3)
  for (let j = 0; j < 3; j++) {
    const a = w[s + j], b = w[s + 3 + j], d = w[s + 6 + j];
    t[j] = a;
    t[3 + j] = (a + b + d) * 0.5;
    t[6 + j] = (a - b + d) * 0.5;
    t[9 + j] = d;
  }
  // U = t Gᵀ (4×4)
  for (let i = 0; i < 4; i++) {
    const a = t[3 * i], b = t[3 * i + 1], d = t[3 * i + 2];
    u[(4 * i) * plane + q] = a;
    u[(4 * i + 1) * plane + q] = (a + b + d) * 0.5;
    u[(4 * i + 2) * plane + q] = (a - b + d) * 0.5;
    u[(4 * i + 3) * plane + q] = d;
  }
}

/** F(2×2, 3×3): 4×4 tiles, Bᵀ = (1,0,−1,0 | 0,1,1,0 | 0,−1,1,0 | 0,1,0,−1), Aᵀ = (1,1,1,0 | 0,1,−1,−1). */
const F2x3: WinogradVariant = {
  a: 4,
  input(d, V, v, vStride) {
    for (let s = 0; s < 4; s++) {
      // column s of Bᵀ d
      const e0 = d[s] - d[8 + s], e1 = d[4 + s] + d[8 + s];
      const e2 = d[8 + s] - d[4 + s], e3 = d[4 + s] - d[12 + s];
      d[s] = e0, d[4 + s] = e1, d[8 + s] = e2, d[12 + s] = e3;
    }
    for (let r = 0; r < 4; r++) {
      const a0 = d[4 * r], a1 = d[4 * r + 1], a2 = d[4 * r + 2], a3 = d[4 * r + 3];
      V[(4 * r) * vStride + v] = a0 - a2;
      V[(4 * r + 1) * vStride + v] = a1 + a2;
      V[(4 * r + 2) * vStride + v] = a2 - a1;
      V[(4 * r + 3) * vStride + v] = a1 - a3;
    }
  },
  output(Mb, m, mStride, out) {
    const m0 = Mb[m], m1 = Mb[mStride + m], m2 = Mb[2 * mStride + m], m3 = Mb[3 * mStride + m];
    const m4 = Mb[4 * mStride + m], m5 = Mb[5 * mStride + m], m6 = Mb[6 * mStride + m];
    const m7 = Mb[7 * mStride + m], m8 = Mb[8 * mStride + m], m9 = Mb[9 * mStride + m];
    const m10 = Mb[10 * mStride + m], m11 = Mb[11 * mStride + m], m12 = Mb[12 * mStride + m];
    const m13 = Mb[13 * mStride + m], m14 = Mb[14 * mStride + m], m15 = Mb[15 * mStride + m];
    // rows of Aᵀ m: r0 = m0 + m1 + m2 (row-wise), r1 = m1 - m2 - m3
    const p0 = m0 + m4 + m8, p1 = m1 + m5 + m9, p2 = m2 + m6 + m10, p3 = m3 + m7 + m11;
    const q0 = m4 - m8 - m12, q1 = m5 - m9 - m13, q2 = m6 - m10 - m14, q3 = m7 - m11 - m15;
    // then along columns: the 2×2 block Aᵀ m A
    out[0] = p0 + p1 + p2, out[1] = p1 - p2 - p3;
    out[2] = q0 + q1 + q2, out[3] = q1 - q2 - q3;
  },
};

type WinogradKernel = LayerKernel<[g: ConvGeometry, u: Float64Array]>;

/** y = act(conv3×3(x) + b) via Winograd; `u` from winogradWeights; act = relu when `relu`. */
export const conv2dWinograd: WinogradKernel = (g, u, b, x, batch, y, relu, scratch = new Scratch()) =>
  winogradConv(F2x3, g, u, b, x, batch, y, relu, scratch);
