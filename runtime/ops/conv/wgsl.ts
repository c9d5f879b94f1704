// WGSL convolution forward (cross-correlation, no kernel flip) for conv2d and
// conv1d in the unified 2-D window form of ResolvedLayer, with groups (incl.
// depthwise), stride, dilation and asymmetric zero padding, plus an optional
// fused bias and elementwise activation epilogue.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y is (N, outC, outH, outW). One thread per block of 4 or 8 output
// channels of one group × PX = 4 output columns (register blocking).
// Bindings: 0 uniforms, 1 x (read), 2 w (read), [3 b (read)], last y.
// Invariants: padded cells are skipped (they contribute zero); every index is
// derived from a guarded thread index and bounds-checked input coordinates.

import type { ConvGeometry } from "./geometry.ts";
import { type Epilogue, weightedHead } from "../activation/wgsl.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, paramRoles, PROLOGUE, windowValues } from "../../webgpu/kernel.ts";

const LAYOUT = [
  ["ic", "u32"],
  ["ih", "i32"],
  ["iw", "i32"],
  ["oc", "u32"],
  ["oh", "u32"],
  ["ow", "u32"],
  ["kh", "i32"],
  ["kw", "i32"],
  ["sh", "i32"],
  ["sw", "i32"],
  ["dh", "i32"],
  ["dw", "i32"],
  ["pt", "i32"],
  ["pl", "i32"],
  ["icg", "u32"],
  ["ocg", "u32"],
  ["alpha", "f32"],
  ["beta", "f32"],
  ["nb", "u32"],
  ["nx", "u32"],
] as const;

/** Output columns computed by one thread (one vec4 accumulator per channel and 4 columns). */
export const PX = 4;

/** Columns per thread for an output width: 8 (two vec4 per channel, twice the work per weight load) when wider than 4. */
export function pxFor(outW: number): 4 | 8 {
  return outW > 4 ? 8 : 4;
}

/**
 * Output channels per thread (they share every input load): 16 where that
 * wastes few slots (a group of 16k channels, or ≥ 32), 8 when a group has at
 * least 8, else 4.
 */
export function ocBlock(ocg: number): 4 | 8 | 16 {
  return ocg % 16 === 0 || ocg >= 32 ? 16 : ocg >= 8 ? 8 : 4;
}

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

const rep = (n: number, f: (j: number) => string, sep = "\n") =>
  Array.from({ length: n }, (_, j) => f(j)).join(sep);

/**
 * Conv forward source for a variant (channel block B ∈ {4, 8}, bias or not,
 * fused activation or none). Register-blocked: one thread computes B output
 * channels of one group × PX consecutive output columns of one (n, oy), in B
 * vec4 accumulators; per kernel tap it loads PX inputs (one vec4, columns in
 * the padding read as 0 through a clamped index) and B weights, for 4·B
 * multiply-adds; the channel loop is innermost (tap masks and indices are
 * computed once per tap, each channel only steps a plane). Threads are
 * ordered (n, group, block, oy, column block), so neighbouring threads share
 * the weights. Kernel rows that land in the padding are skipped via the
 * valid tap range of the row.
 */
export function convWgsl(
  bias: boolean,
  epilogue: Epilogue["act"] | null,
  B: 4 | 8 | 16 = 8,
  cols: 4 | 8 = PX,
): string {
  const V = cols / 4; // vec4 segments per channel
  const seg = (f: (v: number) => string, sep = "\n") => rep(V, f, sep);
  return `${weightedHead(`conv forward, ${B} channels × ${cols} columns per thread`, LAYOUT, bias, epilogue)}
${RANGE_FN}
${PROLOGUE}
  let xb = i % p.nx;
  var r = i / p.nx;
  let oy = r % p.oh;
  r = r / p.oh;
  let blk = r % p.nb;
  r = r / p.nb;
  let g = r % (p.oc / p.ocg);
  let n = r / (p.oc / p.ocg);
  let ocl0 = blk * ${B}u;
  let oc0 = g * p.ocg + ocl0;
  let ksize = u32(p.kh * p.kw);
  let wStride = p.icg * ksize; // between output channels
  // channels of the block beyond the group read the group's last channel and are never written
${rep(B, (j) => `  let w${j} = (g * p.ocg + min(ocl0 + ${j}u, p.ocg - 1u)) * wStride;`)}
  let ox0 = xb * ${cols}u;
  let iy0 = i32(oy) * p.sh - p.pt;
  // input column of each of the outputs at tap kx = 0, 4 per segment
${
    seg((v) =>
      `  let ix0_${v} = vec4<i32>(i32(ox0) * p.sw - p.pl) + vec4<i32>(${4 * v}, ${4 * v + 1}, ${4 * v + 2}, ${
        4 * v + 3
      }) * p.sw;`
    )
  }
  let ry = tapRange(iy0, p.dh, p.kh, p.ih);
${rep(B, (j) => seg((v) => `  var a${j}_${v} = vec4<f32>(0.0);`))}
  let xPlane0 = (n * p.ic + g * p.icg) * u32(p.ih);
  let inPlane = u32(p.ih * p.iw);
  for (var ky = ry.x; ky < ry.y; ky++) {
    let xRow = (xPlane0 + u32(iy0 + ky * p.dh)) * u32(p.iw);
    for (var kx = 0; kx < p.kw; kx++) {
      // column masks and indices once per tap; the channel loop only steps planes
${
    seg((v) =>
      `      let ix_${v} = ix0_${v} + vec4<i32>(kx * p.dw);
      let ok_${v} = (ix_${v} >= vec4<i32>(0)) & (ix_${v} < vec4<i32>(p.iw));
      var ci_${v} = vec4<u32>(clamp(ix_${v}, vec4<i32>(0), vec4<i32>(p.iw - 1))) + vec4<u32>(xRow);`
    )
  }
      var wi = u32(ky * p.kw + kx);
      for (var c = 0u; c < p.icg; c++) {
${
    seg((v) =>
      `        let xv_${v} = select(vec4<f32>(0.0), vec4<f32>(x[ci_${v}.x], x[ci_${v}.y], x[ci_${v}.z], x[ci_${v}.w]), ok_${v});`
    )
  }
${
    rep(B, (j) =>
      `        let wv${j} = w[w${j} + wi];
` + seg((v) => `        a${j}_${v} += wv${j} * xv_${v};`))
  }
${seg((v) => `        ci_${v} += vec4<u32>(inPlane);`)}
        wi += ksize;
      }
    }
  }
  let plane = p.oh * p.ow;
  let at = (n * p.oc + oc0) * plane + oy * p.ow + ox0;
  let cols = min(${cols}u, p.ow - ox0);
${
    rep(B, (j) =>
      `  if (ocl0 + ${j}u < p.ocg) {
    let o = at + ${j}u * plane;${
        bias
          ? `
    let bj = b[oc0 + ${j}u];`
          : ""
      }
${
        seg((v) =>
          `    for (var k = ${4 * v}u; k < min(cols, ${4 * v + 4}u); k++) { y[o + k] = act(a${j}_${v}[k - ${
            4 * v
          }u]${bias ? " + bj" : ""}); }`
        )
      }
  }`)
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
  const B = ocBlock(ocg);
  const nb = Math.ceil(ocg / B); // channel blocks per group
  const cols = pxFor(g.outW);
  const nx = Math.ceil(g.outW / cols); // column blocks per row
  const values = {
    ...windowValues(g),
    ic: g.inC,
    oc: g.outC,
    icg: g.inC / g.groups,
    ocg: ocg,
    alpha: epilogue?.alpha ?? 0,
    beta: epilogue?.beta ?? 0,
    nb,
    nx,
  };
  return forwardKernel(
    `conv${epilogue ? `+${epilogue.act}` : ""}`,
    convWgsl(g.bias, epilogue?.act ?? null, B, cols),
    paramRoles(g.bias),
    LAYOUT,
    values,
    batch * g.groups * nb * g.outH * nx,
    limits,
  );
}
