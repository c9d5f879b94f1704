// Float64 reference of the tile layer, forward and backward side by side.
// In the forward pass output o copied input tileSource(o); the backward sums
// every output's δ back onto the input it copied (each input feeds R0·R1·R2
// outputs). Shapes: x, dx (N, ...in); y, dy (N, ...in·repeats).

import { type TileGeometry, tileSource } from "../../../runtime/ops/tile/cpu.ts";

const sizes = (g: TileGeometry) => {
  const inPer = g.dims[0] * g.dims[1] * g.dims[2];
  return { inPer, outPer: inPer * g.reps[0] * g.reps[1] * g.reps[2] };
};

/** y = tile(x), float64. */
export function tileForward64(g: TileGeometry, x: Float64Array, batch: number): Float64Array {
  const { inPer, outPer } = sizes(g), y = new Float64Array(batch * outPer);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outPer; o++) y[n * outPer + o] = x[n * inPer + tileSource(g, o)];
  }
  return y;
}

/** dx from dy, float64. */
export function tileBackward64(g: TileGeometry, dy: Float64Array, batch: number): Float64Array {
  const { inPer, outPer } = sizes(g), dx = new Float64Array(batch * inPer);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outPer; o++) dx[n * inPer + tileSource(g, o)] += dy[n * outPer + o];
  }
  return dx;
}
