// AssemblyScript (built by `deno task build:wasm` into runtime/wasm/tinycnn.wasm):
// the SIMD128 matrix product every wasm layer kernel runs on (conv via
// im2col, dense). C = act(bias + A·B) with A (M,K), B (K,N), C (M,N), all
// row-major f32 with row strides lda, ldb, ldc (in elements); pointers are
// byte addresses in the module's memory. Register blocking: 4 rows × 8
// columns (8 f32x4 accumulators, 2 B loads and 1 splat per k), then 4×4 and
// scalar columns at the right edge; leftover rows run the 1-row kernel.
// bias: 0 none, 1 per row (bias[i], conv), 2 per column (bias[j], dense).
// Invariants: sums in f32 (as WebGPU does); the caller (runtime/wasm/executor.ts)
// has checked every size against the arena, so no bounds checks here.

@inline function bias4(mode: i32, bias: usize, i: i32, j: i32): v128 {
  if (mode == 1) return f32x4.splat(load<f32>(bias + (<usize>i << 2)));
  if (mode == 2) return v128.load(bias + (<usize>j << 2));
  return f32x4.splat(0);
}

@inline function bias1(mode: i32, bias: usize, i: i32, j: i32): f32 {
  if (mode == 1) return load<f32>(bias + (<usize>i << 2));
  if (mode == 2) return load<f32>(bias + (<usize>j << 2));
  return 0;
}

@inline function act4(v: v128, relu: bool): v128 {
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/** Rows i..i+3 of C. */
function rows4(
  a: usize, b: usize, c: usize, i: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32,
  mode: i32, bias: usize, relu: bool,
): void {
  const a0 = a + (<usize>(i * lda) << 2), a1 = a0 + (<usize>lda << 2);
  const a2 = a1 + (<usize>lda << 2), a3 = a2 + (<usize>lda << 2);
  const rb = <usize>ldb << 2;
  const c0 = c + (<usize>(i * ldc) << 2), c1 = c0 + (<usize>ldc << 2);
  const c2 = c1 + (<usize>ldc << 2), c3 = c2 + (<usize>ldc << 2);
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    let s00 = bias4(mode, bias, i, j), s01 = bias4(mode, bias, i, j + 4);
    let s10 = bias4(mode, bias, i + 1, j), s11 = bias4(mode, bias, i + 1, j + 4);
    let s20 = bias4(mode, bias, i + 2, j), s21 = bias4(mode, bias, i + 2, j + 4);
    let s30 = bias4(mode, bias, i + 3, j), s31 = bias4(mode, bias, i + 3, j + 4);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      const kk = <usize>k << 2;
      let x = f32x4.splat(load<f32>(a0 + kk));
      s00 = f32x4.add(s00, f32x4.mul(x, b0));
      s01 = f32x4.add(s01, f32x4.mul(x, b1));
      x = f32x4.splat(load<f32>(a1 + kk));
      s10 = f32x4.add(s10, f32x4.mul(x, b0));
      s11 = f32x4.add(s11, f32x4.mul(x, b1));
      x = f32x4.splat(load<f32>(a2 + kk));
      s20 = f32x4.add(s20, f32x4.mul(x, b0));
      s21 = f32x4.add(s21, f32x4.mul(x, b1));
      x = f32x4.splat(load<f32>(a3 + kk));
      s30 = f32x4.add(s30, f32x4.mul(x, b0));
      s31 = f32x4.add(s31, f32x4.mul(x, b1));
      pb += rb;
    }
    const o = <usize>j << 2;
    v128.store(c0 + o, act4(s00, relu));
    v128.store(c0 + o, act4(s01, relu), 16);
    v128.store(c1 + o, act4(s10, relu));
    v128.store(c1 + o, act4(s11, relu), 16);
    v128.store(c2 + o, act4(s20, relu));
    v128.store(c2 + o, act4(s21, relu), 16);
    v128.store(c3 + o, act4(s30, relu));
    v128.store(c3 + o, act4(s31, relu), 16);
  }
  for (; j + 4 <= N; j += 4) {
    let s0 = bias4(mode, bias, i, j), s1 = bias4(mode, bias, i + 1, j);
    let s2 = bias4(mode, bias, i + 2, j), s3 = bias4(mode, bias, i + 3, j);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      const b0 = v128.load(pb);
      const kk = <usize>k << 2;
      s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + kk)), b0));
      s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a1 + kk)), b0));
      s2 = f32x4.add(s2, f32x4.mul(f32x4.splat(load<f32>(a2 + kk)), b0));
      s3 = f32x4.add(s3, f32x4.mul(f32x4.splat(load<f32>(a3 + kk)), b0));
      pb += rb;
    }
    const o = <usize>j << 2;
    v128.store(c0 + o, act4(s0, relu));
    v128.store(c1 + o, act4(s1, relu));
    v128.store(c2 + o, act4(s2, relu));
    v128.store(c3 + o, act4(s3, relu));
  }
  for (; j < N; j++) {
    let s0 = bias1(mode, bias, i, j), s1 = bias1(mode, bias, i + 1, j);
    let s2 = bias1(mode, bias, i + 2, j), s3 = bias1(mode, bias, i + 3, j);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      const y = load<f32>(pb);
      const kk = <usize>k << 2;
      s0 += load<f32>(a0 + kk) * y;
      s1 += load<f32>(a1 + kk) * y;
      s2 += load<f32>(a2 + kk) * y;
      s3 += load<f32>(a3 + kk) * y;
      pb += rb;
    }
    const o = <usize>j << 2;
    store<f32>(c0 + o, relu && s0 < 0 ? 0 : s0);
    store<f32>(c1 + o, relu && s1 < 0 ? 0 : s1);
    store<f32>(c2 + o, relu && s2 < 0 ? 0 : s2);
    store<f32>(c3 + o, relu && s3 < 0 ? 0 : s3);
  }
}

/** Row i of C. */
function row1(
  a: usize, b: usize, c: usize, i: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32,
  mode: i32, bias: usize, relu: bool,
): void {
  const a0 = a + (<usize>(i * lda) << 2);
  const rb = <usize>ldb << 2;
  const c0 = c + (<usize>(i * ldc) << 2);
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    let s0 = bias4(mode, bias, i, j), s1 = bias4(mode, bias, i, j + 4);
    let s2 = bias4(mode, bias, i, j + 8), s3 = bias4(mode, bias, i, j + 12);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      const x = f32x4.splat(load<f32>(a0 + (<usize>k << 2)));
      s0 = f32x4.add(s0, f32x4.mul(x, v128.load(pb)));
      s1 = f32x4.add(s1, f32x4.mul(x, v128.load(pb, 16)));
      s2 = f32x4.add(s2, f32x4.mul(x, v128.load(pb, 32)));
      s3 = f32x4.add(s3, f32x4.mul(x, v128.load(pb, 48)));
      pb += rb;
    }
    const o = c0 + (<usize>j << 2);
    v128.store(o, act4(s0, relu));
    v128.store(o, act4(s1, relu), 16);
    v128.store(o, act4(s2, relu), 32);
    v128.store(o, act4(s3, relu), 48);
  }
  for (; j + 4 <= N; j += 4) {
    let s0 = bias4(mode, bias, i, j);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + (<usize>k << 2))), v128.load(pb)));
      pb += rb;
    }
    v128.store(c0 + (<usize>j << 2), act4(s0, relu));
  }
  for (; j < N; j++) {
    let s0 = bias1(mode, bias, i, j);
    let pb = b + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      s0 += load<f32>(a0 + (<usize>k << 2)) * load<f32>(pb);
      pb += rb;
    }
    store<f32>(c0 + (<usize>j << 2), relu && s0 < 0 ? 0 : s0);
  }
}

/** C = act(bias + A·B): A (M,K) stride lda, B (K,N) stride ldb, C (M,N) stride ldc; bias mode 0/1/2. */
export function gemm(
  a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32,
  biasMode: i32, bias: usize, relu: i32,
): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) rows4(a, b, c, i, N, K, lda, ldb, ldc, biasMode, bias, relu != 0);
  for (; i < M; i++) row1(a, b, c, i, N, K, lda, ldb, ldc, biasMode, bias, relu != 0);
}
