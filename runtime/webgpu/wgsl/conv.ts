// WGSL convolution forward (cross-correlation, no kernel flip) for conv2d and
// conv1d in the unified 2-D window form of ResolvedLayer, with groups (incl.
// depthwise), stride, dilation and asymmetric zero padding, plus an optional
// fused bias and elementwise activation epilogue.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y is (N, outC, outH, outW). One thread per OC_BLOCK output channels
// of one group at one output position (the block shares every input load).
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
  "nb",
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
  "u32",
] as const;

/** Output channels computed by one thread (they share every input load). */
export const OC_BLOCK = 4;

/**
 * First index t in [0, k) with 0 <= o0 + t*d < len is `lo`, last + 1 is `hi`
 * (WGSL helper; d >= 1). Empty ranges give lo >= hi.
 */
const RANGE_FN = `fn tapRange(o0: i32, d: i32, k: i32, len: i32) -> vec2<i32> {
  var lo = 0;
  if (o0 < 0) { lo = (-o0 + d - 1) / d; }
  var hi = k;
  if (o0 + (k - 1) * d >= len) { hi = select(0, (len - 1 - o0) / d + 1, len - 1 - o0 >= 0); }
  return vec2<i32>(lo, min(hi, k));
}`;

/**
 * Conv forward source for a variant (bias or not, fused activation or none).
 * One thread computes OC_BLOCK output channels of one group at one (n, oy, ox);
 * threads are ordered (n, group, block, oy, ox). Kernel taps that land in the
 * padding are skipped by computing the valid tap range once per thread.
 */
export function convWgsl(bias: boolean, epilogue: Epilogue["act"] | null): string {
  return `// conv forward${bias ? " + bias" : ""}${epilogue ? ` + ${epilogue}` : ""}
${uniformDecl(FIELDS, [...TYPES])}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> b: array<f32>;" : ""}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> y: array<f32>;
${actFunction(epilogue ?? "identity")}
${RANGE_FN}
${PROLOGUE}
  let ox = i % p.ow;
  var r = i / p.ow;
  let oy = r % p.oh;
  r = r / p.oh;
  let blk = r % p.nb;
  r = r / p.nb;
  let g = r % (p.oc / p.ocg);
  let n = r / (p.oc / p.ocg);
  let ocl0 = blk * ${OC_BLOCK}u;
  let oc0 = g * p.ocg + ocl0;
  // channels of the block beyond the group read channel oc0's weights and are never written
  let valid = vec4<bool>(ocl0 < p.ocg, ocl0 + 1u < p.ocg, ocl0 + 2u < p.ocg, ocl0 + 3u < p.ocg);
  let ocs = select(vec4<u32>(oc0), vec4<u32>(oc0, oc0 + 1u, oc0 + 2u, oc0 + 3u), valid);
  let iy0 = i32(oy) * p.sh - p.pt;
  let ix0 = i32(ox) * p.sw - p.pl;
  let ry = tapRange(iy0, p.dh, p.kh, p.ih);
  let rx = tapRange(ix0, p.dw, p.kw, p.iw);
  let ksize = u32(p.kh * p.kw);
  let wStride = p.icg * ksize; // between output channels
  var s = vec4<f32>(0.0);
  for (var c = 0u; c < p.icg; c++) {
    let xPlane = (n * p.ic + g * p.icg + c) * u32(p.ih);
    let wc = c * ksize;
    for (var ky = ry.x; ky < ry.y; ky++) {
      let xRow = (xPlane + u32(iy0 + ky * p.dh)) * u32(p.iw);
      let wRow = wc + u32(ky * p.kw);
      for (var kx = rx.x; kx < rx.y; kx++) {
        let xv = x[xRow + u32(ix0 + kx * p.dw)];
        let wi = wRow + u32(kx);
        s += xv * vec4<f32>(w[ocs.x * wStride + wi], w[ocs.y * wStride + wi], w[ocs.z * wStride + wi], w[ocs.w * wStride + wi]);
      }
    }
  }
${bias ? "  s += vec4<f32>(b[ocs.x], b[ocs.y], b[ocs.z], b[ocs.w]);\n" : ""}  let plane = p.oh * p.ow;
  let at = (n * p.oc + oc0) * plane + oy * p.ow + ox;
  for (var k = 0u; k < ${OC_BLOCK}u; k++) {
    if (valid[k]) { y[at + k * plane] = act(s[k]); }
  }
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
  const ocg = g.outC / g.groups;
  const nb = Math.ceil(ocg / OC_BLOCK); // channel blocks per group
  const d = planDispatch(batch * g.groups * nb * g.outH * g.outW, limits, "conv");
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
    nb,
  ];
  return {
    label: `conv${epilogue ? `+${epilogue.act}` : ""}`,
    code: convWgsl(g.bias, epilogue?.act ?? null),
    bindings: g.bias ? ["x", "w", "b", "y"] : ["x", "w", "y"],
    uniforms: uniformBytes(d, vals.map((v, k) => [TYPES[k], v])),
    dispatch: d,
  };
}
