// CPU forward of the joins (runtime/format/spec.ts `add`, `concat`, `mul`).
// Shapes: add: every x[k] and y are (N, ...shape), `per` elements a sample;
// concat: x[k] is (N, channels[k], spatial), y is (N, Σ channels, spatial);
// mul: x (N, C, spatial) times s, (N, C) per channel or x's shape.
// Invariants: y never aliases an input (the buffer plan never runs a join in
// place); the sum runs in input order in float32, as the WGSL twin does.

/**
 * y = x[0] + x[1] + … (+ a fused ReLU), elementwise over `batch·per` values.
 *
 * @example
 * ```ts
 * import { addCpu } from "./cpu.ts";
 * const y = addCpu([new Float32Array([1, -5]), new Float32Array([2, 1])], 2, 1, new Float32Array(2), true);
 * if (y[0] !== 3 || y[1] !== 0) throw new Error(String(y));
 * ```
 */
export function addCpu(
  xs: readonly Float32Array[],
  per: number,
  batch: number,
  y: Float32Array,
  relu = false,
): Float32Array {
  const n = batch * per;
  y.set(xs[0].subarray(0, n));
  for (let k = 1; k < xs.length; k++) {
    const x = xs[k];
    for (let j = 0; j < n; j++) y[j] = Math.fround(y[j] + x[j]);
  }
  if (relu) { for (let j = 0; j < n; j++) if (!(y[j] > 0)) y[j] = 0; }
  return y;
}

/**
 * y = x · s: s (N, c) per channel over `spatial` positions when `broadcast`, else elementwise.
 *
 * @example
 * ```ts
 * import { mulCpu } from "./cpu.ts";
 * const y = mulCpu(2, 2, true, [Float32Array.of(1, 2, 3, 4), Float32Array.of(10, 0.5)], 1, new Float32Array(4));
 * if (y.join() !== "10,20,1.5,2") throw new Error(String(y));
 * ```
 */
export function mulCpu(
  c: number,
  spatial: number,
  broadcast: boolean,
  xs: readonly Float32Array[],
  batch: number,
  y: Float32Array,
): Float32Array {
  const [x, s] = xs;
  const n = batch * c * spatial;
  if (!broadcast) { for (let j = 0; j < n; j++) y[j] = x[j] * s[j]; }
  else {
    for (let p = 0; p < batch * c; p++) {
      const v = s[p];
      for (let j = p * spatial; j < (p + 1) * spatial; j++) y[j] = x[j] * v;
    }
  }
  return y;
}

/**
 * Stack the inputs along the channel axis: y[n, off_k + c, s] = x[k][n, c, s].
 *
 * @example
 * ```ts
 * import { concatCpu } from "./cpu.ts";
 * const y = concatCpu([1, 2], 1, [new Float32Array([1]), new Float32Array([2, 3])], 1, new Float32Array(3));
 * if (y.join() !== "1,2,3") throw new Error(String(y));
 * ```
 */
export function concatCpu(
  channels: readonly number[],
  spatial: number,
  xs: readonly Float32Array[],
  batch: number,
  y: Float32Array,
): Float32Array {
  const outPer = channels.reduce((a, b) => a + b, 0) * spatial;
  let off = 0;
  channels.forEach((c, k) => {
    const per = c * spatial;
    for (let n = 0; n < batch; n++) y.set(xs[k].subarray(n * per, (n + 1) * per), n * outPer + off);
    off += per;
  });
  return y;
}
