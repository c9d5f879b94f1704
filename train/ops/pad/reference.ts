// Float64 reference of pad2d / pad1d, forward and backward side by side.
// Shapes: x (N, C, inH, inW), y and dy (N, C, outH, outW); 1-D has H = 1.
// In the forward pass each output cell was the input cell padSource names
// along each axis (or the constant); the backward adds each dy cell onto
// that input cell (a constant cell's gradient goes nowhere, and reflect or
// edge cells add onto the cells they mirror or repeat).

import type { LayerOf } from "../../../runtime/ops/op_entry.ts";
import { padSource } from "../../../runtime/ops/pad/geometry.ts";

/** Calls f(output index, input index or −1) for every output cell of `batch` samples. */
function eachCell(l: LayerOf<"pad">, batch: number, f: (o: number, i: number) => void): void {
  const { inH, inW, outH, outW, pt, pl, mode } = l;
  for (let p = 0; p < batch * l.c; p++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy = padSource(oy, pt, inH, mode);
      for (let ox = 0; ox < outW; ox++) {
        const ix = padSource(ox, pl, inW, mode);
        f((p * outH + oy) * outW + ox, iy < 0 || ix < 0 ? -1 : (p * inH + iy) * inW + ix);
      }
    }
  }
}

/** y = pad(x), float64. */
export function padForward64(l: LayerOf<"pad">, x: Float64Array, batch: number): Float64Array {
  const y = new Float64Array(batch * l.c * l.outH * l.outW);
  eachCell(l, batch, (o, i) => (y[o] = i < 0 ? l.value : x[i]));
  return y;
}

/** dx from dy, float64. */
export function padBackward64(l: LayerOf<"pad">, dy: Float64Array, batch: number): Float64Array {
  const dx = new Float64Array(batch * l.c * l.inH * l.inW);
  eachCell(l, batch, (o, i) => {
    if (i >= 0) dx[i] += dy[o];
  });
  return dx;
}
