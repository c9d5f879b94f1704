// Single-core ceiling for pure TypeScript: a 4×4 register-blocked f32 matmul
// C(M,N) = A(M,K)·B(K,N), with A given transposed (K,M) so the four A values
// of one k are adjacent. Reports GFLOP/s (2·M·N·K per call), median of reps.
// Usage: deno run bench/matmul_cpu.ts [--quick]   (prints one JSON line)

/**
 * c (M,N) = A·B in 4×4 register blocks, M and N multiples of 4: the four A
 * values of block row i at step k are a[i·ai + k·sa + 0..3], the four B
 * values of block column j are b[j·bj + k·sb + 0..3].
 */
function blocked4x4(
  a: Float32Array,
  ai: number,
  sa: number,
  b: Float32Array,
  bj: number,
  sb: number,
  c: Float32Array,
  M: number,
  N: number,
  K: number,
) {
  for (let i = 0; i < M; i += 4) {
    for (let j = 0; j < N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = i * ai, pb = j * bj;
      for (let k = 0; k < K; k++, pa += sa, pb += sb) {
        const a0 = a[pa], a1 = a[pa + 1], a2 = a[pa + 2], a3 = a[pa + 3];
        const b0 = b[pb], b1 = b[pb + 1], b2 = b[pb + 2], b3 = b[pb + 3];
        c00 += a0 * b0, c01 += a0 * b1, c02 += a0 * b2, c03 += a0 * b3;
        c10 += a1 * b0, c11 += a1 * b1, c12 += a1 * b2, c13 += a1 * b3;
        c20 += a2 * b0, c21 += a2 * b1, c22 += a2 * b2, c23 += a2 * b3;
        c30 += a3 * b0, c31 += a3 * b1, c32 += a3 * b2, c33 += a3 * b3;
      }
      let o = i * N + j;
      c[o] = c00, c[o + 1] = c01, c[o + 2] = c02, c[o + 3] = c03, o += N;
      c[o] = c10, c[o + 1] = c11, c[o + 2] = c12, c[o + 3] = c13, o += N;
      c[o] = c20, c[o + 1] = c21, c[o + 2] = c22, c[o + 3] = c23, o += N;
      c[o] = c30, c[o + 1] = c31, c[o + 2] = c32, c[o + 3] = c33;
    }
  }
}

/** c (M,N) = at^T (M,K) · b (K,N); M and N multiples of 4. */
export function matmul4x4(
  at: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  N: number,
  K: number,
) {
  blocked4x4(at, 1, M, b, 1, N, c, M, N, K);
}

/** x is (K, R) with R contiguous (R a multiple of 4) → panels (R/4, K, 4). */
export function pack4(xt: Float32Array, R: number, K: number): Float32Array {
  const p = new Float32Array(R * K);
  for (let r = 0; r < R; r += 4) {
    for (let k = 0; k < K; k++) {
      for (let q = 0; q < 4; q++) p[r * K + k * 4 + q] = xt[k * R + r + q];
    }
  }
  return p;
}

/** Same product with both operands pre-packed into 4-wide panels (pack4): unit-stride streams. */
export function matmul4x4Packed(
  ap: Float32Array,
  bp: Float32Array,
  c: Float32Array,
  M: number,
  N: number,
  K: number,
) {
  blocked4x4(ap, K, 4, bp, K, 4, c, M, N, K);
}

/** Naive triple loop (i,k,j order), for the record. */
function matmulNaive(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  N: number,
  K: number,
) {
  c.fill(0);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      for (let j = 0; j < N; j++) c[i * N + j] += av * b[k * N + j];
    }
  }
}

function gflops(fn: () => void, flop: number, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((x, y) => x - y);
  return flop / (t[t.length >> 1] * 1e6);
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const res: Record<string, number> = {};
  for (const [M, N, K] of [[256, 256, 256], [64, 500, 800], [52, 576, 500]]) {
    const at = new Float32Array(M * K).map(() => Math.random() - 0.5);
    const b = new Float32Array(K * N).map(() => Math.random() - 0.5);
    const c = new Float32Array(M * N);
    const Mr = M & ~3, Nr = N & ~3;
    res[`blocked4x4_${M}x${N}x${K}`] = gflops(
      () => matmul4x4(at, b, c, Mr, Nr, K),
      2 * Mr * Nr * K,
      quick ? 5 : 15,
    );
    const ap = pack4(at, Mr, K), bp = pack4(b.subarray(0), Nr, K);
    res[`packed4x4_${M}x${N}x${K}`] = gflops(
      () => matmul4x4Packed(ap, bp, c, Mr, Nr, K),
      2 * Mr * Nr * K,
      quick ? 5 : 15,
    );
  }
  const n = 256;
  const a = new Float32Array(n * n).map(() => Math.random()),
    b = a.slice(),
    c = a.slice();
  res[`naive_${n}x${n}x${n}`] = gflops(
    () => matmulNaive(a, b, c, n, n, n),
    2 * n * n * n,
    quick ? 3 : 7,
  );
  console.log(JSON.stringify({ lib: "matmul-ts", gflops: res }));
}
