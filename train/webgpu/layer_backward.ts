// Binds the backward kernels of one training layer to its buffers: gradient
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
import { inputSizes } from "../../runtime/format/spec.ts";
import { prod } from "../layers.ts";
import type { KernelBinder, PreparedKernel } from "./gpu_context.ts";
import { convBackwardBias, convBackwardInput, convBackwardWeight } from "../ops/conv/wgsl_backward.ts";
import { convDwLanesFits, convDwPartFloats, convDwPartial, convDwReduce } from "../ops/conv/wgsl_dw_lanes.ts";
import {
  globalAvgPoolBackward,
  maxPoolBackwardTiled,
  maxPoolTiles,
  poolBackward,
  poolBackwardReads,
} from "../ops/pool/wgsl_backward.ts";
import { denseBackwardBias, denseBackwardInput, denseBackwardWeight } from "../ops/dense/wgsl_backward.ts";
import { activationBackward, activationBackwardUses } from "../ops/activation/wgsl_backward.ts";
import { dropoutKernel } from "../ops/dropout/wgsl.ts";
import { upsampleBackward } from "../ops/upsample/wgsl_backward.ts";
import {
  convTransposeBackwardInput,
  convTransposeBackwardWeight,
} from "../ops/conv/transpose_wgsl_backward.ts";
import { bnBackwardInput, bnBackwardParams } from "../ops/batchnorm/wgsl.ts";
import { joinSliceBackward, mulBackwardScale, mulBackwardX } from "../ops/join/wgsl_backward.ts";

export interface LayerBuffers {
  x: GPUBuffer;
  y: GPUBuffer;
  dy: GPUBuffer;
  dx: GPUBuffer | null;
  /** a join's input gradients, one per input (null: not needed); dx is ignored for joins */
  dxs?: (GPUBuffer | null)[];
  /** a join's inputs (mul's backward reads both); x is the first */
  xs?: GPUBuffer[];
  params: GPUBuffer[];
  grads: GPUBuffer[];
  /** batchnorm [mean (C), invstd (C)] of the forward pass */
  stats: GPUBuffer | null;
  /** the step uniform (dropout seed/step) */
  stepU: GPUBuffer;
  /** allocator of scratch storage the caller owns (conv dW partial sums); without it the one-pass kernels run */
  scratch?: (floats: number, what: string) => GPUBuffer;
}

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
  const { x, y, dy, dx } = b;
  const p = b.params, g = b.grads;
  const out: PreparedKernel[] = [];
  switch (l.op) {
    case "flatten":
      break;
    case "conv":
      if (b.scratch && convDwLanesFits(l)) {
        const part = b.scratch(convDwPartFloats(l, n), `layer ${index} dW partial sums`);
        out.push(ctx.prepare(convDwPartial(l, n), [dy, x, part]));
        out.push(ctx.prepare(convDwReduce(l, n, l.bias), [part, g[0], ...(l.bias ? [g[1]] : [])]));
      } else {
        out.push(ctx.prepare(convBackwardWeight(l, n), [dy, x, g[0]]));
        if (l.bias) out.push(ctx.prepare(convBackwardBias(l, n), [dy, g[1]]));
      }
      if (dx) out.push(ctx.prepare(convBackwardInput(l, n), [dy, p[0], dx]));
      break;
    case "convT":
      out.push(ctx.prepare(convTransposeBackwardWeight(l, n), [dy, x, g[0]]));
      if (l.bias) out.push(ctx.prepare(convBackwardBias(l, n), [dy, g[1]]));
      if (dx) out.push(ctx.prepare(convTransposeBackwardInput(l, n), [dy, p[0], dx]));
      break;
    case "dense":
      out.push(ctx.prepare(denseBackwardWeight(l.inF, l.outF, n), [dy, x, g[0]]));
      if (l.bias) out.push(ctx.prepare(denseBackwardBias(l.outF, n), [dy, g[1]]));
      if (dx) out.push(ctx.prepare(denseBackwardInput(l.inF, l.outF, n), [dy, p[0], dx]));
      break;
    case "pool":
      if (dx && l.mode === "max" && maxPoolTiles(l)) {
        out.push(ctx.prepare(maxPoolBackwardTiled(l, n, opts.reluMask), [x, dy, dx]));
      } else if (dx) {
        const src = { x, y, dy };
        out.push(
          ctx.prepare(poolBackward(l, l.mode, n), [...poolBackwardReads(l.mode).map((k) => src[k]), dx]),
        );
      }
      break;
    case "globalavgpool":
      if (dx) out.push(ctx.prepare(globalAvgPoolBackward(l.c, l.spatial, n), [dy, dx]));
      break;
    case "upsample":
      if (dx) out.push(ctx.prepare(upsampleBackward(l, n), [dy, dx]));
      break;
    case "act":
      if (dx) {
        const use = activationBackwardUses(l.act);
        out.push(ctx.prepare(activationBackward(l, n), [
          ...(use.x ? [x] : []),
          ...(use.y ? [y] : []),
          dy,
          dx,
        ]));
      }
      break;
    case "dropout":
      if (dx) {
        out.push(ctx.prepare(dropoutKernel(l.rate, index, n * prod(l.inShape), true), [b.stepU, dy, dx]));
      }
      break;
    case "add":
    case "concat": {
      const sizes = inputSizes(l), outPer = prod(l.outShape);
      let off = 0;
      sizes.forEach((per, k) => {
        const d = b.dxs?.[k];
        if (d) out.push(ctx.prepare(joinSliceBackward(n, per, outPer, l.op === "add" ? 0 : off), [dy, d]));
        off += per;
      });
      break;
    }
    case "mul": {
      const [dx0, ds] = b.dxs ?? [];
      const [x0, s] = b.xs ?? [];
      if (!x0 || !s) throw new TypeError("mul backward needs both input buffers (xs)");
      if (dx0) out.push(ctx.prepare(mulBackwardX(n, l.c, l.spatial, l.broadcast), [dy, s, dx0]));
      if (ds) out.push(ctx.prepare(mulBackwardScale(n, l.c, l.spatial, l.broadcast), [dy, x0, ds]));
      break;
    }
    case "batchnorm":
      if (!b.stats) throw new TypeError("batchnorm backward needs its forward stats buffer");
      out.push(ctx.prepare(bnBackwardParams(l, n), [x, b.stats, dy, g[0], g[1]]));
      if (dx) out.push(ctx.prepare(bnBackwardInput(l, n), [x, b.stats, dy, p[0], g[0], g[1], dx]));
      break;
    default: {
      const never: never = l; // every layer op has a case: a new op must add its backward here
      throw new TypeError(`no backward for ${(never as { op: string }).op}`);
    }
  }
  return out;
}
