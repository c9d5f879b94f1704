// CPU depth↔space: a permutation of each sample's values (geometry.ts
// depthSource). Shapes: x (N, ...inShape), y (N, ...outShape), the same
// element count per sample; y never aliases x.

import type { DepthGeometry } from "./geometry.ts";
import { depthSource } from "./geometry.ts";

/**
 * y = depthtospace / spacetodepth of x over `batch` samples.
 *
 * @example
 * ```ts
 * import { depthForward } from "./cpu.ts";
 * // SpaceToDepth block 2 of one 2×2 plane [a b; c d] → 4 channels a, b, c, d
 * const g = { toSpace: false, block: 2, crd: false, c: 1, h: 1, w: 1 };
 * const y = depthForward(g, Float32Array.of(1, 2, 3, 4), 1, new Float32Array(4));
 * if (y.join() !== "1,2,3,4") throw new Error(y.join());
 * ```
 */
export function depthForward(
  g: DepthGeometry,
  x: Float32Array,
  batch: number,
  y: Float32Array,
): Float32Array {
  const per = g.c * g.block * g.block * g.h * g.w;
  const src = Int32Array.from({ length: per }, (_, o) => depthSource(g, o));
  for (let n = 0; n < batch; n++) {
    const at = n * per;
    for (let o = 0; o < per; o++) y[at + o] = x[at + src[o]];
  }
  return y;
}
