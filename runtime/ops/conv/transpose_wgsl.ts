// WGSL forward of conv2dtranspose / conv1dtranspose (the rule of
// transpose_cpu.ts, its CPU twin): one thread per output cell gathers the
// (input cell, tap) pairs that land on it, with an optional fused epilogue.
// Shapes: x (N, inC, inH, inW); w (inC, outC/groups, kh, kw); b (outC);
// y (N, outC, outH, outW). Bindings: 0 uniforms, 1 x, 2 w, [3 b], last y.

import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import * as core from "../../webgpu/kernel.ts";
import type { ConvGeometry } from "./geometry.ts";

const LAYOUT = [
  ...(["ih", "iw", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl"] as const).map((n) =>
    [n, "i32"] as const
  ),
  ["ic", "u32"],
  ["oc", "u32"],
  ["icg", "u32"],
  ["ocg", "u32"],
] as const;

/** Transposed conv forward source. */
export function convTransposeWgsl(bias: boolean): string {
  return `// conv transpose forward${bias ? " + bias" : ""}
${core.uniformDecl(LAYOUT)}
${core.roleDecls(core.paramRoles(bias))}
${core.PROLOGUE}
  let ox = i32(i % u32(p.ow));
  let oy = i32((i / u32(p.ow)) % u32(p.oh));
  let o = (i / u32(p.ow * p.oh)) % p.oc;
  let n = i / (u32(p.ow * p.oh) * p.oc);
  let grp = o / p.ocg;
  let ol = o % p.ocg;
  var s = ${bias ? "b[o]" : "0.0"};
  for (var u = 0; u < p.kh; u++) {
    let ty = oy + p.pt - u * p.dh; // = iy·sh
    if (ty < 0 || ty % p.sh != 0 || ty / p.sh >= p.ih) { continue; }
    let iy = ty / p.sh;
    for (var v = 0; v < p.kw; v++) {
      let tx = ox + p.pl - v * p.dw;
      if (tx < 0 || tx % p.sw != 0 || tx / p.sw >= p.iw) { continue; }
      let ix = tx / p.sw;
      for (var c = 0u; c < p.icg; c++) {
        let ic = grp * p.icg + c;
        let xv = x[((n * p.ic + ic) * u32(p.ih) + u32(iy)) * u32(p.iw) + u32(ix)];
        s += xv * w[((ic * p.ocg + ol) * u32(p.kh) + u32(u)) * u32(p.kw) + u32(v)];
      }
    }
  }
  y[i] = s;
}
`;
}

/** The transposed conv forward kernel of a layer over `batch` samples (no fused epilogue: the executor fuses only into conv and dense). */
export function convTransposeKernel(
  g: ConvGeometry & { bias: boolean },
  batch: number,
  lim: DispatchLimits,
): ForwardKernel {
  const values = {
    ...core.windowValues(g),
    ic: g.inC,
    oc: g.outC,
    icg: g.inC / g.groups,
    ocg: g.outC / g.groups,
  };
  const threads = batch * g.outC * g.outH * g.outW;
  return core.forwardKernel(
    "conv transpose",
    convTransposeWgsl(g.bias),
    core.paramRoles(g.bias),
    LAYOUT,
    values,
    threads,
    lim,
  );
}
