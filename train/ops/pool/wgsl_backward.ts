// WGSL backward kernels of pooling (max / avg / l2, 2-D window form; 1-D has
// kh = sh = 1, inH = outH = 1) and of global average pooling. Gather form:
// one thread per input cell visits the output windows that contain it.
//   max: δ goes to the first winning valid cell of the window in scan order
//        (the window's argmax is recomputed from x; padded cells never win);
//   avg: δ/(kh·kw) to every cell (padded cells count as zeros in forward);
//   l2:  δ·x/y, and 0 where y = 0.
// Shapes: x is (N, C, inH, inW); y, dy are (N, C, outH, outW); dx like x.
// Bindings: 0 uniforms (the window geometry, i32), then
// poolBackwardReads(mode) in order (avg: dy; max: x, dy; l2: x, y, dy), then
// dx (write). globalavgpool: 1 dy (N, C), 2 dx (N, C, spatial).
// Tiled max-pool form (maxPoolBackwardTiled, windows that tile the input:
// kh = sh, kw = sw): one thread per tile recomputes its window's argmax once
// and writes all of the tile's dx cells (the winner gets δ, the rest 0; tiles
// past the last window, e.g. a ragged edge, write 0). With `reluMask` the
// pool input x is the output of a ReLU and the kernel writes the gradient
// w.r.t. the ReLU's input instead: δ·[x_winner > 0] (ReLU backward folded in).

import type { PoolMode, Window2d } from "../../../runtime/format/spec.ts";
import {
  baked,
  type Binding,
  type Dim,
  elementwise,
  type Kernel,
  windowDims,
} from "../../webgpu/training_kernel.ts";

/** WGSL: the input cell (ix, iy) of thread i, its plane's input and output bases. */
const CELL = `
  let ix = i32(i % u32(IW));
  let iy = i32((i / u32(IW)) % u32(IH));
  let plane = i / u32(IH * IW);
  let inBase = plane * u32(IH * IW);
  let outBase = plane * u32(OH * OW);
`;

/** The read-only inputs the backward kernel of `mode` binds, in binding order (dx follows). */
export function poolBackwardReads(mode: PoolMode): ("x" | "y" | "dy")[] {
  return mode === "avg" || mode === "avgvalid" ? ["dy"] : mode === "max" ? ["x", "dy"] : ["x", "y", "dy"];
}

/** dx for pooling. */
export function poolBackward(g: Window2d, mode: PoolMode, batch: number): Kernel {
  const count = batch * g.inC * g.inH * g.inW;
  const decls: Binding[] = [...poolBackwardReads(mode).map((n) => [n, "read"] as const), [
    "dx",
    "read_write",
  ]];
  let contrib: string;
  if (mode === "avg") {
    contrib = `s += dy[o] / f32(KH * KW);`;
  } else if (mode === "avgvalid") {
    // divided by the window's real cells, as in the forward
    contrib = `let cy = min(oy * SH - PT + KH, IH) - max(oy * SH - PT, 0);
        let cx = min(ox * SW - PL + KW, IW) - max(ox * SW - PL, 0);
        s += dy[o] / f32(cy * cx);`;
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
  const body = `${CELL}  // windows oy with oy*SH - PT <= iy <= oy*SH - PT + KH - 1
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
  return elementwise(`${mode}pool dX`, windowDims(g), decls, count, body);
}

/** Whether maxPoolBackwardTiled handles this window (non-overlapping windows that tile the input). */
export function maxPoolTiles(g: Window2d): boolean {
  return g.kh === g.sh && g.kw === g.sw && g.dh === 1 && g.dw === 1;
}

/**
 * dx of a dilated max pool: one thread per input cell (iy, ix) visits each window that has a tap on it
 * (oy·SH − PT + u·DH = iy) and adds that window's δ when the cell is its winner (the first largest tap in
 * row-major tap order, as the reference). Bindings: 1 x, 2 dy, 3 dx.
 */
export function dilatedMaxPoolBackward(g: Window2d, batch: number): Kernel {
  const decls: Binding[] = [["x", "read"], ["dy", "read"], ["dx", "read_write"]];
  const body = `${CELL}  var s = 0.0;
  for (var u = 0; u < KH; u++) {
    let ty = iy + PT - u * DH;
    if (ty < 0 || ty % SH != 0 || ty / SH >= OH) { continue; }
    let oy = ty / SH;
    for (var v = 0; v < KW; v++) {
      let tx = ix + PL - v * DW;
      if (tx < 0 || tx % SW != 0 || tx / SW >= OW) { continue; }
      let ox = tx / SW;
      // the window's winner: the first tap inside the input with the largest value (strict >)
      var best = 0.0;
      var bi = -1;
      for (var a = 0; a < KH; a++) {
        let wy = oy * SH - PT + a * DH;
        if (wy < 0 || wy >= IH) { continue; }
        for (var b = 0; b < KW; b++) {
          let wx = ox * SW - PL + b * DW;
          if (wx < 0 || wx >= IW) { continue; }
          let val = x[inBase + u32(wy * IW + wx)];
          if (bi < 0 || val > best) { best = val; bi = wy * IW + wx; }
        }
      }
      if (bi == iy * IW + ix) { s += dy[outBase + u32(oy * OW + ox)]; }
    }
  }
  dx[i] = s;`;
  return elementwise("dilated maxpool dX", windowDims(g), decls, batch * g.inC * g.inH * g.inW, body);
}

/**
 * dx for max pooling whose windows tile the input (maxPoolTiles). Bindings
 * as poolBackward "max": 1 x, 2 dy, 3 dx. With reluMask, dx = δ·[x > 0] at
 * the winner (x is the ReLU output feeding the pool).
 */
export function maxPoolBackwardTiled(g: Window2d, batch: number, reluMask = false): Kernel {
  if (!maxPoolTiles(g)) {
    throw new TypeError(
      `tiled max-pool backward needs kernel = stride, got kernel ${g.kh}×${g.kw}, stride ${g.sh}×${g.sw}`,
    );
  }
  const ty = Math.ceil((g.inH + g.pt) / g.sh), tx = Math.ceil((g.inW + g.pl) / g.sw);
  const count = batch * g.inC * ty * tx;
  const decls = [["x", "read"], ["dy", "read"], ["dx", "read_write"]] as const;
  // baked: the layer's window and sizes (not the batch); its window loops then unroll (1.3× faster on llvmpipe)
  const dims = ([...windowDims(g), ["TY", "i32", ty], ["TX", "i32", tx]] as Dim[]).map(baked);
  const body = `
  let tx = i32(i % u32(TX));
  let ty = i32((i / u32(TX)) % u32(TY));
  let plane = i / u32(TY * TX);
  let inBase = plane * u32(IH * IW);
  let y0 = ty * SH - PT;
  let x0 = tx * SW - PL;
  let ylo = max(y0, 0);
  let yhi = min(y0 + SH, IH);
  let xlo = max(x0, 0);
  let xhi = min(x0 + SW, IW);
  var d = 0.0;
  var bi = -1;
  if (ty < OH && tx < OW && ylo < yhi && xlo < xhi) {
    // first valid cell of the window with the largest value (strict >)
    var best = x[inBase + u32(ylo * IW + xlo)];
    bi = ylo * IW + xlo;
    for (var wy = ylo; wy < yhi; wy++) {
      for (var wx = xlo; wx < xhi; wx++) {
        let v = x[inBase + u32(wy * IW + wx)];
        if (v > best) { best = v; bi = wy * IW + wx; }
      }
    }
    d = dy[plane * u32(OH * OW) + u32(ty * OW + tx)];${
    reluMask ? "\n    d = select(0.0, d, best > 0.0);" : ""
  }
  }
  for (var wy = ylo; wy < yhi; wy++) {
    for (var wx = xlo; wx < xhi; wx++) {
      let c = wy * IW + wx;
      dx[inBase + u32(c)] = select(0.0, d, c == bi);
    }
  }`;
  return elementwise(`maxpool dX tiled${reluMask ? "+relu" : ""}`, dims, decls, count, body);
}

/** dx (N, C, spatial) = dy (N, C) / spatial. */
export function globalAvgPoolBackward(c: number, spatial: number, batch: number): Kernel {
  return elementwise(
    "globalavgpool dX",
    [["S", "u32", spatial]],
    [["dy", "read"], ["dx", "read_write"]],
    batch * c * spatial,
    `  dx[i] = dy[i / S] / f32(S);`,
  );
}
