// The CPU forward of upsample1d / upsample2d (integer scale factors; spec and
// the interpolation rule: runtime/format/spec.ts `Upsample`). One variant: each
// output row and column reads two source taps with two weights, precomputed
// per axis (nearest: one tap with weight 1); 2-D is the separable product.
// Shapes: x is (N, C, inH, inW), y is (N, C, inH·sh, inW·sw); 1-D has inH = 1.
// Invariants: callers check lengths; sums in float64, one f32 rounding.

import type { Upsample } from "../../format/spec.ts";
import type { PlainKernel } from "../../cpu/layer_kernel.ts";

/** Per output position along one axis: source taps i0, i1 and weights w0, w1 (nearest: w1 = 0). */
export function axisTaps(inLen: number, s: number, mode: Upsample["mode"]) {
  const n = inLen * s;
  const i0 = new Int32Array(n), i1 = new Int32Array(n), w1 = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    if (mode === "nearest") {
      i0[o] = i1[o] = Math.floor(o / s);
      continue;
    }
    const src = Math.max(0, (o + 0.5) / s - 0.5);
    i0[o] = Math.min(Math.floor(src), inLen - 1);
    i1[o] = Math.min(i0[o] + 1, inLen - 1);
    w1[o] = src - Math.floor(src);
  }
  return { i0, i1, w1 };
}

type UpsampleKernel = PlainKernel<[u: Upsample]>;

/**
 * y = upsample(x). Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { upsampleCpu } from "./cpu.ts";
 * const l = resolveLayer({ type: "upsample1d", scale: 2, mode: "linear" }, [1, 2]);
 * if (l.op !== "upsample") throw new Error();
 * const y = upsampleCpu(l, Float32Array.of(0, 4), 1, new Float32Array(4));
 * if (y.join() !== "0,1,3,4") throw new Error(y.join());
 * ```
 */
export const upsampleCpu: UpsampleKernel = (u, x, batch, y) => {
  const rows = axisTaps(u.inH, u.sh, u.mode), cols = axisTaps(u.inW, u.sw, u.mode);
  const inPlane = u.inH * u.inW, outPlane = u.outH * u.outW;
  for (let p = 0; p < batch * u.c; p++) {
    const xb = p * inPlane, yb = p * outPlane;
    for (let oy = 0; oy < u.outH; oy++) {
      const r0 = xb + rows.i0[oy] * u.inW, r1 = xb + rows.i1[oy] * u.inW, b = rows.w1[oy], a = 1 - b;
      for (let ox = 0; ox < u.outW; ox++) {
        const c0 = cols.i0[ox], c1 = cols.i1[ox], d = cols.w1[ox], e = 1 - d;
        y[yb + oy * u.outW + ox] = a * (e * x[r0 + c0] + d * x[r0 + c1]) +
          b * (e * x[r1 + c0] + d * x[r1 + c1]);
      }
    }
  }
  return y;
};
