// CPU pad: x (N, C, inH, inW) → y (N, C, outH, outW), each output cell the
// input cell padSource names along each axis (geometry.ts), or `value`.
// 1-D has inH = outH = 1 and no top/bottom padding. y never aliases x.

import type { LayerOf } from "../op_entry.ts";
import { padSource } from "./geometry.ts";

/**
 * y = pad(x) over `batch` samples.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "../../format/spec.ts";
 * import { padForward } from "./cpu.ts";
 * const [l] = resolveLayers([{ type: "pad1d", padding: [1, 2], mode: "edge" }], [1, 2]);
 * const y = padForward(l as Parameters<typeof padForward>[0], Float32Array.of(3, 4), 1, new Float32Array(5));
 * if (y.join() !== "3,3,4,4,4") throw new Error(y.join());
 * ```
 */
export function padForward(l: LayerOf<"pad">, x: Float32Array, batch: number, y: Float32Array): Float32Array {
  const { inH, inW, outH, outW, pt, pl, mode, value } = l;
  const cols = Int32Array.from({ length: outW }, (_, o) => padSource(o, pl, inW, mode));
  for (let p = 0; p < batch * l.c; p++) {
    const xb = p * inH * inW, yb = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      const iy = padSource(oy, pt, inH, mode), row = yb + oy * outW;
      if (iy < 0) {
        y.fill(value, row, row + outW);
        continue;
      }
      const src = xb + iy * inW;
      for (let ox = 0; ox < outW; ox++) y[row + ox] = cols[ox] < 0 ? value : x[src + cols[ox]];
    }
  }
  return y;
}
