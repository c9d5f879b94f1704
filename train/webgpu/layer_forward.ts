// Binds the forward pass of one training layer to its buffers: runtime ops
// through the runtime's own kernels (runtime/ops/<family>/wgsl.ts, the one
// Kernel record of runtime/webgpu/kernel.ts, never a copy) bound by role
// name, dropout with its
// counter-based mask (train; identity copy in eval), batchnorm with batch
// stats + running-stat update (train) or running stats (eval).
// Shapes: x (N, ...inShape), y (N, ...outShape). Flatten emits nothing: the
// caller aliases y to x. A conv/dense may carry a fused activation epilogue
// (then y is the activation's output).

import type { TrainResolvedLayer } from "../layers.ts";
import { prod } from "../layers.ts";
import type { KernelBinder, PreparedKernel } from "./gpu_context.ts";
import { dropoutKernel } from "../ops/dropout/wgsl.ts";
import { bnApply, bnStats } from "../ops/batchnorm/wgsl.ts";
import type { Epilogue } from "../../runtime/ops/activation/wgsl.ts";
import type { ResolvedLayer } from "../../runtime/format/spec.ts";
import { layerKernel, layerParts } from "../../runtime/webgpu/layer_kernel.ts";

export interface ForwardBuffers {
  /** the input (a join: one buffer per input) */
  x: GPUBuffer | GPUBuffer[];
  y: GPUBuffer;
  params: GPUBuffer[];
  /** batchnorm: [mean (C), invstd (C)] written in training */
  stats: GPUBuffer | null;
  /** batchnorm: [running mean (C), running var (C)] */
  running: GPUBuffer | null;
  /** the step uniform (dropout seed/step) */
  stepU: GPUBuffer;
}

export function layerForward(
  ctx: KernelBinder,
  l: TrainResolvedLayer,
  index: number,
  n: number,
  train: boolean,
  b: ForwardBuffers,
  epilogue: Epilogue | null = null,
): PreparedKernel[] {
  const { y } = b;
  if (l.op !== "dropout" && l.op !== "batchnorm") {
    return runtimeForward(ctx, l, n, b.x, b.params, y, epilogue);
  }
  const x = b.x as GPUBuffer;
  if (l.op === "dropout") {
    return [
      ctx.prepare(dropoutKernel(train ? l.rate : 0, index, n * prod(l.inShape), false), [b.stepU, x, y]),
    ];
  }
  if (!b.stats || !b.running) throw new TypeError("batchnorm forward needs stats and running buffers");
  const p = b.params;
  if (!train) return [ctx.prepare(bnApply(l, n, "eval"), [x, b.running, p[0], p[1], y])];
  return [
    ctx.prepare(bnStats(l, n), [x, b.stats, b.running]),
    ctx.prepare(bnApply(l, n, "train"), [x, b.stats, p[0], p[1], y]),
  ];
}

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
    return ctx.prepare({ ...fk, flops }, fk.bindings.map((r) => role[r]));
  });
}
