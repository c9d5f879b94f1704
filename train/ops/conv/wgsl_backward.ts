// WGSL backward kernels of convolution (conv2d and conv1d in the unified 2-D
// window form of runtime/format/spec.ts), with stride, dilation, asymmetric padding
// and groups. Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw);
// dy = δ is (N, outC, outH, outW).
//   dX = full correlation of δ with the 180°-rotated kernel, as a gather: one
//        thread per run of input cells (× a block of input channels; for
//        strides > 1 the cells of one phase, SW apart) sums the (oc, ky, kx)
//        taps whose output lands on them, so there are no atomics;
//   dW = valid correlation of x with δ: one thread per (tap, block of output
//        channels) loops over (n, oy, ox);
//   db = Σ δ over (n, oy, ox): one workgroup per output channel.
// Bindings: 0 uniforms (convDims), dX: 1 dy (read), 2 w (read), 3 dx
// (write); dW: 1 dy, 2 x, 3 dw;  db: 1 dy, 2 db.

import type { ConvGeometry } from "../../../runtime/ops/conv/geometry.ts";
import {
  baked,
  type Binding,
  type Dim,
  elementwise,
  type Kernel,
  reduction,
  rep,
  WG,
  windowDims,
} from "../../webgpu/training_kernel.ts";

export type ConvGeom = ConvGeometry;

/** The conv geometry as uniform dims (counts u32, window coordinates i32). */
export function convDims(g: ConvGeom, batch: number): Dim[] {
  return [
    ["N", "u32", batch],
    ["IC", "u32", g.inC],
    ["OC", "u32", g.outC],
    ["ICG", "u32", g.inC / g.groups],
    ["OCG", "u32", g.outC / g.groups],
    ...windowDims(g),
  ];
}

/** Every dim but the batch N baked: the layer's own sizes as WGSL constants (see the kernels that use it). */
export const layerBaked = (dims: Dim[]): Dim[] =>
  dims.map((d) => d[0] === "N" || d[0] === "NPER" ? d : baked(d));

/** dy, weights → dx bindings (1, 2, 3). */
const DX_DECLS: Binding[] = [["dy", "read"], ["w", "read"], ["dx", "read_write"]];

/** FLOPs of the forward pass (and of each of dX, dW): 2 per multiply-add. */
export function convFlops(g: ConvGeom, batch: number): number {
  return 2 * batch * g.outC * g.outH * g.outW * (g.inC / g.groups) * g.kh * g.kw;
}

/** Largest of `opts` that divides `n`. */
function block(n: number, opts: number[]): number {
  return opts.find((b) => n % b === 0) ?? 1;
}

/**
 * dx, register-blocked like the forward conv: one thread per (n, block of B = 16, 8 or 4 input channels of
 * one group, iy, PX = 8 (or 4 when a row has ≤ 4 cells of a phase) input columns of one phase, ix ≡ p mod SW,
 * SW apart — consecutive columns at stride 1) holds B·PX/4 vec4 accumulators. The columns of one phase share
 * their valid taps and read consecutive dy columns, so per (ky, kx, output channel) a thread loads PX dy
 * values (outside the output: 0 through clamped indices) and B weights for PX·B multiply-adds; rows and
 * columns test their tap once. Channels past the group and columns past the row are never written.
 * (resnet-s's stride-2 3×3 dX at batch 128 on llvmpipe: 54 / 47 ms with the per-cell gather kernel this
 * replaced for strides > 1, 20 / 12.5 ms.)
 */
export function convBackwardInput(g: ConvGeom, batch: number): Kernel {
  const icg = g.inC / g.groups;
  // 16 only where it wastes few slots (a group of 20 runs as 3 × 8, not 2 × 16)
  const B = icg % 16 === 0 || icg >= 32 ? 16 : icg >= 8 ? 8 : 4;
  const PX = Math.ceil(g.inW / g.sw) > 4 ? 8 : 4, V = PX / 4;
  const seg = (f: (v: number) => string) => rep(V, f);
  // the columns of one phase (ix ≡ p mod SW) read consecutive dy columns: PX of them per thread
  const nb = Math.ceil(icg / B), nx = g.sw * Math.ceil(Math.ceil(g.inW / g.sw) / PX);
  const count = batch * g.groups * nb * g.inH * nx;
  const dims: Dim[] = [...convDims(g, batch), ["NX", "u32", nx], ["NB", "u32", nb], [
    "GROUPS",
    "u32",
    g.groups,
  ]];
  const body = `
  let xb = i % NX;
  var r = i / NX;
  let iy = i32(r % u32(IH));
  r = r / u32(IH);
  let blk = r % NB;
  r = r / NB;
  let grp = r % GROUPS;
  let n = r / GROUPS;
  let icl0 = blk * ${B}u;
  let kk = u32(KH * KW);
${rep(B, (j) => `  let w${j} = min(icl0 + ${j}u, ICG - 1u) * kk;`)}
  let ph = i32(xb % u32(SW));
  let ix0 = ph + i32(xb / u32(SW)) * ${PX} * SW;
  let plane = u32(OH * OW);
${rep(B, (j) => seg((v) => `  var a${j}_${v} = vec4<f32>(0.0);`))}
  for (var ky = 0; ky < KH; ky++) {
    let ty = iy + PT - ky * DH;
    if (ty < 0 || ty % SH != 0) { continue; }
    let oy = ty / SH;
    if (oy >= OH) { continue; }
    for (var kx = 0; kx < KW; kx++) {
      let tx = ix0 + PL - kx * DW;
      // every lane of this phase has the same divisibility; an exact quotient truncates correctly;
      // the remainder is of a non-negative number (GL: i32 % of a negative is unsigned, -1 % 3 = 0)
      if ((tx + SW * KW * DW) % SW != 0) { continue; }
      let oxb = tx / SW;
${
    seg((v) =>
      `      let ox${v} = vec4<i32>(oxb) + vec4<i32>(${4 * v}, ${4 * v + 1}, ${4 * v + 2}, ${4 * v + 3});
      let ok${v} = (ox${v} >= vec4<i32>(0)) & (ox${v} < vec4<i32>(OW));
      var di${v} = vec4<u32>(clamp(ox${v}, vec4<i32>(0), vec4<i32>(OW - 1))) +
        vec4<u32>((n * OC + grp * OCG) * plane + u32(oy * OW));`
    )
  }
      var wi = (grp * OCG) * ICG * kk + u32(ky * KW + kx);
      for (var ocl = 0u; ocl < OCG; ocl++) {
${
    seg((v) =>
      `        let dv${v} = select(vec4<f32>(0.0), vec4<f32>(dy[di${v}.x], dy[di${v}.y], dy[di${v}.z], dy[di${v}.w]), ok${v});`
    )
  }
${
    rep(B, (j) =>
      `        let wv${j} = w[wi + w${j}];
` + seg((v) => `        a${j}_${v} += wv${j} * dv${v};`))
  }
${seg((v) => `        di${v} += vec4<u32>(plane);`)}
        wi += ICG * kk;
      }
    }
  }
  // this phase's columns left from ix0, SW apart
  let cols = min(${PX}u, u32(max(0, (IW - ix0 + SW - 1) / SW)));
  let o = ((n * IC + grp * ICG + icl0) * u32(IH) + u32(iy)) * u32(IW) + u32(ix0);
${
    rep(B, (j) =>
      `  if (icl0 + ${j}u < ICG) {
${
        seg((v) =>
          `    for (var k = ${4 * v}u; k < min(cols, ${
            4 * v + 4
          }u); k++) { dx[o + ${j}u * u32(IH * IW) + k * u32(SW)] = a${j}_${v}[k - ${4 * v}u]; }`
        )
      }
  }`)
  }`;
  const label = g.sh === 1 && g.sw === 1 ? "conv dX unit" : "conv dX strided";
  return { ...elementwise(label, dims, DX_DECLS, count, body), flops: convFlops(g, batch) };
}

/**
 * dw (outC, inC/groups, kh, kw) from dy and x. One thread per (block of OCB
 * output channels of one group, tap (icl, ky, kx)), looping over n and the
 * tap's valid output rows/columns (precomputed, so no per-element bounds
 * checks); each x value loaded feeds OCB accumulators.
 */
export function convBackwardWeight(g: ConvGeom, batch: number): Kernel {
  return g.kw <= 5 ? convBackwardWeightRows(g, batch) : convBackwardWeightTaps(g, batch);
}

/** The bindings of the dW kernels: dy, x → dw. */
const DW_BINDINGS: Binding[] = [["dy", "read"], ["x", "read"], ["dw", "read_write"]];

/** The dW kernels' valid-output-range helpers. */
const DW_RANGE =
  `// smallest o >= 0 with o*s + off >= 0, and one past the largest with o*s + off < len (clamped to [0, outLen])
fn lo(off: i32, s: i32, outLen: i32) -> i32 { if (off >= 0) { return 0; } return min(outLen, (-off + s - 1) / s); }
fn hi(off: i32, s: i32, len: i32, outLen: i32) -> i32 {
  if (len - 1 - off < 0) { return 0; }
  return min(outLen, (len - 1 - off) / s + 1);
}`;

/** dw, one thread per (block of output channels, tap); any kernel width. */
export function convBackwardWeightTaps(g: ConvGeom, batch: number): Kernel {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  const B = block(ocg, [8, 4, 2, 1]);
  const taps = icg * g.kh * g.kw;
  const count = (g.outC / B) * taps;
  const dims: Dim[] = [...convDims(g, batch), ["TAPS", "u32", taps]];
  const body = `
  let tap = i % TAPS;
  let oc0 = (i / TAPS) * ${B}u;
  let kx = i32(tap % u32(KW));
  let ky = i32((tap / u32(KW)) % u32(KH));
  let icl = tap / u32(KW * KH);
  let ic = (oc0 / OCG) * ICG + icl;
  let offY = ky * DH - PT;
  let offX = kx * DW - PL;
  let oy0 = lo(offY, SH, OH);
  let oy1 = max(oy0, hi(offY, SH, IH, OH));
  let ox0 = lo(offX, SW, OW);
  let ox1 = max(ox0, hi(offX, SW, IW, OW));
${rep(B, (j) => `  var a${j} = 0.0;`)}
  for (var n = 0u; n < N; n++) {
    let xb = i32((n * IC + ic) * u32(IH * IW));
    let db = (n * OC + oc0) * u32(OH * OW);
    for (var oy = oy0; oy < oy1; oy++) {
      let xr = xb + (oy * SH + offY) * IW + offX;
      let dr = db + u32(oy * OW);
      for (var ox = ox0; ox < ox1; ox++) {
        let xv = x[u32(xr + ox * SW)];
        let d = dr + u32(ox);
${rep(B, (j) => `        a${j} += dy[d + ${j}u * u32(OH * OW)] * xv;`)}
      }
    }
  }
${rep(B, (j) => `  dw[(oc0 + ${j}u) * TAPS + tap] = a${j};`)}`;
  return { ...elementwise("conv dW", dims, DW_BINDINGS, count, body, DW_RANGE), flops: convFlops(g, batch) };
}

/**
 * dw for kernels up to 5 wide, register-blocked: one thread per (block of 4
 * output channels of one group, input channel, kernel row ky) computes the
 * 4 × kw taps of that row. It walks n, the row's valid output rows and the
 * output columns 4 at a time: per step it loads 4 dy vec4s and kw x vec4s
 * (columns in the padding or past the row end read 0 through clamped
 * indices) for 16·kw multiply-adds into 4·kw vec4 accumulators.
 */
export function convBackwardWeightRows(g: ConvGeom, batch: number): Kernel {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  const B = block(ocg, [4, 2, 1]);
  const taps = icg * g.kh * g.kw;
  const count = (g.outC / B) * icg * g.kh;
  const dims: Dim[] = [...convDims(g, batch), ["TAPS", "u32", taps]];
  const K = g.kw;
  const pairs = (f: (j: number, k: number) => string) => rep(B, (j) => rep(K, (k) => f(j, k)));
  const body = `
  let ky = i32(i % u32(KH));
  let icl = (i / u32(KH)) % ICG;
  let oc0 = (i / (u32(KH) * ICG)) * ${B}u;
  let ic = (oc0 / OCG) * ICG + icl;
  let offY = ky * DH - PT;
  let oy0 = lo(offY, SH, OH);
  let oy1 = max(oy0, hi(offY, SH, IH, OH));
  let plane = u32(OH * OW);
${pairs((j, k) => `  var a${j}_${k} = vec4<f32>(0.0);`)}
  for (var n = 0u; n < N; n++) {
    let xb = i32((n * IC + ic) * u32(IH * IW));
    let db = (n * OC + oc0) * plane;
    for (var oy = oy0; oy < oy1; oy++) {
      let xr = xb + (oy * SH + offY) * IW;
      let dr = db + u32(oy * OW);
      for (var ox0 = 0; ox0 < OW; ox0 += 4) {
        let ox = vec4<i32>(ox0) + vec4<i32>(0, 1, 2, 3);
        let dok = ox < vec4<i32>(OW);
        let di = vec4<u32>(min(ox, vec4<i32>(OW - 1))) + vec4<u32>(dr);
${
    rep(B, (j) =>
      `        let d${j} = select(vec4<f32>(0.0), vec4<f32>(dy[di.x + ${j}u * plane], dy[di.y + ${j}u * plane], dy[di.z + ${j}u * plane], dy[di.w + ${j}u * plane]), dok);`)
  }
${
    rep(K, (k) =>
      `        {
          let ix = ox * SW + vec4<i32>(${k} * DW - PL);
          let ok = (ix >= vec4<i32>(0)) & (ix < vec4<i32>(IW));
          let xi = vec4<u32>(clamp(ix, vec4<i32>(0), vec4<i32>(IW - 1)) + vec4<i32>(xr));
          let xv = select(vec4<f32>(0.0), vec4<f32>(x[xi.x], x[xi.y], x[xi.z], x[xi.w]), ok);
${rep(B, (j) => `          a${j}_${k} += d${j} * xv;`)}
        }`)
  }
      }
    }
  }
  let t0 = (icl * u32(KH) + u32(ky)) * u32(KW);
${pairs((j, k) => `  dw[(oc0 + ${j}u) * TAPS + t0 + ${k}u] = dot(a${j}_${k}, vec4<f32>(1.0));`)}`;
  return {
    ...elementwise("conv dW rows", dims, DW_BINDINGS, count, body, DW_RANGE),
    flops: convFlops(g, batch),
  };
}

/** db (outC) from dy. */
export function convBackwardBias(g: ConvGeom, batch: number): Kernel {
  const decls: Binding[] = [["dy", "read"], ["db", "read_write"]];
  const body = `
    let plane = u32(OH * OW);
    for (var q = t; q < N * plane; q += ${WG}u) {
      acc += dy[((q / plane) * OC + o) * plane + q % plane];
    }`;
  return reduction("conv db", convDims(g, batch), decls, g.outC, body, "    db[o] = total;");
}
