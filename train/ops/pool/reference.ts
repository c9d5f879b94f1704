// Float64 reference pooling (max / avg / l2 over 2-D windows, 1-D as kh = 1)
// and global average pooling, with their backward passes.
// Shapes: x is (N, C, inH, inW); y, dy are (N, C, outH, outW).
// Border semantics match runtime/ops/pool/pool_direct.ts: avg divides by kh·kw counting
// padded cells as zero; l2 = sqrt(Σ x²) with padded cells zero; max ignores
// padded cells; a window of padding only yields 0 and passes no gradient.
// Backward: max routes δ to the winning unit (ties: first in scan order,
// row-major within the window); avg spreads δ/(kh·kw); l2 spreads δ·x/y
// (0 where y = 0); global average spreads δ/spatial.

import type { PoolMode, Window2d } from "../../../runtime/format/spec.ts";

/** Calls `f(o, cells)` for every output cell o with the input indices of its window that are real cells (row-major scan order). */
function forEachWindow(g: Window2d, batch: number, f: (o: number, cells: number[]) => void): void {
  const cells: number[] = [];
  for (let p = 0; p < batch * g.inC; p++) { // p = one (sample, channel) plane
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        cells.length = 0;
        for (let u = 0; u < g.kh; u++) {
          const iy = oy * g.sh - g.pt + u * g.dh;
          if (iy < 0 || iy >= g.inH) continue; // padding
          for (let v = 0; v < g.kw; v++) {
            const ix = ox * g.sw - g.pl + v * g.dw;
            if (ix >= 0 && ix < g.inW) cells.push((p * g.inH + iy) * g.inW + ix);
          }
        }
        f((p * g.outH + oy) * g.outW + ox, cells);
      }
    }
  }
}

/**
 * Pool forward. Returns y and, for max, the absolute index in x of each winner (−1: none).
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../../runtime/format/spec.ts";
 * import { poolForward64 } from "./reference.ts";
 * const l = resolveLayer({ type: "maxpool1d", size: 2 }, [1, 4]);
 * if (l.op !== "pool") throw new Error();
 * const { y, argmax } = poolForward64(l, "max", Float64Array.of(1, 3, 2, 0), 1);
 * if (y.join() !== "3,2" || argmax!.join() !== "1,2") throw new Error(y.join());
 * ```
 */
export function poolForward64(
  g: Window2d,
  mode: PoolMode,
  x: Float64Array,
  batch: number,
): { y: Float64Array; argmax: Int32Array | null } {
  const y = new Float64Array(batch * g.inC * g.outH * g.outW);
  const argmax = mode === "max" ? new Int32Array(y.length).fill(-1) : null;
  forEachWindow(g, batch, (o, cells) => {
    if (cells.length === 0) return; // only padding: 0
    if (mode === "max") {
      let arg = cells[0]; // all −∞/NaN: the first cell wins
      for (const c of cells) if (x[c] > x[arg]) arg = c;
      y[o] = x[arg];
      argmax![o] = arg;
    } else if (mode === "avg" || mode === "avgvalid") {
      let s = 0;
      for (const c of cells) s += x[c];
      y[o] = s / (mode === "avg" ? g.kh * g.kw : cells.length); // avg: padded cells count as zeros
    } else {
      let s = 0;
      for (const c of cells) s += x[c] * x[c];
      y[o] = Math.sqrt(s);
    }
  });
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
  forEachWindow(g, batch, (o, cells) => {
    if (mode === "max") {
      // in the forward pass y[o] was the window's first largest cell: δ goes to that winner alone
      if (argmax![o] >= 0) dx[argmax![o]] += dy[o];
    } else if (mode === "avg" || mode === "avgvalid") {
      // in the forward pass y[o] = Σ cells / n (avg: n = the window, padding as zeros; avgvalid: the real cells)
      const n = mode === "avg" ? g.kh * g.kw : cells.length;
      for (const c of cells) dx[c] += dy[o] / n;
    } else if (y[o] !== 0) {
      // in the forward pass y[o] = √(Σ x²) over the cells: ∂y/∂x = x/y (0 where y = 0)
      for (const c of cells) dx[c] += dy[o] * x[c] / y[o];
    }
  });
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
  // in the forward pass y[p] was the mean of its plane's `spatial` values: each gets δ/spatial
  for (let p = 0; p < batch * c; p++) dx.fill(dy[p] / spatial, p * spatial, (p + 1) * spatial);
  return dx;
}
