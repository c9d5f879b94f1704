// WGSL activations: elementwise relu / leakyrelu / elu / sigmoid / tanh /
// clip (relu6) / hardswish / identity (out of place or in place) and softmax
// over the channel axis. The elementwise
// function `act(v)` is also the fusable epilogue of conv and dense kernels.
// Shapes: x and y are (N, C, spatial) flattened; softmax runs over C at each
// (n, position), one thread per (n, position).
// Invariants: sigmoid, tanh and softmax never overflow exp for finite input
// (they only exponentiate non-positive numbers); `alpha` and `beta` (clip's
// bounds, leakyrelu/elu's slope) are uniform fields.

import type { ActivationType, ActParams } from "../../format/spec.ts";
import type { DispatchLimits, ForwardKernel, Role } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

/** Activations that act on each value alone (can be fused into a producer). */
const ACT_LAYOUT = [["alpha", "f32"], ["beta", "f32"]] as const;
const SOFTMAX_LAYOUT = [["c", "u32"], ["spatial", "u32"]] as const;

export type ElementwiseAct = Exclude<ActivationType, "softmax">;

/** An activation fused as an epilogue: its type and parameters (ResolvedLayer's alpha, beta). */
export interface Epilogue {
  act: ElementwiseAct;
  alpha: number;
  beta: number;
}

/** The body of `fn act(v: f32) -> f32` per elementwise activation (leakyrelu, elu and clip read `p.alpha`, clip `p.beta`). */
const ACT_BODY: Record<ElementwiseAct | "identity", string> = {
  identity: "return v;",
  relu: "return max(v, 0.0);",
  leakyrelu: "return select(p.alpha * v, v, v > 0.0);",
  elu: "return select(p.alpha * (exp(min(v, 0.0)) - 1.0), v, v > 0.0);",
  sigmoid: "let e = exp(-abs(v)); return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);",
  tanh: "let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e);",
  clip: "return min(max(v, p.alpha), p.beta);",
  hardswish: "return v * min(max(v + 3.0, 0.0), 6.0) / 6.0;",
  hardsigmoid: "return min(max(p.alpha * v + p.beta, 0.0), 1.0);",
};

/** WGSL `fn act(v: f32) -> f32` for an elementwise activation; reads `p.alpha`. */
export function actFunction(act: ElementwiseAct | "identity"): string {
  if (!Object.hasOwn(ACT_BODY, act)) throw new TypeError(`unknown activation ${JSON.stringify(act)}`);
  return `fn act(v: f32) -> f32 {
  ${ACT_BODY[act]}
}`;
}

/**
 * Elementwise activation source. In place: bindings 1 = y (read_write);
 * otherwise 1 = x (read), 2 = y (read_write). Uniforms: total, row, alpha.
 */
export function elementwiseWgsl(act: ElementwiseAct, inPlace: boolean): string {
  return `// activation ${act}${inPlace ? " (in place)" : ""}
${uniformDecl(ACT_LAYOUT)}
${roleDecls(inPlace ? ["y"] : ["x", "y"])}
${actFunction(act)}
${PROLOGUE}
  y[i] = act(${inPlace ? "y" : "x"}[i]);
}
`;
}

/** Softmax over C source: bindings 1 = x (read), 2 = y (read_write). Uniforms: total = N*spatial, row, c, spatial. */
export function softmaxWgsl(): string {
  return `// softmax over channels
${uniformDecl(SOFTMAX_LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let s = i % p.spatial;
  let base = (i / p.spatial) * p.c * p.spatial + s;
  var m = x[base];
  for (var k = 1u; k < p.c; k++) { m = max(m, x[base + k * p.spatial]); }
  var sum = 0.0;
  for (var k = 0u; k < p.c; k++) { sum += exp(x[base + k * p.spatial] - m); }
  let inv = 1.0 / sum;
  for (var k = 0u; k < p.c; k++) {
    let at = base + k * p.spatial;
    y[at] = exp(x[at] - m) * inv;
  }
}
`;
}

/** The kernel of an activation layer over `batch` samples of (c, spatial). Softmax is never in place. */
export function activationKernel(
  l: ActParams,
  batch: number,
  limits: DispatchLimits,
  inPlace = false,
): ForwardKernel {
  const { act, alpha, beta, c, spatial } = l;
  if (act === "softmax") {
    return forwardKernel(
      "softmax",
      softmaxWgsl(),
      ["x", "y"],
      SOFTMAX_LAYOUT,
      { c, spatial },
      batch * spatial,
      limits,
    );
  }
  const roles: Role[] = inPlace ? ["y"] : ["x", "y"];
  return forwardKernel(
    act,
    elementwiseWgsl(act, inPlace),
    roles,
    ACT_LAYOUT,
    { alpha, beta },
    batch * c * spatial,
    limits,
  );
}
