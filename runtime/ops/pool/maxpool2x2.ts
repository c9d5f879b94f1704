// Fast path for the most common pooling layer: max pool, 2×2 window, stride 2,
// no padding (output floor(in/2) per axis; a trailing odd row/column is
// dropped, as the general rule gives). Shapes: x (N,C,inH,inW) → y
// (N,C,outH,outW). Invariant: results equal pool_direct.ts exactly (max is exact);
// callers check lengths and that the geometry qualifies (isMaxPool2x2).

import type { PoolMode, Window2d } from "../../format/spec.ts";

/** True when pool_direct.ts's general max pool can be replaced by maxPool2x2. */
export function isMaxPool2x2(g: Window2d, mode: PoolMode): boolean {
  return mode === "max" && g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1 &&
    g.pt === 0 && g.pb === 0 && g.pl === 0 && g.pr === 0;
}

/** y = maxpool2x2(x). Writes into and returns `y`. */
export function maxPool2x2(g: Window2d, x: Float32Array, batch: number, y: Float32Array): Float32Array {
  const { inH, inW, outH, outW } = g;
  const planes = batch * g.inC;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xP = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      let r0 = xP + 2 * oy * inW;
      let r1 = r0 + inW;
      for (let ox = 0; ox < outW; ox++, r0 += 2, r1 += 2) {
        let m = -Infinity; // same comparison chain as pool_direct.ts (NaN never wins)
        const a = x[r0], b = x[r0 + 1], c = x[r1], d = x[r1 + 1];
        if (a > m) m = a;
        if (b > m) m = b;
        if (c > m) m = c;
        if (d > m) m = d;
        y[o++] = m;
      }
    }
  }
  return y;
}
