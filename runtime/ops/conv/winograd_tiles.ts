// The Winograd F(2×2, r×r) convolution both variants (winograd3x3.ts
// F(2×2,3×3), winograd5x5.ts F(2×2,5×5)) run with their own transforms
// (winogradConv, a WinogradVariant each), and its pieces: the float64 batched
// gemm of the transform positions, the grow-only V/M scratch, gathering one
// zero-padded input tile and storing one 2×2 output block (bias, optional
// ReLU, clipped at the right/bottom edge).
// Layouts: U (P, outC, inC); V (P, tiles, inC); M (P, outC, tiles) for P
// transform positions (16 or 36), all Float64Array.
// Invariants: callers have checked lengths; the scratch is module-level and
// comes from the caller's Scratch (no per-call allocation once warm);
// the helpers are small so V8 inlines them into the kernels' loops.

import type { Scratch } from "../../cpu/scratch.ts";
import type { ConvGeometry } from "./geometry.ts";

/** True when Winograd F(2×2, k×k) fits the layer: k×k, stride 1, dilation 1, groups 1, ≥ 3 input channels (from RGB up it beats im2col here). */
export function winogradFits(g: ConvGeometry, k: number): boolean {
  return g.groups === 1 && g.kh === k && g.kw === k && g.sh === 1 && g.sw === 1 && g.dh === 1 &&
    g.dw === 1 && g.inC >= 3;
}

/** What one Winograd F(2×2, r×r) variant brings to winogradConv: its tile side and its two transforms. */
export interface WinogradVariant {
  /** input tile side a = r + 1 (a² transform positions ξ) */
  a: number;
  /** V[ξ·vStride + v] = (Bᵀ d B)_ξ of the a×a tile d (row-major; d may be overwritten) */
  input(d: Float64Array, V: Float64Array, v: number, vStride: number): void;
  /** the 2×2 block Aᵀ m A of m_ξ = M[ξ·mStride + m] into out[0..4) (row-major) */
  output(M: Float64Array, m: number, mStride: number, out: Float64Array): void;
}

/** One input tile and one output block (module-level: no allocation per call). */
const tile = new Float64Array(36), block = new Float64Array(4);

/**
 * y = act(conv(x) + b) by Winograd F(2×2, r×r): per sample, input tiles
 * (stride 2) → V = Bᵀ d B; for each transform position ξ, M_ξ (outC, tiles)
 * = U_ξ (outC, inC) · V_ξ; output 2×2 blocks Y = Aᵀ m A (+ bias, ReLU when
 * `relu`). `u` is the variant's U (a², outC, inC). x is (N, inC, inH, inW),
 * y (N, outC, outH, outW); stride 1, undilated, ungrouped, any padding.
 */
export function winogradConv(
  variant: WinogradVariant,
  g: ConvGeometry,
  u: Float64Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  relu: boolean,
  scratch: Scratch,
): Float32Array {
  const { pt, pl, inC, inH, inW, outC, outH, outW } = g;
  const a = variant.a, points = a * a;
  const tH = (outH + 1) >> 1, tW = (outW + 1) >> 1;
  const T = tH * tW;
  const { V, M } = winogradScratch(scratch, points, T, inC, outC);
  const vStride = T * inC, mStride = outC * T, uStride = outC * inC;
  const inPlane = inH * inW, outPlane = outH * outW;
  for (let n = 0; n < batch; n++) {
    for (let ty = 0; ty < tH; ty++) {
      for (let tx = 0; tx < tW; tx++) {
        const t = ty * tW + tx;
        for (let c = 0; c < inC; c++) {
          gatherTile(x, (n * inC + c) * inPlane, 2 * ty - pt, 2 * tx - pl, inH, inW, a, tile);
          variant.input(tile, V, t * inC + c, vStride);
        }
      }
    }
    for (let xi = 0; xi < points; xi++) {
      gemm64(u, xi * uStride, V, xi * vStride, outC, T, inC, M, xi * mStride);
    }
    for (let o = 0; o < outC; o++) {
      const bias = b === null ? 0 : b[o];
      const yo = (n * outC + o) * outPlane;
      for (let ty = 0; ty < tH; ty++) {
        for (let tx = 0; tx < tW; tx++) {
          variant.output(M, o * T + ty * tW + tx, mStride, block);
          storeBlock(y, yo, 2 * ty, 2 * tx, outH, outW, bias, relu, block[0], block[1], block[2], block[3]);
        }
      }
    }
  }
  return y;
}

/** c[cOff + i*N + j] = Σ_k a[aOff + i*K + k]·bt[bOff + j*K + k] for i < M, j < N (float64, 4×4 blocks). */
export function gemm64(
  a: Float64Array,
  aOff: number,
  bt: Float64Array,
  bOff: number,
  M: number,
  N: number,
  K: number,
  c: Float64Array,
  cOff: number,
): void {
  // one call of the small rows64 per 4-row strip: V8 optimizes it as a whole
  // function after a few calls (cold start) instead of OSR-ing a long k-loop
  for (let i = 0; i < M; i += 4) {
    const rows = M - i < 4 ? M - i : 4;
    rows64(a, aOff + i * K, bt, bOff, N, K, c, cOff + i * N, rows);
  }
}

/** Rows a0.. (rows ≤ 4; missing rows computed from duplicated streams, never stored) × all N columns. */
function rows64(
  a: Float64Array,
  a0: number,
  bt: Float64Array,
  bOff: number,
  N: number,
  K: number,
  c: Float64Array,
  r0: number,
  rows: number,
): void {
  const a1 = rows > 1 ? a0 + K : a0, a2 = rows > 2 ? a0 + 2 * K : a0, a3 = rows > 3 ? a0 + 3 * K : a0;
  for (let j = 0; j < N; j += 4) {
    const cols = N - j < 4 ? N - j : 4;
    const b0 = bOff + j * K;
    const b1 = cols > 1 ? b0 + K : b0, b2 = cols > 2 ? b0 + 2 * K : b0, b3 = cols > 3 ? b0 + 3 * K : b0;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let k = 0; k < K; k++) {
      const x0 = a[a0 + k], x1 = a[a1 + k], x2 = a[a2 + k], x3 = a[a3 + k];
      const y0 = bt[b0 + k], y1 = bt[b1 + k], y2 = bt[b2 + k], y3 = bt[b3 + k];
      c00 += x0 * y0, c01 += x0 * y1, c02 += x0 * y2, c03 += x0 * y3;
      c10 += x1 * y0, c11 += x1 * y1, c12 += x1 * y2, c13 += x1 * y3;
      c20 += x2 * y0, c21 += x2 * y1, c22 += x2 * y2, c23 += x2 * y3;
      c30 += x3 * y0, c31 += x3 * y1, c32 += x3 * y2, c33 += x3 * y3;
    }
    // missing rows/columns were computed from duplicated streams; store only real ones
    const r = r0 + j;
    c[r] = c00;
    if (cols > 1) c[r + 1] = c01;
    if (cols > 2) c[r + 2] = c02;
    if (cols > 3) c[r + 3] = c03;
    if (rows > 1) {
      c[r + N] = c10;
      if (cols > 1) c[r + N + 1] = c11;
      if (cols > 2) c[r + N + 2] = c12;
      if (cols > 3) c[r + N + 3] = c13;
    }
    if (rows > 2) {
      c[r + 2 * N] = c20;
      if (cols > 1) c[r + 2 * N + 1] = c21;
      if (cols > 2) c[r + 2 * N + 2] = c22;
      if (cols > 3) c[r + 2 * N + 3] = c23;
    }
    if (rows > 3) {
      c[r + 3 * N] = c30;
      if (cols > 1) c[r + 3 * N + 1] = c31;
      if (cols > 2) c[r + 3 * N + 2] = c32;
      if (cols > 3) c[r + 3 * N + 3] = c33;
    }
  }
}

/** V (points·tiles·inC) and M (points·outC·tiles) from `scratch`. */
export function winogradScratch(
  scratch: Scratch,
  points: number,
  tiles: number,
  inC: number,
  outC: number,
): { V: Float64Array; M: Float64Array } {
  return {
    V: scratch.f64("winograd V", points * tiles * inC),
    M: scratch.f64("winograd M", points * outC * tiles),
  };
}

/**
 * d[s·r + c] = x[xc + (iy0 + r)·inW + ix0 + c] for the s×s tile at (iy0, ix0)
 * of the (inH, inW) plane starting at x[xc]; 0 outside the plane (padding).
 */
export function gatherTile(
  x: Float32Array,
  xc: number,
  iy0: number,
  ix0: number,
  inH: number,
  inW: number,
  s: number,
  d: Float64Array,
): void {
  for (let r = 0; r < s; r++) {
    const iy = iy0 + r;
    const inside = iy >= 0 && iy < inH;
    const row = xc + iy * inW;
    for (let c = 0; c < s; c++) {
      const ix = ix0 + c;
      d[s * r + c] = inside && ix >= 0 && ix < inW ? x[row + ix] : 0;
    }
  }
}

/**
 * Store the 2×2 output block (y00 y01 / y10 y11) + bias at (oy, ox) of the
 * (outH, outW) plane starting at y[yo], ReLU'd when `relu`; cells past the
 * right or bottom edge (odd output sizes) are dropped.
 */
export function storeBlock(
  y: Float32Array,
  yo: number,
  oy: number,
  ox: number,
  outH: number,
  outW: number,
  bias: number,
  relu: boolean,
  y00: number,
  y01: number,
  y10: number,
  y11: number,
): void {
  y00 += bias, y01 += bias, y10 += bias, y11 += bias;
  if (relu) {
    y00 = y00 > 0 ? y00 : 0, y01 = y01 > 0 ? y01 : 0, y10 = y10 > 0 ? y10 : 0, y11 = y11 > 0 ? y11 : 0;
  }
  const r0 = yo + oy * outW + ox;
  y[r0] = y00;
  if (ox + 1 < outW) y[r0 + 1] = y01;
  if (oy + 1 < outH) {
    y[r0 + outW] = y10;
    if (ox + 1 < outW) y[r0 + outW + 1] = y11;
  }
}
