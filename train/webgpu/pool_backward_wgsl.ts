// WGSL backward kernels of pooling (max / avg / l2, 2-D window form; 1-D has
// kh = sh = 1, inH = outH = 1) and of global average pooling. Gather form:
// one thread per input cell visits the output windows that contain it.
//   max: δ goes to the first winning valid cell of the window in scan order
//        (the window's argmax is recomputed from x; padded cells never win);
//   avg: δ/(kh·kw) to every cell (padded cells count as zeros in forward);
//   l2:  δ·x/y, and 0 where y = 0.
// Shapes: x is (N, C, inH, inW); y, dy are (N, C, outH, outW); dx like x.
// Bindings: poolBackwardReads(mode) in order (avg: dy; max: x, dy; l2: x, y,
// dy), then dx (write). globalavgpool: 0 dy (N, C), 1 dx (N, C, spatial).

import type { PoolMode, Window2d } from "../../runtime/spec.ts";
import { elementwise, f32, type Kernel } from "./wgsl_util.ts";

/** The read-only inputs the backward kernel of `mode` binds, in binding order (dx follows). */
export function poolBackwardReads(mode: PoolMode): ("x" | "y" | "dy")[] {
  return mode === "avg" ? ["dy"] : mode === "max" ? ["x", "dy"] : ["x", "y", "dy"];
}

/** dx for pooling. */
export function poolBackward(g: Window2d, mode: PoolMode, batch: number): Kernel {
  const count = batch * g.inC * g.inH * g.inW;
  const names = poolBackwardReads(mode);
  const bind =
    names.map((n, k) => `@group(0) @binding(${k}) var<storage, read> ${n}: array<f32>;`).join("\n") +
    `\n@group(0) @binding(${names.length}) var<storage, read_write> dx: array<f32>;`;
  const decls = `
const IH = ${g.inH}; const IW = ${g.inW}; const OH = ${g.outH}; const OW = ${g.outW};
const KH = ${g.kh}; const KW = ${g.kw}; const SH = ${g.sh}; const SW = ${g.sw};
const PT = ${g.pt}; const PL = ${g.pl};
${bind}`;
  let contrib: string;
  if (mode === "avg") {
    contrib = `s += dy[o] * ${f32(1 / (g.kh * g.kw))};`;
  } else if (mode === "l2") {
    contrib = `let yv = y[o];
        if (yv > 0.0) { s += dy[o] * x[i] / yv; }`;
  } else {
    contrib = `// first valid cell of the window with the largest value (strict >)
        let y0 = max(oy * SH - PT, 0);
        let y1 = min(oy * SH - PT + KH, IH);
        let x0 = max(ox * SW - PL, 0);
        let x1 = min(ox * SW - PL + KW, IW);
        var best = x[inBase + u32(y0 * IW + x0)];
        var bi = y0 * IW + x0;
        for (var wy = y0; wy < y1; wy++) {
          for (var wx = x0; wx < x1; wx++) {
            let v = x[inBase + u32(wy * IW + wx)];
            if (v > best) { best = v; bi = wy * IW + wx; }
          }
        }
        if (bi == iy * IW + ix) { s += dy[o]; }`;
  }
  const body = `
  let ix = i32(i % u32(IW));
  let iy = i32((i / u32(IW)) % u32(IH));
  let plane = i / u32(IH * IW);
  let inBase = plane * u32(IH * IW);
  let outBase = plane * u32(OH * OW);
  // windows oy with oy*SH - PT <= iy <= oy*SH - PT + KH - 1
  let oyLo = max(0, (iy + PT - KH + SH) / SH);
  let oyHi = min(OH - 1, (iy + PT) / SH);
  let oxLo = max(0, (ix + PL - KW + SW) / SW);
  let oxHi = min(OW - 1, (ix + PL) / SW);
  var s = 0.0;
  for (var oy = oyLo; oy <= oyHi; oy++) {
    for (var ox = oxLo; ox <= oxHi; ox++) {
      let o = outBase + u32(oy * OW + ox);
      if (oy * SH - PT + KH > iy && ox * SW - PL + KW > ix) {
        ${contrib}
      }
    }
  }
  dx[i] = s;`;
  return elementwise(`${mode}pool dX`, decls, count, body);
}

/** dx (N, C, spatial) = dy (N, C) / spatial. */
export function globalAvgPoolBackward(c: number, spatial: number, batch: number): Kernel {
  const decls = `
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;`;
  return elementwise(
    "globalavgpool dX",
    decls,
    batch * c * spatial,
    `  dx[i] = dy[i / ${spatial}u] * ${f32(1 / spatial)};`,
  );
}
