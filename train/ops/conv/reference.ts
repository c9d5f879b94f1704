// Float64 reference convolution (cross-correlation, no kernel flip) and its
// backward pass, written straight from the definitions for reading: the
// oracle every conv kernel (CPU forward variants, WGSL forward, CPU training,
// WGSL backward) is tested against. conv1d is the 2-D form with kh = 1.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y and dy are (N, outC, outH, outW).
//   y[n,o,i,j] = b[o] + Σ_{c,u,v} w[o,c,u,v] · x[n, g·icg + c, i·sh − pt + u·dh, j·sw − pl + v·dw]
// where g = o / ocg is the group of output channel o, c < icg = inC/groups,
// and input cells outside the image are zero padding. The backward pass is
// the same loop nest: every (output, tap) pair that read x[...] with weight
// w[...] sends δ·w back to that input cell and δ·x to that weight:
//   dX[n, ic, iy, ix] += w[o,c,u,v] · δ[n,o,i,j]
//   dW[o, c, u, v]    += x[n,ic,iy,ix] · δ[n,o,i,j]
//   db[o]             += δ[n,o,i,j]

import type { WeightedBackward64, WeightedForward64 } from "../grad_entry.ts";
import type { ConvGeometry } from "../../../runtime/ops/conv/geometry.ts";

/** Calls `f(yIndex, xIndex, wIndex, o)` for every output cell and every tap of it that reads a real input cell (padding is skipped: it adds zero). */
function forEachTap(
  g: ConvGeometry,
  batch: number,
  f: (yi: number, xi: number, wi: number, o: number) => void,
): void {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < g.outC; o++) {
      const group = Math.floor(o / ocg);
      for (let i = 0; i < g.outH; i++) {
        for (let j = 0; j < g.outW; j++) {
          const yi = ((n * g.outC + o) * g.outH + i) * g.outW + j;
          for (let c = 0; c < icg; c++) {
            const ic = group * icg + c;
            for (let u = 0; u < g.kh; u++) {
              const iy = i * g.sh - g.pt + u * g.dh;
              if (iy < 0 || iy >= g.inH) continue; // zero padding
              for (let v = 0; v < g.kw; v++) {
                const ix = j * g.sw - g.pl + v * g.dw;
                if (ix < 0 || ix >= g.inW) continue;
                const xi = ((n * g.inC + ic) * g.inH + iy) * g.inW + ix;
                const wi = ((o * icg + c) * g.kh + u) * g.kw + v;
                f(yi, xi, wi, o);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * y = conv(x, w) + b. Returns a new (N, outC, outH, outW) array.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../../runtime/format/spec.ts";
 * import { convForward64 } from "./reference.ts";
 * const l = resolveLayer({ type: "conv1d", filters: 1, kernel: 2 }, [1, 3]);
 * if (l.op !== "conv") throw new Error();
 * const y = convForward64(l, Float64Array.of(1, -1), null, Float64Array.of(5, 3, 4), 1);
 * if (y.join() !== "2,-1") throw new Error(y.join());
 * ```
 */
export const convForward64: WeightedForward64<ConvGeometry> = (g, w, b, x, batch) => {
  const y = new Float64Array(batch * g.outC * g.outH * g.outW);
  const plane = g.outH * g.outW;
  if (b) { for (let k = 0; k < y.length; k++) y[k] = b[Math.floor(k / plane) % g.outC]; }
  forEachTap(g, batch, (yi, xi, wi) => {
    y[yi] += w[wi] * x[xi];
  });
  return y;
};

/** Gradients of the convolution: returns dx (like x), dw (like w), db (outC, or null without bias). */
export const convBackward64: WeightedBackward64<ConvGeometry> = (g, w, hasBias, x, dy, batch) => {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = hasBias ? new Float64Array(g.outC) : null;
  const plane = g.outH * g.outW;
  // in the forward pass every output of channel o started from b[o]: its δ flows to b[o] whole
  if (db) { for (let k = 0; k < dy.length; k++) db[Math.floor(k / plane) % g.outC] += dy[k]; }
  forEachTap(g, batch, (yi, xi, wi) => {
    // in the forward pass this tap did y[yi] += w[wi]·x[xi]: so δy[yi] flows to x by w and to w by x
    dx[xi] += w[wi] * dy[yi];
    dw[wi] += x[xi] * dy[yi];
  });
  return { dx, dw, db };
};
