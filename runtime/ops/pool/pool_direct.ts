// CPU pooling (max / avg / l2) over 2-D windows; 1-D pooling uses the same
// code with kh = sh = 1, inH = outH = 1. Only max pools may be dilated
// (dilatedMaxPool: taps u·dh, v·dw from the window's corner).
// Shapes: x is (N, C, inH, inW); y is (N, C, outH, outW).
// Semantics at padded borders: avg divides by kh*kw, counting padded cells as
// zero; l2 = sqrt(Σ x²) over the window with padded cells zero; max ignores
// padded cells. spec.ts rejects padding ≥ the window, so every window covers
// at least one real cell.

import type { PlainKernel } from "../../cpu/layer_kernel.ts";
import type { PoolMode, Window2d } from "../../format/spec.ts";

/** Clip a window starting at `start` of length k to [0, len): returns [lo, hi) in input coordinates. */
function clipWindows(outLen: number, k: number, s: number, p: number, len: number): Int32Array {
  const r = new Int32Array(2 * outLen);
  for (let o = 0; o < outLen; o++) {
    const start = o * s - p;
    r[2 * o] = Math.max(0, start);
    r[2 * o + 1] = Math.max(Math.max(0, start), Math.min(len, start + k));
  }
  return r;
}

type PoolKernel = PlainKernel<[g: Window2d, mode: PoolMode]>;

/** y = max pool of x over dilated windows (the taps inside the input; spec.ts makes sure there is one). */
export function dilatedMaxPool(g: Window2d, x: Float32Array, batch: number, y: Float32Array): Float32Array {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outH, outW } = g;
  for (let p = 0; p < batch * inC; p++) {
    const xP = p * inH * inW, yP = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let m = -Infinity;
        for (let u = 0; u < kh; u++) {
          const iy = oy * sh - pt + u * dh;
          if (iy < 0 || iy >= inH) continue;
          for (let v = 0; v < kw; v++) {
            const ix = ox * sw - pl + v * dw;
            if (ix >= 0 && ix < inW && x[xP + iy * inW + ix] > m) m = x[xP + iy * inW + ix];
          }
        }
        y[yP + oy * outW + ox] = m;
      }
    }
  }
  return y;
}

/** y = pool(x). Writes into and returns `y`. */
export const pool2d: PoolKernel = (g, mode, x, batch, y) => {
  const { kh, kw, sh, sw, pt, pl, inC, inH, inW, outH, outW } = g;
  const rows = clipWindows(outH, kh, sh, pt, inH);
  const cols = clipWindows(outW, kw, sw, pl, inW);
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  const planes = batch * inC;
  const inv = 1 / (kh * kw);
  for (let p = 0; p < planes; p++) {
    const xP = p * inPlane;
    const yP = p * outPlane;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = rows[2 * oy];
      const iy1 = rows[2 * oy + 1];
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = cols[2 * ox];
        const ix1 = cols[2 * ox + 1];
        let v = 0;
        if (iy0 < iy1 && ix0 < ix1) {
          if (mode === "max") {
            let m = -Infinity;
            for (let iy = iy0; iy < iy1; iy++) {
              const r = xP + iy * inW;
              for (let ix = ix0; ix < ix1; ix++) {
                const t = x[r + ix];
                if (t > m) m = t;
              }
            }
            v = m;
          } else if (mode === "avg" || mode === "avgvalid") {
            let s = 0;
            for (let iy = iy0; iy < iy1; iy++) {
              const r = xP + iy * inW;
              for (let ix = ix0; ix < ix1; ix++) s += x[r + ix];
            }
            v = mode === "avg" ? s * inv : s / ((iy1 - iy0) * (ix1 - ix0));
          } else {
            let s = 0;
            for (let iy = iy0; iy < iy1; iy++) {
              const r = xP + iy * inW;
              for (let ix = ix0; ix < ix1; ix++) {
                const t = x[r + ix];
                s += t * t;
              }
            }
            v = Math.sqrt(s);
          }
        }
        y[yP + oy * outW + ox] = v;
      }
    }
  }
  return y;
};

type GlobalPoolKernel = PlainKernel<[c: number, spatial: number]>;

/** Global average pool: x is (N, C, spatial) → y is (N, C). */
export const globalAvgPool: GlobalPoolKernel = (c, spatial, x, batch, y) => {
  const planes = batch * c;
  const inv = 1 / spatial;
  for (let p = 0; p < planes; p++) {
    const base = p * spatial;
    let s = 0;
    for (let i = 0; i < spatial; i++) s += x[base + i];
    y[p] = s * inv;
  }
  return y;
};
