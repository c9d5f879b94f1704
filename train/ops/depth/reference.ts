// Float64 reference of depthtospace / spacetodepth, forward and backward side
// by side. In the forward pass output o of each sample copied input
// depthSource(o) (a permutation); the backward copies dy[o] back there.

import { type DepthGeometry, depthSource } from "../../../runtime/ops/depth/geometry.ts";

const perSample = (g: DepthGeometry) => g.c * g.block * g.block * g.h * g.w;

/** y of a depth↔space layer, float64. */
export function depthForward64(g: DepthGeometry, x: Float64Array, batch: number): Float64Array {
  const per = perSample(g), y = new Float64Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < per; o++) y[n * per + o] = x[n * per + depthSource(g, o)];
  }
  return y;
}

/** dx of a depth↔space layer, float64. */
export function depthBackward64(g: DepthGeometry, dy: Float64Array, batch: number): Float64Array {
  const per = perSample(g), dx = new Float64Array(dy.length);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < per; o++) dx[n * per + depthSource(g, o)] = dy[n * per + o];
  }
  return dx;
}
