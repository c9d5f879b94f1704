// CPU channel shuffle: output channel o = j·g + i is input channel i·(C/g) + j
// (i = o mod g, j = ⌊o / g⌋), each a contiguous plane of `spatial` values.
// Shapes: x and y are (N, C, spatial) flattened; y never aliases x.

/**
 * The input channel that output channel `o` of a shuffle with `groups` groups over `c` channels copies.
 *
 * @example
 * ```ts
 * import { shuffleSource } from "./cpu.ts";
 * // 6 channels in 2 groups [0 1 2 | 3 4 5] → 0 3 1 4 2 5
 * if ([0, 1, 2, 3, 4, 5].map((o) => shuffleSource(o, 2, 6)).join() !== "0,3,1,4,2,5") throw new Error();
 * ```
 */
export const shuffleSource = (o: number, groups: number, c: number): number =>
  (o % groups) * (c / groups) + Math.floor(o / groups);

/** y = shuffle(x) over `batch` samples of (c, spatial). */
export function shuffleForward(
  l: { groups: number; c: number; spatial: number },
  x: Float32Array,
  batch: number,
  y: Float32Array,
): Float32Array {
  const { groups, c, spatial } = l;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < c; o++) {
      const from = (n * c + shuffleSource(o, groups, c)) * spatial;
      y.set(x.subarray(from, from + spatial), (n * c + o) * spatial);
    }
  }
  return y;
}
