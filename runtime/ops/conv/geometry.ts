// The geometry of a convolution, plain or transposed: the one type every conv
// kernel (CPU, WGSL, references, training) takes, and the valid-tap ranges
// the direct kernels loop over. A resolved conv layer (runtime/format/spec.ts)
// is one: conv1d is the 2-D window with kh = sh = dh = 1, pt = pb = 0,
// inH = outH = 1. Invariants: groups divides inC and outC (checked by the
// spec); for a transposed conv the window describes the adjoint direct conv
// from y back to x (train/ops/conv/transpose_reference.ts).

import type { Window2d } from "../../format/spec.ts";

/** A conv layer's window plus its group count (1 = dense, inC = depthwise). */
export type ConvGeometry = Window2d & { groups: number };

/**
 * For each kernel tap t < k along one axis, [lo, hi) of the output positions
 * o whose input index o·s − p + t·d lies in [0, len) (pairs in one array).
 * Shared by the direct conv, the transposed conv and the training conv.
 *
 * @example
 * ```ts
 * import { tapRanges } from "./geometry.ts";
 * // 3 taps, stride 1, padding 1 over 4 positions: tap 0 misses o = 0, tap 2 misses o = 3
 * const r = tapRanges(4, 3, 1, 1, 1, 4);
 * if (r.join() !== "1,4,0,4,0,3") throw new Error(r.join());
 * ```
 */
export function tapRanges(
  outLen: number,
  k: number,
  s: number,
  d: number,
  p: number,
  len: number,
): Int32Array {
  const r = new Int32Array(2 * k);
  for (let t = 0; t < k; t++) {
    const off = t * d - p; // input = o·s + off
    const lo = Math.min(outLen, Math.max(0, Math.ceil(-off / s)));
    const hi = Math.min(outLen, Math.floor((len - 1 - off) / s) + 1);
    r[2 * t] = lo;
    r[2 * t + 1] = Math.max(lo, hi);
  }
  return r;
}
