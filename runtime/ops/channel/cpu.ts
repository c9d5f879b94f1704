// CPU per-channel layers. Shapes: x and y are (N, C, spatial) flattened; the
// parameters are (C) each: scale [s, t] with y = s_c·x + t_c, prelu [a] with
// y = x > 0 ? x : a_c·x. y may alias x (each value is read once, then written).

/**
 * y = scale or prelu of x, per channel, over `batch` samples of (c, spatial).
 *
 * @example
 * ```ts
 * import { channelForward } from "./cpu.ts";
 * const y = channelForward("prelu", 2, 1, Float32Array.of(-1, -1), [Float32Array.of(0.5, 2)], 1, new Float32Array(2));
 * if (y.join() !== "-0.5,-2") throw new Error(y.join());
 * ```
 */
export function channelForward(
  mode: "scale" | "prelu",
  c: number,
  spatial: number,
  x: Float32Array,
  params: readonly Float32Array[],
  batch: number,
  y: Float32Array,
): Float32Array {
  const [s, t] = params;
  for (let n = 0; n < batch; n++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (n * c + ch) * spatial, k = s[ch];
      if (mode === "scale") {
        const b = t[ch];
        for (let j = base; j < base + spatial; j++) y[j] = k * x[j] + b;
      } else {
        for (let j = base; j < base + spatial; j++) {
          const v = x[j];
          y[j] = v > 0 ? v : k * v;
        }
      }
    }
  }
  return y;
}
