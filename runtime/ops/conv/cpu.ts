// The CPU forward of conv2d / conv1d: which kernel runs a conv layer, in one
// place. Spec and shape rules: runtime/format/spec.ts (`conv2d`, `conv1d`; conv1d is
// the 2-D window form with kh = sh = dh = 1, inH = outH = 1).
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y is (N, outC, outH, outW).
// Variants, first match wins:
//   "winograd3x3"  3×3, stride 1, dilation 1, groups 1, inC ≥ 3 (winograd3x3.ts)
//   "winograd5x5"  5×5, stride 1, dilation 1, groups 1, inC ≥ 3 (winograd5x5.ts)
//   "im2col"       any other ungrouped conv (conv_im2col.ts, on the gemm)
//   "direct"       grouped / depthwise convs (conv_direct.ts)
// Invariants: callers have checked every length; the Winograd variants need
// their transformed weights (prepareConv, computed once per model by the
// executor); every variant sums in float64 and rounds each output once.

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import type { ConvGeometry } from "./geometry.ts";
import { conv2d } from "./conv_direct.ts";
import { conv2dGemm } from "./conv_im2col.ts";
import { conv2dWinograd, useWinograd, winogradWeights } from "./winograd3x3.ts";
import { conv2dWinograd5, useWinograd5, winograd5Weights } from "./winograd5x5.ts";

/** The CPU conv kernels. */
export type ConvVariant = "winograd3x3" | "winograd5x5" | "im2col" | "direct";

/**
 * The kernel that runs `g` on the CPU (see the table in this file's header).
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { convVariant } from "./cpu.ts";
 * const l = resolveLayer({ type: "conv2d", filters: 8, kernel: 3 }, [4, 10, 10]);
 * if (l.op !== "conv" || convVariant(l) !== "winograd3x3") throw new Error("unexpected");
 * ```
 */
export function convVariant(g: ConvGeometry): ConvVariant {
  return convVariants(g)[0];
}

/** Every kernel that can run `g`, in order of preference (the first is convVariant's pick; "direct" runs any conv). */
export function convVariants(g: ConvGeometry): ConvVariant[] {
  const v: ConvVariant[] = [];
  if (useWinograd(g)) v.push("winograd3x3");
  if (useWinograd5(g)) v.push("winograd5x5");
  if (g.groups === 1) v.push("im2col");
  v.push("direct");
  return v;
}

/** Weights as the chosen kernel wants them: Winograd-transformed for the Winograd variants, else as stored. */
export interface PreparedConv {
  variant: ConvVariant;
  /** Winograd U (positions, outC, inC), or null for im2col / direct */
  u: Float64Array | null;
}

/** Choose the kernel of `g` (or take `variant`, one of convVariants(g)) and transform its weights `w` once (outC, inC/groups, kh, kw). */
export function prepareConv(
  g: ConvGeometry,
  w: Float32Array,
  variant: ConvVariant = convVariant(g),
): PreparedConv {
  const u = variant === "winograd3x3"
    ? winogradWeights(g, w)
    : variant === "winograd5x5"
    ? winograd5Weights(g, w)
    : null;
  return { variant, u };
}

type ConvCpuKernel = LayerKernel<[g: ConvGeometry, prep: PreparedConv, w: Float32Array]>;

/** y = act(conv(x, w) + b), act = ReLU when `relu` (every variant fuses it). Writes into and returns `y`. */
export const convCpu: ConvCpuKernel = (g, prep, w, b, x, batch, y, relu, scratch) => {
  switch (prep.variant) {
    case "winograd3x3":
      return conv2dWinograd(g, prep.u!, b, x, batch, y, relu, scratch);
    case "winograd5x5":
      return conv2dWinograd5(g, prep.u!, b, x, batch, y, relu, scratch);
    case "im2col":
      return conv2dGemm(g, w, b, x, batch, y, relu, scratch);
    case "direct":
      return conv2d(g, w, b, x, batch, y, relu, scratch);
  }
};
