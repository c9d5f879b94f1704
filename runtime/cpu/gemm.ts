// Register-blocked matrix product for the CPU kernels (conv via im2col, dense).
// Computes C = act(bias + A·B) with A (M,K) and B (K,N) both packed into
// 4-wide panels: A as (ceil(M/4), K, 4) with zero rows past M, B as
// (ceil(N/4), K, 4) (columns past N are never read). Output element (i, j)
// is written to c[cOff + i*rs + j*cs], so the caller picks the layout
// (conv: (M=outC, N=pixels) row-major; dense: transposed into (N, outF)).
// Invariants: sums run in float64 (JS numbers) and are rounded to f32 once
// on store; callers have checked every length; no allocation.

/**
 * Pack rows of src (M rows of K, row stride `ld`) into (ceil(M/4), K, 4) panels;
 * rows ≥ M are zeroed when `zeroPad` (needed for A, not for B).
 */
export function packPanels(
  src: Float32Array,
  srcOff: number,
  M: number,
  K: number,
  ld: number,
  dst: Float32Array,
  zeroPad: boolean,
): Float32Array {
  const Mp = (M + 3) & ~3;
  for (let i = 0; i < Mp; i++) {
    const base = (i >> 2) * K * 4 + (i & 3);
    if (i < M) {
      const s = srcOff + i * ld;
      for (let k = 0; k < K; k++) dst[base + 4 * k] = src[s + k];
    } else if (zeroPad) {
      for (let k = 0; k < K; k++) dst[base + 4 * k] = 0;
    }
  }
  return dst;
}

/** Length of a (ceil(rows/4), K, 4) panel buffer. */
export function panelLength(rows: number, K: number): number {
  return ((rows + 3) & ~3) * K;
}

/**
 * c[cOff + i*rs + j*cs] = act(bias[i] + Σ_k A[i,k]·B[k,j]) for i < M, j < N,
 * act = relu when `relu`, identity otherwise. `bias` may be null.
 */
export function gemmPacked(
  ap: Float32Array,
  bp: Float32Array,
  M: number,
  N: number,
  K: number,
  bias: Float32Array | null,
  relu: boolean,
  c: Float32Array,
  cOff: number,
  rs: number,
  cs: number,
): void {
  const N4 = N & ~3;
  const K4 = 4 * K;
  for (let i = 0; i < M; i += 4) {
    const aBase = i * K;
    const aEnd = aBase + K4;
    const rows = M - i < 4 ? M - i : 4;
    const z0 = bias === null ? 0 : bias[i];
    const z1 = bias === null || rows < 2 ? 0 : bias[i + 1];
    const z2 = bias === null || rows < 3 ? 0 : bias[i + 2];
    const z3 = bias === null || rows < 4 ? 0 : bias[i + 3];
    const r0 = cOff + i * rs;
    for (let j = 0; j < N4; j += 4) {
      let c00 = z0, c01 = z0, c02 = z0, c03 = z0;
      let c10 = z1, c11 = z1, c12 = z1, c13 = z1;
      let c20 = z2, c21 = z2, c22 = z2, c23 = z2;
      let c30 = z3, c31 = z3, c32 = z3, c33 = z3;
      let pb = j * K;
      for (let pa = aBase; pa < aEnd; pa += 4, pb += 4) {
        const a0 = ap[pa], a1 = ap[pa + 1], a2 = ap[pa + 2], a3 = ap[pa + 3];
        const b0 = bp[pb], b1 = bp[pb + 1], b2 = bp[pb + 2], b3 = bp[pb + 3];
        c00 += a0 * b0, c01 += a0 * b1, c02 += a0 * b2, c03 += a0 * b3;
        c10 += a1 * b0, c11 += a1 * b1, c12 += a1 * b2, c13 += a1 * b3;
        c20 += a2 * b0, c21 += a2 * b1, c22 += a2 * b2, c23 += a2 * b3;
        c30 += a3 * b0, c31 += a3 * b1, c32 += a3 * b2, c33 += a3 * b3;
      }
      if (relu) {
        c00 = c00 > 0 ? c00 : 0, c01 = c01 > 0 ? c01 : 0, c02 = c02 > 0 ? c02 : 0, c03 = c03 > 0 ? c03 : 0;
        c10 = c10 > 0 ? c10 : 0, c11 = c11 > 0 ? c11 : 0, c12 = c12 > 0 ? c12 : 0, c13 = c13 > 0 ? c13 : 0;
        c20 = c20 > 0 ? c20 : 0, c21 = c21 > 0 ? c21 : 0, c22 = c22 > 0 ? c22 : 0, c23 = c23 > 0 ? c23 : 0;
        c30 = c30 > 0 ? c30 : 0, c31 = c31 > 0 ? c31 : 0, c32 = c32 > 0 ? c32 : 0, c33 = c33 > 0 ? c33 : 0;
      }
      let o = r0 + j * cs;
      c[o] = c00, c[o + cs] = c01, c[o + 2 * cs] = c02, c[o + 3 * cs] = c03;
      if (rows > 1) {
        o += rs;
        c[o] = c10, c[o + cs] = c11, c[o + 2 * cs] = c12, c[o + 3 * cs] = c13;
      }
      if (rows > 2) {
        o += rs;
        c[o] = c20, c[o + cs] = c21, c[o + 2 * cs] = c22, c[o + 3 * cs] = c23;
      }
      if (rows > 3) {
        o += rs;
        c[o] = c30, c[o + cs] = c31, c[o + 2 * cs] = c32, c[o + 3 * cs] = c33;
      }
    }
    // leftover columns (N not a multiple of 4): 4×1 blocks reading one lane of the last panel
    for (let j = N4; j < N; j++) {
      let c0 = z0, c1 = z1, c2 = z2, c3 = z3;
      let pb = N4 * K + (j - N4);
      for (let pa = aBase; pa < aEnd; pa += 4, pb += 4) {
        const b = bp[pb];
        c0 += ap[pa] * b, c1 += ap[pa + 1] * b, c2 += ap[pa + 2] * b, c3 += ap[pa + 3] * b;
      }
      if (relu) c0 = c0 > 0 ? c0 : 0, c1 = c1 > 0 ? c1 : 0, c2 = c2 > 0 ? c2 : 0, c3 = c3 > 0 ? c3 : 0;
      const o = r0 + j * cs;
      c[o] = c0;
      if (rows > 1) c[o + rs] = c1;
      if (rows > 2) c[o + 2 * rs] = c2;
      if (rows > 3) c[o + 3 * rs] = c3;
    }
  }
}
