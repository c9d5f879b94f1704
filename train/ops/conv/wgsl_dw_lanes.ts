// WGSL conv dW (+ db) for kernels of up to 25 taps, shaped for CPU-emulated
// adapters (llvmpipe runs the invocations of a workgroup in SIMD lanes and
// turns a load whose address depends on the invocation into a gather):
// lanes run over output channels, each workgroup owns one input channel and
// one slice of the batch, so the x values are the same for every lane
// (uniform loads) and only dy is gathered. Per step of 4 output columns a
// lane gathers 4 dy values per channel it owns (1, 2 or 4: perLane) and does
// 4·kh·kw multiply-adds per channel into kh·kw scalar accumulators (all taps
// of its (oc, ic)), reading each needed x value once for all of them.
// Two kernels: partial sums per batch slice (part), then a reduction over
// the slices into dw (and db = Σδ, accumulated on the way by the workgroups
// of the first input channel of each group).
// Shapes: x is (N, inC, inH, inW); dy is (N, outC, outH, outW); dw is
// (outC, inC/groups, kh, kw); db (outC); part is (S, outC·TAPS + outC) with
// TAPS = inC/groups·kh·kw and S = convDwSplits(g, batch).
// Bindings: 0 uniforms (shapes); partial: 1 dy, 2 x, 3 part (write);
// reduce: 1 part, 2 dw, [3 db when bias]. Any stride, dilation, padding and
// groups. The partial kernel is specialised on (kh, kw, sw, dw, lanes,
// channels per lane): its unrolled taps and shared x offsets depend on them.

import type { ConvGeom } from "./wgsl_backward.ts";
import { convDims, convFlops, layerBaked } from "./wgsl_backward.ts";
import type { Dim, Kernel } from "../../webgpu/training_kernel.ts";
import {
  type Binding,
  dimLets,
  dimsDecl,
  elementwise,
  makeKernel,
  rep,
  storageDecls,
} from "../../webgpu/training_kernel.ts";

/** Largest kh·kw the lane kernel takes (one scalar accumulator per tap). */
export const LANES_MAX_TAPS = 25;

/** Whether the lane kernels handle this conv. */
export function convDwLanesFits(g: ConvGeom): boolean {
  return g.kh * g.kw <= LANES_MAX_TAPS;
}

/**
 * Output channels per lane: more channels share each x value (4 when a group
 * has > 16, 2 when > 8). Measured on llvmpipe: 4 beats 1 and 2 even with 25
 * taps (100 accumulators), 8 is slower than 4.
 */
function perLane(g: ConvGeom): number {
  const ocg = g.outC / g.groups;
  return ocg > 16 ? 4 : ocg > 8 ? 2 : 1;
}

/** Invocations per workgroup (a power of two, 8..64): lane q of a chunk owns channels chunk·W·Q + k·W + q. */
function lanes(g: ConvGeom): number {
  const ocg = Math.ceil(g.outC / g.groups / perLane(g));
  let w = 8;
  while (w < ocg && w < 64) w *= 2;
  return w;
}

/** Batch slices: enough workgroups to keep every core busy (≥ 16 when the batch allows). */
export function convDwSplits(g: ConvGeom, batch: number): number {
  const ocg = g.outC / g.groups;
  const base = g.inC * Math.ceil(ocg / (lanes(g) * perLane(g)));
  return Math.max(1, Math.min(batch, Math.ceil(16 / base)));
}

/** Floats of the partial-sum buffer of convDwPartial. */
export function convDwPartFloats(g: ConvGeom, batch: number): number {
  const taps = (g.inC / g.groups) * g.kh * g.kw;
  return convDwSplits(g, batch) * (g.outC * taps + g.outC);
}

/** Partial dw / db sums of each batch slice. */
export function convDwPartial(g: ConvGeom, batch: number): Kernel {
  if (!convDwLanesFits(g)) {
    throw new RangeError(`lane dW kernel takes up to ${LANES_MAX_TAPS} taps, got ${g.kh}×${g.kw}`);
  }
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  const W = lanes(g), Q = perLane(g);
  const nch = Math.ceil(ocg / (W * Q));
  const S = convDwSplits(g, batch);
  const nper = Math.ceil(batch / S);
  const taps = icg * g.kh * g.kw;
  const stride = g.outC * taps + g.outC;
  // distinct x column offsets (relative to ox·SW − PL) over 4 columns × kw taps
  const offSet = new Set<number>();
  for (let j = 0; j < 4; j++) for (let kx = 0; kx < g.kw; kx++) offSet.add(j * g.sw + kx * g.dw);
  const offs = [...offSet].sort((a, b) => a - b);
  const v = (j: number, kx: number) => `v${j * g.sw + kx * g.dw}`;
  const taps2 = (f: (ky: number, kx: number) => string) => rep(g.kh, (ky) => rep(g.kw, (kx) => f(ky, kx)));
  const perQ = (f: (q: number) => string) => rep(Q, f);
  const dims = layerBaked([
    ...convDims(g, batch),
    ["NPER", "u32", nper],
    ["NCH", "u32", nch],
    ["TAPS", "u32", taps],
    ["STRIDE", "u32", stride],
  ]);
  const bindings: Binding[] = [["dy", "read"], ["x", "read"], ["part", "read_write"]];
  const code = `${storageDecls(bindings)}
@compute @workgroup_size(${W})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
${dimLets(dims)}
  let chunk = wid.x % NCH;
  let ic = wid.x / NCH;
  if (ic >= IC) { return; }
  let grp = ic / ICG;
  let icl = ic % ICG;
  // channels past the group read its last channel and write nothing
${
    perQ((q) =>
      `  let ocl${q} = chunk * ${W * Q}u + ${q * W}u + lid.x;
  let oc${q} = grp * OCG + min(ocl${q}, OCG - 1u);`
    )
  }
  let s = wid.y;
  let n0 = s * NPER;
  let n1 = min(n0 + NPER, N);
${perQ((q) => taps2((ky, kx) => `  var a${q}_${ky}_${kx} = 0.0;`))}
${perQ((q) => `  var sb${q} = 0.0;`)}
  for (var n = n0; n < n1; n++) {
${perQ((q) => `    let dBase${q} = (n * OC + oc${q}) * u32(OH * OW);`)}
    let xBase = i32((n * IC + ic) * u32(IH * IW));
    for (var oy = 0; oy < OH; oy++) {
${perQ((q) => `      let dRow${q} = dBase${q} + u32(oy * OW);`)}
      for (var ox = 0; ox < OW; ox += 4) {
${
    perQ((q) =>
      rep(4, (j) =>
        j === 0
          ? `        let d${q}_0 = dy[dRow${q} + u32(ox)];`
          : `        let d${q}_${j} = select(0.0, dy[dRow${q} + u32(min(ox + ${j}, OW - 1))], ox + ${j} < OW);`)
    )
  }
${perQ((q) => `        sb${q} += (d${q}_0 + d${q}_1) + (d${q}_2 + d${q}_3);`)}
        let c0 = ox * SW - PL;
${
    rep(g.kh, (ky) =>
      `        {
          let iy = oy * SH - PT + ${ky} * DH;
          if (iy >= 0 && iy < IH) {
            let xr = xBase + iy * IW;
${
        offs.map((o) =>
          `            let v${o} = select(0.0, x[u32(xr + clamp(c0 + ${o}, 0, IW - 1))], c0 + ${o} >= 0 && c0 + ${o} < IW);`
        ).join("\n")
      }
${
        perQ((q) =>
          rep(g.kw, (kx) =>
            `            a${q}_${ky}_${kx} += d${q}_0 * ${v(0, kx)} + d${q}_1 * ${v(1, kx)} + d${q}_2 * ${
              v(2, kx)
            } + d${q}_3 * ${v(3, kx)};`)
        )
      }
          }
        }`)
  }
      }
    }
  }
${
    perQ((q) =>
      `  if (ocl${q} < OCG) {
    let o = s * STRIDE + oc${q} * TAPS + icl * ${g.kh * g.kw}u;
${taps2((ky, kx) => `    part[o + ${ky * g.kw + kx}u] = a${q}_${ky}_${kx};`)}
    if (icl == 0u) { part[s * STRIDE + OC * TAPS + oc${q}] = sb${q}; }
  }`
    )
  }
}
`;
  const d = { groups: [g.inC * nch, S, 1] as [number, number, number], total: g.inC * nch, row: g.inC * nch };
  const head = `// conv dW lanes ${g.kh}×${g.kw}, column step ${g.sw}, dilation ${g.dw}, ${W} lanes × ${Q}
${dimsDecl(dims)}
`;
  return { ...makeKernel("conv dW lanes", dims, d, bindings, head + code), flops: convFlops(g, batch) };
}

/** dw (and db when `bias`) = Σ over the batch slices of convDwPartial's sums. */
export function convDwReduce(g: ConvGeom, batch: number, bias: boolean): Kernel {
  const taps = (g.inC / g.groups) * g.kh * g.kw;
  const S = convDwSplits(g, batch);
  const nw = g.outC * taps;
  const stride = nw + g.outC;
  const decls: Binding[] = [
    ["part", "read"],
    ["dw", "read_write"],
    ...(bias ? [["db", "read_write"] as const] : []),
  ];
  const body = `
  var t = 0.0;
  for (var s = 0u; s < SPLITS; s++) { t += part[s * STRIDE + i]; }
  ${bias ? "if (i < NW) { dw[i] = t; } else { db[i - NW] = t; }" : "dw[i] = t;"}`;
  const dims: Dim[] = [["SPLITS", "u32", S], ["STRIDE", "u32", stride], ["NW", "u32", nw]];
  return elementwise(`conv dW reduce${bias ? " + db" : ""}`, dims, decls, bias ? stride : nw, body);
}
