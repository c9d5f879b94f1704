// CPU channel slice: each sample's channels [start, start + count) of x,
// contiguous planes of `spatial` values. Shapes: x (N, C, spatial),
// y (N, count, spatial); y never aliases x.

/**
 * y = x[:, start : start + count].
 *
 * @example
 * ```ts
 * import { channelSlice } from "./cpu.ts";
 * const y = channelSlice({ start: 1, count: 1, c: 3, spatial: 2 }, Float32Array.of(1, 2, 3, 4, 5, 6), 1, new Float32Array(2));
 * if (y.join() !== "3,4") throw new Error(y.join());
 * ```
 */
export function channelSlice(
  l: { start: number; count: number; c: number; spatial: number },
  x: Float32Array,
  batch: number,
  y: Float32Array,
): Float32Array {
  const { start, count, c, spatial } = l;
  for (let n = 0; n < batch; n++) {
    const from = (n * c + start) * spatial;
    y.set(x.subarray(from, from + count * spatial), n * count * spatial);
  }
  return y;
}
