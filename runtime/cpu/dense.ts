// CPU fully connected layer with implicit flatten.
// Shapes: x is (N, inF) (any per-sample shape flattened row-major, i.e. CHW
// order); w is (outF, inF) row-major; b is (outF); y is (N, outF).
// Invariant: callers have checked lengths; sums run in float64.

/** y = x·wᵀ + b. `b` may be null (no bias). Writes into and returns `y`. */
export function dense(
  inF: number,
  outF: number,
  w: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
): Float32Array {
  const tail = inF & ~3;
  for (let n = 0; n < batch; n++) {
    const xr = n * inF;
    const yr = n * outF;
    for (let o = 0; o < outF; o++) {
      const wr = o * inF;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (; i < tail; i += 4) {
        s0 += w[wr + i] * x[xr + i];
        s1 += w[wr + i + 1] * x[xr + i + 1];
        s2 += w[wr + i + 2] * x[xr + i + 2];
        s3 += w[wr + i + 3] * x[xr + i + 3];
      }
      for (; i < inF; i++) s0 += w[wr + i] * x[xr + i];
      y[yr + o] = (b === null ? 0 : b[o]) + ((s0 + s1) + (s2 + s3));
    }
  }
  return y;
}
