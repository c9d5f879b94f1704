// The dropout keep mask, shared by both training backends: element i of
// layer `layer` at step `step` is kept iff the 24-bit hash of (seed, layer,
// step, i) is ≥ the drop threshold. wgsl.ts computes the same hash in WGSL
// (bit for bit), so the CPU and WebGPU backends drop the same elements and
// the mask is never stored (it is recomputed in the backward pass).

function mix32(v: number): number {
  let h = v >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The 24-bit drop threshold for `rate` in [0, 1). */
export function dropThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  return Math.round(rate * (1 << 24));
}

/**
 * True when element i is kept (the TypeScript twin of wgsl.ts's `keep`).
 *
 * @example
 * ```ts
 * import { dropoutKeep } from "./mask.ts";
 * let kept = 0;
 * for (let i = 0; i < 1000; i++) if (dropoutKeep(1, 0, 0, i, 0.25)) kept++;
 * if (kept < 700 || kept > 800) throw new Error(`kept ${kept}`);
 * ```
 */
export function dropoutKeep(seed: number, layer: number, step: number, i: number, rate: number): boolean {
  const h = mix32(mix32(mix32(mix32(seed) ^ layer) ^ step) ^ i);
  return (h >>> 8) >= dropThreshold(rate);
}
