// WGSL activations: every elementwise one of the activation table (table.ts,
// out of place or in place) and softmax over the channel axis. The elementwise
// function `act(v)` is also the fusable epilogue of conv and dense kernels.
// Shapes: x and y are (N, C, spatial) flattened; softmax runs over C at each
// (n, position), one thread per (n, position).
// Invariants: sigmoid, tanh and softmax never overflow exp for finite input
// (they only exponentiate non-positive numbers); `alpha` and `beta` (clip's
// bounds, leakyrelu/elu's slope) are uniform fields.

import type { ActParams } from "../../format/spec.ts";
import type { DispatchLimits, ForwardKernel, Layout, Role } from "../../webgpu/kernel.ts";
import { forwardKernel, paramRoles, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";
import { activationEntry, type ElementwiseAct, isColumnAct } from "./table.ts";

/** Activations that act on each value alone (can be fused into a producer). */
const ACT_LAYOUT = [["alpha", "f32"], ["beta", "f32"]] as const;
const SOFTMAX_LAYOUT = [["c", "u32"], ["spatial", "u32"]] as const;

export type { ElementwiseAct };

/** An activation fused as an epilogue: its type and parameters (ResolvedLayer's alpha, beta). */
export interface Epilogue {
  act: ElementwiseAct;
  alpha: number;
  beta: number;
}

/** WGSL `fn act(v: f32) -> f32` for an elementwise activation; reads `p.alpha`. */
export function actFunction(act: ElementwiseAct | "identity"): string {
  return `fn act(v: f32) -> f32 {
  ${activationEntry(act).wgsl}
}`;
}

/**
 * The head of a forward kernel with weights and a fused activation (conv, dense): the comment line
 * (`what`, then " + bias", " + <act>"), the uniforms of `layout`, the x, w, [b], y bindings and act().
 */
export function weightedHead(
  what: string,
  layout: Layout,
  bias: boolean,
  epilogue: Epilogue["act"] | null,
): string {
  return `// ${what}${bias ? " + bias" : ""}${epilogue ? ` + ${epilogue}` : ""}
${uniformDecl(layout)}
${roleDecls(paramRoles(bias))}
${actFunction(epilogue ?? "identity")}`;
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

/**
 * Softmax (or, with `log`, logsoftmax) over C source: bindings 1 = x (read), 2 = y (read_write).
 * Uniforms: total = N*spatial, row, c, spatial.
 */
export function softmaxWgsl(log = false): string {
  const out = log ? "x[at] - m - log(sum)" : "exp(x[at] - m) * inv";
  return `// ${log ? "logsoftmax" : "softmax"} over channels
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
    y[at] = ${out};
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
  if (isColumnAct(act)) {
    // `outer` blocks per sample run as more samples of (c, spatial)
    batch *= l.outer;
    return forwardKernel(
      act,
      softmaxWgsl(act === "logsoftmax"),
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
