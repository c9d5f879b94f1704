// Forward passes of the runtime op set for training, built from the
// runtime's own WGSL generators (runtime/ops/<family>/wgsl.ts): this file only binds
// them to the training buffers. Invariants: the forward source is the one
// the runtime ships (never a copy), its uniform record is bound at 0 like
// every training kernel's (GpuContext.prepare). Flatten is handled by the
// caller (aliasing).
// Shapes: x is (N, ...l.inShape), y is (N, ...l.outShape).

import type { ResolvedLayer } from "../../runtime/spec.ts";
import type { ForwardKernel } from "../../runtime/webgpu/kernel.ts";
import type { Epilogue } from "../../runtime/ops/activation/wgsl.ts";
import { layerKernel } from "../../runtime/webgpu/layer_kernel.ts";
import type { KernelBinder, PreparedKernel } from "./gpu_context.ts";

/** The runtime forward kernel of one layer (TypeError for flatten, which has none). */
export function runtimeForwardKernel(
  l: ResolvedLayer,
  batch: number,
  limits: GPUSupportedLimits,
  epilogue: Epilogue | null = null,
): ForwardKernel {
  return layerKernel(l, batch, limits, epilogue);
}

/** Prepared forward dispatch of a runtime layer: y = layer(x; params), then `epilogue` when given. */
export function runtimeForward(
  ctx: KernelBinder,
  l: ResolvedLayer,
  batch: number,
  x: GPUBuffer,
  params: GPUBuffer[],
  y: GPUBuffer,
  epilogue: Epilogue | null = null,
): PreparedKernel[] {
  if (l.op === "flatten") return [];
  const fk = runtimeForwardKernel(l, batch, ctx.device.limits, epilogue);
  const role = { x, w: params[0], b: params[1], y };
  const buffers = fk.bindings.map((r) => role[r]);
  const flops = l.op === "conv"
    ? 2 * batch * l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw
    : l.op === "dense"
    ? 2 * batch * l.inF * l.outF
    : undefined;
  return [
    ctx.prepare(
      { label: fk.label, code: fk.code, uniforms: fk.uniforms, groups: fk.dispatch.groups, flops },
      buffers,
    ),
  ];
}
