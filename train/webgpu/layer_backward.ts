// Binds the backward kernels of one training layer (its op's entry in
// train/ops/table.ts, train/ops/<family>/grad.ts) to its buffers: gradient
// w.r.t. the layer input (skipped when `dx` is null, i.e. for the first
// layer) and w.r.t. each parameter (trainParamShapes order). Dropout uses the
// same counter-based mask as its forward (layer index `index`, step uniform).
// Shapes: x (N, ...inShape), y and dy (N, ...outShape), dx like x.
// Invariant: every kernel writes (never accumulates) its output, so gradient
// buffers need no clearing between steps. Max pools whose windows tile the
// input use the tiled kernel; with `reluMask` (the pool's input is a ReLU
// output whose backward is folded in) dx is the gradient w.r.t. that ReLU's
// input. Conv dW (+ db) of kernels up to 25 taps runs as batch-sliced
// partial sums + a reduction (train/ops/conv/wgsl_dw_lanes.ts) when `scratch` is given.

import type { TrainResolvedLayer } from "../layers.ts";
import type { KernelBinder, PreparedKernel } from "./gpu_context.ts";
import type { LayerBuffers } from "../ops/grad_entry.ts";
import { maxPoolTiles } from "../ops/pool/wgsl_backward.ts";
import { gradEntry } from "../ops/table.ts";

export type { LayerBuffers };

/** The backward kernels of layer `l` (index `index`, batch `n`) bound to its buffers, from its op's entry. */
export function layerBackward(
  ctx: KernelBinder,
  l: TrainResolvedLayer,
  index: number,
  n: number,
  b: LayerBuffers,
  opts: { reluMask?: boolean } = {},
): PreparedKernel[] {
  if (opts.reluMask && !(l.op === "pool" && l.mode === "max" && maxPoolTiles(l))) {
    throw new TypeError(`a folded ReLU mask needs a tiling max pool, got ${l.op}`);
  }
  return gradEntry(l).webgpu(l, { ctx, index, n, b, reluMask: opts.reluMask ?? false });
}
