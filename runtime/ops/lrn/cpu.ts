// CPU local response normalisation across channels (ONNX LRN): at each
// (n, position), s_c = bias + alpha/size · Σ_{j = c − ⌊(size−1)/2⌋}^{c + ⌈(size−1)/2⌉} x_j²
// (channels outside [0, C) count as 0) and y_c = x_c · s_c^(−beta).
// Shapes: x and y are (N, C, spatial) flattened; y never aliases x.

import type { LayerOf } from "../op_entry.ts";

/** The channel window of c: [c − before, c + after] with before = ⌊(size−1)/2⌋ (ONNX's split). */
export const lrnWindow = (size: number): [before: number, after: number] => [
  Math.floor((size - 1) / 2),
  Math.ceil((size - 1) / 2),
];

/**
 * Σ x_j² over channel ch's window at one (n, position): `base` indexes channel 0 there, channels are
 * `spatial` apart; channels outside [0, c) count as 0. Shared with the float64 reference.
 *
 * @example
 * ```ts
 * import { windowSquares } from "./cpu.ts";
 * if (windowSquares([1, 2, 3], 0, 0, 3, 1, 1, 1) !== 5) throw new Error();
 * ```
 */
export function windowSquares(
  x: ArrayLike<number>,
  base: number,
  ch: number,
  c: number,
  spatial: number,
  before: number,
  after: number,
): number {
  let sum = 0;
  for (let j = Math.max(0, ch - before); j <= Math.min(c - 1, ch + after); j++) {
    const v = x[base + j * spatial];
    sum += v * v;
  }
  return sum;
}

/**
 * y = lrn(x) over `batch` samples.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "../../format/spec.ts";
 * import { lrnForward } from "./cpu.ts";
 * const [l] = resolveLayers([{ type: "lrn", size: 3, alpha: 3, beta: 1, bias: 1 }], [2]);
 * // s_0 = 1 + (1 + 4) = 6, s_1 = 6: y = x / 6
 * const y = lrnForward(l as Parameters<typeof lrnForward>[0], Float32Array.of(1, 2), 1, new Float32Array(2));
 * if (Math.abs(y[1] - 2 / 6) > 1e-7) throw new Error(y.join());
 * ```
 */
export function lrnForward(l: LayerOf<"lrn">, x: Float32Array, batch: number, y: Float32Array): Float32Array {
  const { c, spatial, size, alpha, beta, bias } = l;
  const [before, after] = lrnWindow(size);
  const k = alpha / size;
  for (let n = 0; n < batch; n++) {
    for (let p = 0; p < spatial; p++) {
      const base = n * c * spatial + p;
      for (let ch = 0; ch < c; ch++) {
        const sum = windowSquares(x, base, ch, c, spatial, before, after);
        y[base + ch * spatial] = x[base + ch * spatial] * Math.pow(bias + k * sum, -beta);
      }
    }
  }
  return y;
}
