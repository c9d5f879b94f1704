// How far one output is from another, relative to the reference's scale:
// max |got − want| / max |want|. The converter's onnxruntime check and the
// converter tests all measure with it (per-element ratios would blow up
// where an output crosses 0 at float32's own rounding). A NaN difference
// counts as infinitely far.

/**
 * The worst difference relative to want's largest magnitude, and where it is.
 *
 * @example
 * ```ts
 * import { scaleError } from "./scale_error.ts";
 * const r = scaleError([1, 2.5], [1, 2]);
 * if (r.worst !== 0.25 || r.at !== 1) throw new Error(JSON.stringify(r));
 * ```
 */
export function scaleError(got: ArrayLike<number>, want: ArrayLike<number>): { worst: number; at: number } {
  let d = 0, scale = 0, at = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (Number.isNaN(e) || e > d) (d = Number.isNaN(e) ? Infinity : e, at = i);
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return { worst: d / Math.max(scale, 1e-30), at };
}
