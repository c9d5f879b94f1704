// Float64 reference upsampling (integer scales) and its backward pass,
// straight from the rule of runtime/format/spec.ts `Upsample`:
//   nearest: out[o] = in[floor(o / s)];
//   linear:  src = max(0, (o + 0.5)/s − 0.5), i0 = floor(src), i1 = min(i0 + 1, n − 1),
//            λ = src − i0, out[o] = (1 − λ)·in[i0] + λ·in[i1]; 2-D: rows then columns (separable).
// Backward: every output sends dy·weight back to each source cell it read.
// Shapes: x is (N, C, inH, inW), y and dy (N, C, outH, outW); 1-D has inH = 1.

import type { Upsample } from "../../../runtime/format/spec.ts";

/** The source cells and weights of output o along one axis of n inputs. */
function taps(o: number, s: number, n: number, mode: Upsample["mode"]): [number, number][] {
  if (mode === "nearest") return [[Math.floor(o / s), 1]];
  const src = Math.max(0, (o + 0.5) / s - 0.5);
  const i0 = Math.floor(src), lambda = src - i0;
  return [[i0, 1 - lambda], [Math.min(i0 + 1, n - 1), lambda]];
}

/** Calls `f(yIndex, xIndex, weight)` for every (output cell, source cell) pair. */
function forEachTap(u: Upsample, batch: number, f: (yi: number, xi: number, w: number) => void): void {
  for (let p = 0; p < batch * u.c; p++) {
    for (let oy = 0; oy < u.outH; oy++) {
      for (let ox = 0; ox < u.outW; ox++) {
        const yi = (p * u.outH + oy) * u.outW + ox;
        for (const [iy, wy] of taps(oy, u.sh, u.inH, u.mode)) {
          for (const [ix, wx] of taps(ox, u.sw, u.inW, u.mode)) f(yi, (p * u.inH + iy) * u.inW + ix, wy * wx);
        }
      }
    }
  }
}

/**
 * y = upsample(x).
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../../runtime/format/spec.ts";
 * import { upsampleForward64 } from "./reference.ts";
 * const l = resolveLayer({ type: "upsample1d", scale: 2 }, [1, 2]);
 * if (l.op !== "upsample" || upsampleForward64(l, Float64Array.of(1, 2), 1).join() !== "1,1,2,2") throw new Error();
 * ```
 */
export function upsampleForward64(u: Upsample, x: Float64Array, batch: number): Float64Array {
  const y = new Float64Array(batch * u.c * u.outH * u.outW);
  forEachTap(u, batch, (yi, xi, w) => (y[yi] += w * x[xi]));
  return y;
}

/** dx (like x) from dy. */
export function upsampleBackward64(u: Upsample, dy: Float64Array, batch: number): Float64Array {
  const dx = new Float64Array(batch * u.c * u.inH * u.inW);
  // in the forward pass this tap did y[yi] += w·x[xi] (nearest: w = 1; linear: the tap's weight)
  forEachTap(u, batch, (yi, xi, w) => (dx[xi] += w * dy[yi]));
  return dx;
}
