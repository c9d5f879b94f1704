// CPU instance normalisation: for each (n, c) over its `spatial` positions,
// mean μ and biased variance σ² (float64 sums), y = s_c·(x − μ)/√(σ² + ε) + b_c.
// Shapes: x and y are (N, C, spatial) flattened; params s, b (C). y may alias x
// (the statistics are taken before the plane is written).

/**
 * The mean and 1/√(var + ε) of x[at, at + n), in float64 (shared with the reference).
 *
 * @example
 * ```ts
 * import { planeStats } from "./cpu.ts";
 * const [mean, inv] = planeStats([1, 3], 0, 2, 0);
 * if (mean !== 2 || inv !== 1) throw new Error();
 * ```
 */
export function planeStats(
  x: ArrayLike<number>,
  at: number,
  n: number,
  eps: number,
): [mean: number, inv: number] {
  let s = 0;
  for (let j = at; j < at + n; j++) s += x[j];
  const mean = s / n;
  let v = 0;
  for (let j = at; j < at + n; j++) v += (x[j] - mean) ** 2;
  return [mean, 1 / Math.sqrt(v / n + eps)];
}

/** y = instancenorm(x) over `batch` samples of (c, spatial). */
export function instanceNormForward(
  l: { eps: number; c: number; spatial: number },
  x: Float32Array,
  params: readonly Float32Array[],
  batch: number,
  y: Float32Array,
): Float32Array {
  const { eps, c, spatial } = l;
  const [s, b] = params;
  for (let p = 0; p < batch * c; p++) {
    const at = p * spatial, ch = p % c;
    const [mean, inv] = planeStats(x, at, spatial, eps);
    const k = s[ch] * inv, t = b[ch];
    for (let j = at; j < at + spatial; j++) y[j] = k * (x[j] - mean) + t;
  }
  return y;
}
