// Fast float32 max pooling for the CPU training backend (same semantics as
// reference.ts max mode): the forward saves, per output, the absolute index in x
// of the winning unit (first in row-major scan order on ties; a window of
// padding only yields 0 and index −1), and backward scatters δ to it.
// Shapes: x, dx are (N, C, inH, inW); y, dy, argmax are (N, C, outH, outW).
// Invariants: no allocation per call (window tables at construction, argmax
// owned by the caller); callers check lengths.

import type { Window2d } from "../../../runtime/format/spec.ts";

/** Clipped input range [lo, hi) of each output window along one axis. */
function windows(outLen: number, k: number, s: number, p: number, len: number): Int32Array {
  const r = new Int32Array(2 * outLen);
  for (let o = 0; o < outLen; o++) {
    const start = o * s - p;
    const lo = Math.max(0, start);
    r[2 * o] = lo;
    r[2 * o + 1] = Math.max(lo, Math.min(len, start + k));
  }
  return r;
}

export class MaxPool32 {
  readonly g: Window2d;
  readonly #rows: Int32Array;
  readonly #cols: Int32Array;

  constructor(g: Window2d) {
    this.g = g;
    this.#rows = windows(g.outH, g.kh, g.sh, g.pt, g.inH);
    this.#cols = windows(g.outW, g.kw, g.sw, g.pl, g.inW);
  }

  forward(x: Float32Array, y: Float32Array, argmax: Int32Array, batch: number): void {
    const { kh, kw, sh, sw, pt, pl, inC, inH, inW, outH, outW } = this.g;
    if (
      kh === 2 && kw === 2 && sh === 2 && sw === 2 && pt === 0 && pl === 0 && 2 * outH <= inH &&
      2 * outW <= inW
    ) {
      this.#forward2x2(x, y, argmax, batch);
      return;
    }
    const rows = this.#rows, cols = this.#cols;
    const inPlane = inH * inW, outPlane = outH * outW, planes = batch * inC;
    for (let p = 0; p < planes; p++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = rows[2 * oy], iy1 = rows[2 * oy + 1];
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = cols[2 * ox], ix1 = cols[2 * ox + 1];
          const o = p * outPlane + oy * outW + ox;
          if (iy0 >= iy1 || ix0 >= ix1) {
            y[o] = 0;
            argmax[o] = -1;
            continue;
          }
          let acc = -Infinity, arg = -1;
          for (let iy = iy0; iy < iy1; iy++) {
            const r = p * inPlane + iy * inW;
            for (let ix = ix0; ix < ix1; ix++) {
              const t = x[r + ix];
              if (t > acc) {
                acc = t;
                arg = r + ix;
              }
            }
          }
          if (arg < 0) arg = p * inPlane + iy0 * inW + ix0; // all −∞/NaN: first cell wins, y = −∞
          y[o] = acc;
          argmax[o] = arg;
        }
      }
    }
  }

  /** 2×2 windows, stride 2, no padding, every window inside x: the same scan, unrolled. */
  #forward2x2(x: Float32Array, y: Float32Array, argmax: Int32Array, batch: number): void {
    const { inC, inH, inW, outH, outW } = this.g;
    const inPlane = inH * inW, outPlane = outH * outW, planes = batch * inC;
    for (let p = 0; p < planes; p++) {
      for (let oy = 0; oy < outH; oy++) {
        const r0 = p * inPlane + 2 * oy * inW, r1 = r0 + inW;
        const o0 = p * outPlane + oy * outW;
        for (let ox = 0; ox < outW; ox++) {
          const i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
          let acc = -Infinity, arg = -1, t = x[i0];
          if (t > acc) acc = t, arg = i0;
          t = x[i0 + 1];
          if (t > acc) acc = t, arg = i0 + 1;
          t = x[i2];
          if (t > acc) acc = t, arg = i2;
          t = x[i2 + 1];
          if (t > acc) acc = t, arg = i2 + 1;
          y[o0 + ox] = acc;
          argmax[o0 + ox] = arg < 0 ? i0 : arg;
        }
      }
    }
  }

  /** dx (overwritten) from dy through the saved argmax. */
  backward(dy: Float32Array, argmax: Int32Array, dx: Float32Array, batch: number): void {
    const { inC, inH, inW, outH, outW } = this.g;
    dx.fill(0, 0, batch * inC * inH * inW);
    const n = batch * inC * outH * outW;
    for (let o = 0; o < n; o++) {
      const a = argmax[o];
      if (a >= 0) dx[a] += dy[o];
    }
  }
}
