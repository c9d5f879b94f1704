// Register-blocked C = act(bias + A·B) for the CPU training kernels, the "NN"
// form that runtime/cpu/gemm.ts (A·Btᵀ) lacks: A (M, K) and B (K, N) both
// row-major, so conv forward W·col and dX's Wᵀ·δ use col and δ as stored (no
// per-sample transposes). 4×4 output blocks with 16 float64 accumulators
// (JS numbers), summed over k in order 0…K−1, rounded to f32 once on store;
// missing rows of the last row block reuse row 0 (computed, never stored);
// leftover columns use 4×1 blocks. Output (i, j) goes to c[cOff + i·ldc + j].
// Invariants: callers have checked every length; no allocation.

/**
 * c[cOff + i·ldc + j] = act(bias[i] + Σ_k a[aOff + i·K + k]·b[bOff + k·ldb + j]) for i < M, j < N;
 * act = ReLU when `relu`; `bias` may be null (bias[bias0 + i] otherwise).
 */
export function gemmNN(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  bias: Float32Array | null,
  bias0: number,
  relu: boolean,
  c: Float32Array,
  cOff: number,
  ldc: number,
): void {
  const N4 = N & ~3;
  for (let i = 0; i < M; i += 4) {
    const rows = M - i < 4 ? M - i : 4;
    const a0 = aOff + i * K;
    const a1 = rows > 1 ? a0 + K : a0, a2 = rows > 2 ? a0 + 2 * K : a0, a3 = rows > 3 ? a0 + 3 * K : a0;
    const z0 = bias === null ? 0 : bias[bias0 + i];
    const z1 = bias === null || rows < 2 ? 0 : bias[bias0 + i + 1];
    const z2 = bias === null || rows < 3 ? 0 : bias[bias0 + i + 2];
    const z3 = bias === null || rows < 4 ? 0 : bias[bias0 + i + 3];
    const r0 = cOff + i * ldc;
    for (let j = 0; j < N4; j += 4) {
      let c00 = z0, c01 = z0, c02 = z0, c03 = z0;
      let c10 = z1, c11 = z1, c12 = z1, c13 = z1;
      let c20 = z2, c21 = z2, c22 = z2, c23 = z2;
      let c30 = z3, c31 = z3, c32 = z3, c33 = z3;
      let bp = bOff + j;
      for (let k = 0; k < K; k++, bp += ldb) {
        const x0 = a[a0 + k], x1 = a[a1 + k], x2 = a[a2 + k], x3 = a[a3 + k];
        const y0 = b[bp], y1 = b[bp + 1], y2 = b[bp + 2], y3 = b[bp + 3];
        c00 += x0 * y0, c01 += x0 * y1, c02 += x0 * y2, c03 += x0 * y3;
        c10 += x1 * y0, c11 += x1 * y1, c12 += x1 * y2, c13 += x1 * y3;
        c20 += x2 * y0, c21 += x2 * y1, c22 += x2 * y2, c23 += x2 * y3;
        c30 += x3 * y0, c31 += x3 * y1, c32 += x3 * y2, c33 += x3 * y3;
      }
      if (relu) {
        c00 = c00 > 0 ? c00 : 0, c01 = c01 > 0 ? c01 : 0, c02 = c02 > 0 ? c02 : 0, c03 = c03 > 0 ? c03 : 0;
        c10 = c10 > 0 ? c10 : 0, c11 = c11 > 0 ? c11 : 0, c12 = c12 > 0 ? c12 : 0, c13 = c13 > 0 ? c13 : 0;
        c20 = c20 > 0 ? c20 : 0, c21 = c21 > 0 ? c21 : 0, c22 = c22 > 0 ? c22 : 0, c23 = c23 > 0 ? c23 : 0;
        c30 = c30 > 0 ? c30 : 0, c31 = c31 > 0 ? c31 : 0, c32 = c32 > 0 ? c32 : 0, c33 = c33 > 0 ? c33 : 0;
      }
      let o = r0 + j;
      c[o] = c00, c[o + 1] = c01, c[o + 2] = c02, c[o + 3] = c03;
      if (rows > 1) {
        o += ldc;
        c[o] = c10, c[o + 1] = c11, c[o + 2] = c12, c[o + 3] = c13;
      }
      if (rows > 2) {
        o += ldc;
        c[o] = c20, c[o + 1] = c21, c[o + 2] = c22, c[o + 3] = c23;
      }
      if (rows > 3) {
        o += ldc;
        c[o] = c30, c[o + 1] = c31, c[o + 2] = c32, c[o + 3] = c33;
      }
    }
    for (let j = N4; j < N; j++) { // leftover columns: 4×1
      let c0 = z0, c1 = z1, c2 = z2, c3 = z3;
      let bp = bOff + j;
      for (let k = 0; k < K; k++, bp += ldb) {
        const y = b[bp];
        c0 += a[a0 + k] * y, c1 += a[a1 + k] * y, c2 += a[a2 + k] * y, c3 += a[a3 + k] * y;
      }
      if (relu) c0 = c0 > 0 ? c0 : 0, c1 = c1 > 0 ? c1 : 0, c2 = c2 > 0 ? c2 : 0, c3 = c3 > 0 ? c3 : 0;
      const o = r0 + j;
      c[o] = c0;
      if (rows > 1) c[o + ldc] = c1;
      if (rows > 2) c[o + 2 * ldc] = c2;
      if (rows > 3) c[o + 3 * ldc] = c3;
    }
  }
}
