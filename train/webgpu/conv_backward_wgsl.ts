// WGSL backward kernels of convolution (conv2d and conv1d in the unified 2-D
// window form of runtime/spec.ts), with stride, dilation, asymmetric padding
// and groups. Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw);
// dy = δ is (N, outC, outH, outW).
//   dX = full correlation of δ with the 180°-rotated kernel, as a gather: one
//        thread per input cell sums the (oc, ky, kx) taps whose output lands
//        on it, so there are no atomics;
//   dW = valid correlation of x with δ: one workgroup per weight reduces over
//        (n, oy, ox);
//   db = Σ δ over (n, oy, ox): one workgroup per output channel.
// Bindings: dX: 0 dy (read), 1 w (read), 2 dx (write);
//           dW: 0 dy, 1 x, 2 dw;  db: 0 dy, 1 db.

import type { Window2d } from "../../runtime/spec.ts";
import { elementwise, type Kernel, reduction, WG } from "./wgsl_util.ts";

export type ConvGeom = Window2d & { groups: number };

function consts(g: ConvGeom, batch: number): string {
  return `
const N = ${batch}u;
const IC = ${g.inC}u; const IH = ${g.inH}; const IW = ${g.inW};
const OC = ${g.outC}u; const OH = ${g.outH}; const OW = ${g.outW};
const KH = ${g.kh}; const KW = ${g.kw}; const SH = ${g.sh}; const SW = ${g.sw};
const DH = ${g.dh}; const DW = ${g.dw}; const PT = ${g.pt}; const PL = ${g.pl};
const ICG = ${g.inC / g.groups}u; const OCG = ${g.outC / g.groups}u;`;
}

/** dx (N, inC, inH, inW) from dy and w. */
export function convBackwardInput(g: ConvGeom, batch: number): Kernel {
  const count = batch * g.inC * g.inH * g.inW;
  const decls = `${consts(g, batch)}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;`;
  const body = `
  let ix = i32(i % u32(IW));
  var r = i / u32(IW);
  let iy = i32(r % u32(IH));
  r = r / u32(IH);
  let ic = r % IC;
  let n = r / IC;
  let grp = ic / ICG;
  let icl = ic % ICG;
  var s = 0.0;
  for (var ocl = 0u; ocl < OCG; ocl++) {
    let oc = grp * OCG + ocl;
    let dyBase = (n * OC + oc) * u32(OH * OW);
    let wBase = (oc * ICG + icl) * u32(KH * KW);
    for (var ky = 0; ky < KH; ky++) {
      let ty = iy + PT - ky * DH;
      if (ty < 0 || ty % SH != 0) { continue; }
      let oy = ty / SH;
      if (oy >= OH) { continue; }
      for (var kx = 0; kx < KW; kx++) {
        let tx = ix + PL - kx * DW;
        if (tx < 0 || tx % SW != 0) { continue; }
        let ox = tx / SW;
        if (ox >= OW) { continue; }
        s += dy[dyBase + u32(oy * OW + ox)] * w[wBase + u32(ky * KW + kx)];
      }
    }
  }
  dx[i] = s;`;
  return elementwise("conv dX", decls, count, body);
}

/** dw (outC, inC/groups, kh, kw) from dy and x. */
export function convBackwardWeight(g: ConvGeom, batch: number): Kernel {
  const count = g.outC * (g.inC / g.groups) * g.kh * g.kw;
  const decls = `${consts(g, batch)}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;`;
  const body = `
    let kx = i32(o % u32(KW));
    var r = o / u32(KW);
    let ky = i32(r % u32(KH));
    r = r / u32(KH);
    let icl = r % ICG;
    let oc = r / ICG;
    let ic = (oc / OCG) * ICG + icl;
    let plane = u32(OH * OW);
    for (var p = t; p < N * plane; p += ${WG}u) {
      let n = p / plane;
      let q = p % plane;
      let oy = i32(q / u32(OW));
      let ox = i32(q % u32(OW));
      let iy = oy * SH - PT + ky * DH;
      let ix = ox * SW - PL + kx * DW;
      if (iy >= 0 && iy < IH && ix >= 0 && ix < IW) {
        acc += dy[(n * OC + oc) * plane + q] * x[((n * IC + ic) * u32(IH) + u32(iy)) * u32(IW) + u32(ix)];
      }
    }`;
  return reduction("conv dW", decls, count, body, "    dw[o] = total;");
}

/** db (outC) from dy. */
export function convBackwardBias(g: ConvGeom, batch: number): Kernel {
  const decls = `${consts(g, batch)}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> db: array<f32>;`;
  const body = `
    let plane = u32(OH * OW);
    for (var p = t; p < N * plane; p += ${WG}u) {
      acc += dy[((p / plane) * OC + o) * plane + p % plane];
    }`;
  return reduction("conv db", decls, g.outC, body, "    db[o] = total;");
}
