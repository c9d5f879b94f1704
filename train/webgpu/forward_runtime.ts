// Forward passes of the runtime op set for training, built from the
// runtime's own WGSL generators (runtime/ops/<family>/wgsl.ts): this file only binds
// them to the training buffers. Invariants: the forward source is the one
// the runtime ships (never a copy); each kernel's uniform record gets its own
// small buffer, appended to `owned` so it is destroyed with the activation
// buffers it belongs to. Flatten is handled by the caller (aliasing).
// Shapes: x is (N, ...l.inShape), y is (N, ...l.outShape).

import type { ResolvedLayer } from "../../runtime/spec.ts";
import type { ForwardKernel } from "../../runtime/webgpu/kernel.ts";
import type { Epilogue } from "../../runtime/ops/activation/wgsl.ts";
import { layerKernel } from "../../runtime/webgpu/layer_kernel.ts";
import type { GpuContext, PreparedKernel } from "./gpu_context.ts";

const UNIFORM = 0x0040 | 0x0008; // UNIFORM | COPY_DST

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
  ctx: GpuContext,
  l: ResolvedLayer,
  batch: number,
  x: GPUBuffer,
  params: GPUBuffer[],
  y: GPUBuffer,
  owned: GPUBuffer[],
  epilogue: Epilogue | null = null,
): PreparedKernel[] {
  if (l.op === "flatten") return [];
  const fk = runtimeForwardKernel(l, batch, ctx.device.limits, epilogue);
  const u = ctx.device.createBuffer({
    size: fk.uniforms.byteLength,
    usage: UNIFORM,
    label: `${fk.label} uniforms`,
  });
  ctx.device.queue.writeBuffer(u, 0, fk.uniforms);
  owned.push(u);
  const role = { x, w: params[0], b: params[1], y };
  const buffers = [u, ...fk.bindings.map((r) => role[r])];
  const flops = l.op === "conv"
    ? 2 * batch * l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw
    : l.op === "dense"
    ? 2 * batch * l.inF * l.outF
    : undefined;
  return [ctx.prepare({ label: fk.label, code: fk.code, groups: fk.dispatch.groups, flops }, buffers)];
}
