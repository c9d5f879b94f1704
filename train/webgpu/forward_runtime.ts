// Forward passes of the runtime op set for training, built from the
// runtime's own WGSL generators (runtime/ops/<family>/wgsl.ts): this file only binds
// them to the training buffers. Invariants: the forward source is the one
// the runtime ships (never a copy), its uniform record is bound at 0 like
// every training kernel's (GpuContext.prepare). Flatten is handled by the
// caller (aliasing).
// Shapes: x is (N, ...l.inShape), y is (N, ...l.outShape).

import type { ResolvedLayer } from "../../runtime/format/spec.ts";
import type { Epilogue } from "../../runtime/ops/activation/wgsl.ts";
import { layerKernel, layerParts } from "../../runtime/webgpu/layer_kernel.ts";
import type { KernelBinder, PreparedKernel } from "./gpu_context.ts";

/**
 * Prepared forward dispatches of a runtime layer: y = layer(x; params), then
 * `epilogue` when given. A join takes one buffer per input (one dispatch each).
 */
export function runtimeForward(
  ctx: KernelBinder,
  l: ResolvedLayer,
  batch: number,
  x: GPUBuffer | GPUBuffer[],
  params: GPUBuffer[],
  y: GPUBuffer,
  epilogue: Epilogue | null = null,
): PreparedKernel[] {
  if (l.op === "flatten") return [];
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== layerParts(l)) {
    throw new TypeError(`${l.op} forward takes ${layerParts(l)} input buffer(s), got ${xs.length}`);
  }
  const flops = l.op === "conv"
    ? 2 * batch * l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw
    : l.op === "dense"
    ? 2 * batch * l.inF * l.outF
    : undefined;
  // one dispatch per input (a join's parts; one for every other layer)
  return xs.map((xk, part) => {
    const fk = layerKernel(l, batch, ctx.device.limits, epilogue, false, part);
    const role = { x: xk, w: params[0], b: params[1], y };
    const kernel = {
      label: fk.label,
      code: fk.code,
      uniforms: fk.uniforms,
      groups: fk.dispatch.groups,
      flops,
    };
    return ctx.prepare(kernel, fk.bindings.map((r) => role[r]));
  });
}
