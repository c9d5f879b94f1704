// CPU tile: each sample of x, (I0, I1, I2) (padded to three axes), repeated
// to (I0·R0, I1·R1, I2·R2): output (a, b, c) copies input (a mod I0,
// b mod I1, c mod I2). Shapes: x (N, ...in), y (N, ...out); y never aliases x.

/** The tile geometry: input dims and repeats, three axes each. */
export interface TileGeometry {
  dims: [number, number, number];
  reps: [number, number, number];
}

/**
 * The per-sample input index that per-sample output index `o` copies.
 *
 * @example
 * ```ts
 * import { tileSource } from "./cpu.ts";
 * // (1, 1, 2) repeated (1, 1, 2): [a b] → [a b a b]
 * const g = { dims: [1, 1, 2], reps: [1, 1, 2] } as const;
 * if ([0, 1, 2, 3].map((o) => tileSource({ dims: [...g.dims], reps: [...g.reps] }, o)).join() !== "0,1,0,1") {
 *   throw new Error();
 * }
 * ```
 */
export function tileSource(g: TileGeometry, o: number): number {
  const [i0, i1, i2] = g.dims, o1 = i1 * g.reps[1], o2 = i2 * g.reps[2];
  const c = o % o2, b = Math.floor(o / o2) % o1, a = Math.floor(o / (o2 * o1));
  return ((a % i0) * i1 + (b % i1)) * i2 + (c % i2);
}

/** y = tile(x) over `batch` samples: whole input rows copied R2 times into each output row. */
export function tileForward(g: TileGeometry, x: Float32Array, batch: number, y: Float32Array): Float32Array {
  const [i0, i1, i2] = g.dims, [r0, r1, r2] = g.reps, o0 = i0 * r0, o1 = i1 * r1, o2 = i2 * r2;
  const inPer = i0 * i1 * i2, outPer = o0 * o1 * o2;
  for (let n = 0; n < batch; n++) {
    for (let a = 0; a < o0; a++) {
      for (let b = 0; b < o1; b++) {
        const from = n * inPer + ((a % i0) * i1 + (b % i1)) * i2, to = n * outPer + (a * o1 + b) * o2;
        const row = x.subarray(from, from + i2);
        for (let r = 0; r < r2; r++) y.set(row, to + r * i2);
      }
    }
  }
  return y;
}
