// The conv layer types' resolvers: conv2d, conv1d, conv2dtranspose and
// conv1dtranspose specs against their input, in the 2-D window form of
// runtime/ops/conv/geometry.ts (1-D: kh = sh = dh = 1, H = 1, no top/bottom
// padding). x is (C,H,W) or (C,L). Transposed: the window runs from output to
// input, out = (in − 1)·s − p0 − p1 + d·(k − 1) + 1 + outputPadding.

import type { LayerSpec } from "../../format/spec_types.ts";
import {
  axes,
  checkElements,
  convChannels,
  fieldsOf,
  int,
  type LayerBase,
  LIMITS,
  refuseCausal,
  resolvePadding,
  type Resolver,
  spatialInput,
  windowOf,
  windowOut,
  type WindowTaps,
} from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

/** The taps of a conv spec (kernel, stride default 1, dilation default 1). */
function convTaps(s: Record<string, unknown>, dims: 1 | 2, what: string): WindowTaps {
  const [kh, kw] = axes(s.kernel, dims, `${what}.kernel`, undefined, 1, LIMITS.maxKernel);
  const [sh, sw] = axes(s.stride, dims, `${what}.stride`, 1, 1, LIMITS.maxStride);
  const [dh, dw] = axes(s.dilation, dims, `${what}.dilation`, 1, 1, LIMITS.maxKernel);
  return { kh, kw, sh, sw, dh, dw };
}

/** conv2d / conv1d: y (outC, outH, outW) = x ⋆ w (+ b), with groups. */
function conv(dims: 1 | 2): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [inC, inH, inW] = spatialInput(inShape, dims, what);
    const s = fieldsOf(spec);
    const g = convTaps(s, dims, what);
    if (dims === 2) refuseCausal(s.padding, what);
    const pad: [number, number, number, number] = s.padding === "causal"
      ? [0, 0, g.dw * (g.kw - 1), 0] // causal: output t sees inputs ≤ t only (WaveNet)
      : resolvePadding(s.padding, dims, inH, inW, g, what);
    const [outH, outW] = windowOut(inH, inW, g, pad, dims, what);
    const { outC, groups, bias } = convChannels(s, inC, what);
    const outShape = dims === 2 ? [outC, outH, outW] : [outC, outW];
    checkElements(outShape, what);
    const win = windowOf(g, pad, [inC, inH, inW], [outC, outH, outW]);
    return { ...base, outShape, op: "conv", ...win, groups, bias };
  };
}

/** conv2dtranspose / conv1dtranspose: explicit or "valid" padding, outputPadding below stride or dilation. */
function convTranspose(dims: 1 | 2): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [inC, inH, inW] = spatialInput(inShape, dims, what);
    const s = fieldsOf(spec);
    const g = convTaps(s, dims, what);
    refuseCausal(s.padding, what);
    if (s.padding === "same" || s.padding === "full") {
      throw new TypeError(
        `${what}.padding must be explicit (a number or a list) or "valid", got ${quote(s.padding)}`,
      );
    }
    const pad = resolvePadding(s.padding, dims, inH, inW, g, what);
    const [pt, pb, pl, pr] = pad;
    const [oph, opw] = dims === 2
      ? axes(s.outputPadding, 2, `${what}.outputPadding`, 0, 0, LIMITS.maxStride)
      : [0, int(s.outputPadding ?? 0, `${what}.outputPadding`, 0, LIMITS.maxStride)];
    if ((oph >= g.sh && oph >= g.dh) || (opw >= g.sw && opw >= g.dw)) {
      throw new RangeError(`${what}: outputPadding must be smaller than the stride or the dilation`);
    }
    const size = (
      n: number,
      k: number,
      st: number,
      d: number,
      p0: number,
      p1: number,
      op: number,
      axis: string,
    ) => {
      const o = (n - 1) * st - p0 - p1 + d * (k - 1) + 1 + op;
      if (o < 1) throw new RangeError(`${what} ${axis}: padding leaves no output (${o})`);
      return o;
    };
    const outH = dims === 2 ? size(inH, g.kh, g.sh, g.dh, pt, pb, oph, "height") : 1;
    const outW = size(inW, g.kw, g.sw, g.dw, pl, pr, opw, dims === 2 ? "width" : "length");
    const { outC, groups, bias } = convChannels(s, inC, what);
    const outShape = dims === 2 ? [outC, outH, outW] : [outC, outW];
    checkElements(outShape, what);
    const win = windowOf(g, pad, [inC, inH, inW], [outC, outH, outW]);
    return { ...base, outShape, op: "convT", ...win, groups, bias };
  };
}

/** The conv family's resolvers by layer type. */
export const CONV_RESOLVERS: Record<string, Resolver> = {
  conv2d: conv(2),
  conv1d: conv(1),
  conv2dtranspose: convTranspose(2),
  conv1dtranspose: convTranspose(1),
};
