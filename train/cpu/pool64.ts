// Float64 reference pooling (max / avg / l2 over 2-D windows, 1-D as kh = 1)
// and global average pooling, with their backward passes.
// Shapes: x is (N, C, inH, inW); y, dy are (N, C, outH, outW).
// Border semantics match runtime/cpu/pool.ts: avg divides by kh·kw counting
// padded cells as zero; l2 = sqrt(Σ x²) with padded cells zero; max ignores
// padded cells; a window of padding only yields 0 and passes no gradient.
// Backward: max routes δ to the winning unit (ties: first in scan order,
// row-major within the window); avg spreads δ/(kh·kw); l2 spreads δ·x/y
// (0 where y = 0); global average spreads δ/spatial.

import type { PoolMode, Window2d } from "../../runtime/spec.ts";

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

/** Pool forward. Returns y and, for max, the absolute index in x of each winner (−1: none). */
export function poolForward64(
  g: Window2d,
  mode: PoolMode,
  x: Float64Array,
  batch: number,
): { y: Float64Array; argmax: Int32Array | null } {
  const { kh, kw, sh, sw, pt, pl, inC, inH, inW, outH, outW } = g;
  const rows = windows(outH, kh, sh, pt, inH);
  const cols = windows(outW, kw, sw, pl, inW);
  const inPlane = inH * inW, outPlane = outH * outW, planes = batch * inC;
  const y = new Float64Array(planes * outPlane);
  const argmax = mode === "max" ? new Int32Array(y.length).fill(-1) : null;
  const inv = 1 / (kh * kw);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = rows[2 * oy], iy1 = rows[2 * oy + 1];
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = cols[2 * ox], ix1 = cols[2 * ox + 1];
        const o = p * outPlane + oy * outW + ox;
        if (iy0 >= iy1 || ix0 >= ix1) continue; // only padding: 0
        let acc = mode === "max" ? -Infinity : 0;
        let arg = -1;
        for (let iy = iy0; iy < iy1; iy++) {
          const r = p * inPlane + iy * inW;
          for (let ix = ix0; ix < ix1; ix++) {
            const t = x[r + ix];
            if (mode === "max") {
              if (t > acc) {
                acc = t;
                arg = r + ix;
              }
            } else if (mode === "avg") acc += t;
            else acc += t * t;
          }
        }
        if (mode === "max") {
          if (arg < 0) arg = p * inPlane + iy0 * inW + ix0; // all −∞/NaN: first cell wins
          y[o] = acc;
          argmax![o] = arg;
        } else y[o] = mode === "avg" ? acc * inv : Math.sqrt(acc);
      }
    }
  }
  return { y, argmax };
}

/** Pool backward: dx (like x) from dy. `y` and `argmax` come from poolForward64. */
export function poolBackward64(
  g: Window2d,
  mode: PoolMode,
  x: Float64Array,
  y: Float64Array,
  argmax: Int32Array | null,
  dy: Float64Array,
  batch: number,
): Float64Array {
  const dx = new Float64Array(x.length);
  if (mode === "max") {
    for (let o = 0; o < dy.length; o++) {
      const a = argmax![o];
      if (a >= 0) dx[a] += dy[o];
    }
    return dx;
  }
  const { kh, kw, sh, sw, pt, pl, inC, inH, inW, outH, outW } = g;
  const rows = windows(outH, kh, sh, pt, inH);
  const cols = windows(outW, kw, sw, pl, inW);
  const inPlane = inH * inW, outPlane = outH * outW, planes = batch * inC;
  const inv = 1 / (kh * kw);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = rows[2 * oy], iy1 = rows[2 * oy + 1];
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = cols[2 * ox], ix1 = cols[2 * ox + 1];
        const o = p * outPlane + oy * outW + ox;
        if (mode === "avg") {
          const d = dy[o] * inv;
          for (let iy = iy0; iy < iy1; iy++) {
            const r = p * inPlane + iy * inW;
            for (let ix = ix0; ix < ix1; ix++) dx[r + ix] += d;
          }
        } else {
          if (y[o] === 0) continue;
          const d = dy[o] / y[o];
          for (let iy = iy0; iy < iy1; iy++) {
            const r = p * inPlane + iy * inW;
            for (let ix = ix0; ix < ix1; ix++) dx[r + ix] += d * x[r + ix];
          }
        }
      }
    }
  }
  return dx;
}

/** Global average pool: x is (N, C, spatial) → (N, C). */
export function gapForward64(c: number, spatial: number, x: Float64Array, batch: number): Float64Array {
  const y = new Float64Array(batch * c);
  for (let p = 0; p < batch * c; p++) {
    let s = 0;
    for (let i = 0; i < spatial; i++) s += x[p * spatial + i];
    y[p] = s / spatial;
  }
  return y;
}

/** Global average pool backward: dy (N, C) → dx (N, C, spatial). */
export function gapBackward64(c: number, spatial: number, dy: Float64Array, batch: number): Float64Array {
  const dx = new Float64Array(batch * c * spatial);
  for (let p = 0; p < batch * c; p++) dx.fill(dy[p] / spatial, p * spatial, (p + 1) * spatial);
  return dx;
}
