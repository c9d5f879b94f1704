// WGSL convolution forward (cross-correlation, no kernel flip) for conv2d and
// conv1d in the unified 2-D window form of ResolvedLayer, with groups (incl.
// depthwise), stride, dilation and asymmetric zero padding, plus an optional
// fused bias and elementwise activation epilogue.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y is (N, outC, outH, outW). One thread per output value.
// Bindings: 0 uniforms, 1 x (read), 2 w (read), [3 b (read)], last y.
// Invariants: padded cells are skipped (they contribute zero); every index is
// derived from a guarded thread index and bounds-checked input coordinates.

import type { Window2d } from "../../spec.ts";
import { actFunction, type Epilogue } from "./activation.ts";
import {
  type DispatchLimits,
  type ForwardKernel,
  planDispatch,
  PROLOGUE,
  uniformBytes,
  uniformDecl,
} from "./common.ts";

export type ConvGeometry = Window2d & { groups: number };

const FIELDS = [
  "ic",
  "ih",
  "iw",
  "oc",
  "oh",
  "ow",
  "kh",
  "kw",
  "sh",
  "sw",
  "dh",
  "dw",
  "pt",
  "pl",
  "icg",
  "ocg",
  "alpha",
];
const TYPES = [
  "u32",
  "i32",
  "i32",
  "u32",
  "u32",
  "u32",
  "i32",
  "i32",
  "i32",
  "i32",
  "i32",
  "i32",
  "i32",
  "i32",
  "u32",
  "u32",
  "f32",
] as const;

/** Conv forward source for a variant (bias or not, fused activation or none). */
export function convWgsl(bias: boolean, epilogue: Epilogue["act"] | null): string {
  return `// conv forward${bias ? " + bias" : ""}${epilogue ? ` + ${epilogue}` : ""}
${uniformDecl(FIELDS, [...TYPES])}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> b: array<f32>;" : ""}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> y: array<f32>;
${actFunction(epilogue ?? "identity")}
${PROLOGUE}
  let ox = i % p.ow;
  var r = i / p.ow;
  let oy = r % p.oh;
  r = r / p.oh;
  let oc = r % p.oc;
  let n = r / p.oc;
  let g = oc / p.ocg;
  let iy0 = i32(oy) * p.sh - p.pt;
  let ix0 = i32(ox) * p.sw - p.pl;
  let ksize = u32(p.kh * p.kw);
  var s = 0.0;
  for (var c = 0u; c < p.icg; c++) {
    let xPlane = (n * p.ic + g * p.icg + c) * u32(p.ih);
    let wBase = (oc * p.icg + c) * ksize;
    for (var ky = 0; ky < p.kh; ky++) {
      let iy = iy0 + ky * p.dh;
      if (iy < 0 || iy >= p.ih) { continue; }
      let xRow = (xPlane + u32(iy)) * u32(p.iw);
      let wRow = wBase + u32(ky * p.kw);
      for (var kx = 0; kx < p.kw; kx++) {
        let ix = ix0 + kx * p.dw;
        if (ix < 0 || ix >= p.iw) { continue; }
        s += x[xRow + u32(ix)] * w[wRow + u32(kx)];
      }
    }
  }
${bias ? "  s += b[oc];\n" : ""}  y[i] = act(s);
}
`;
}

/** The conv forward kernel of a layer over `batch` samples. */
export function convKernel(
  g: ConvGeometry & { bias: boolean },
  batch: number,
  limits: DispatchLimits,
  epilogue: Epilogue | null = null,
): ForwardKernel {
  const d = planDispatch(batch * g.outC * g.outH * g.outW, limits, "conv");
  const vals = [
    g.inC,
    g.inH,
    g.inW,
    g.outC,
    g.outH,
    g.outW,
    g.kh,
    g.kw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
    g.pt,
    g.pl,
    g.inC / g.groups,
    g.outC / g.groups,
    epilogue?.alpha ?? 0,
  ];
  return {
    label: `conv${epilogue ? `+${epilogue.act}` : ""}`,
    code: convWgsl(g.bias, epilogue?.act ?? null),
    bindings: g.bias ? ["x", "w", "b", "y"] : ["x", "w", "y"],
    uniforms: uniformBytes(d, vals.map((v, k) => [TYPES[k], v])),
    dispatch: d,
  };
}
