// The pool family's training entries. In the forward pass max pooling kept the
// first winner of each window (its argmax is the cache), average pooling the
// mean, L2 pooling the root of the mean square; globalavgpool the mean of each
// channel. Shapes as in runtime/ops/pool/op.ts.

import type { GradEntry, TrainLayerOf } from "../grad_entry.ts";
import { gapBackward64, gapForward64, poolBackward64, poolForward64 } from "./reference.ts";
import {
  dilatedMaxPoolBackward,
  globalAvgPoolBackward,
  maxPoolBackwardTiled,
  maxPoolTiles,
  poolBackward,
  poolBackwardReads,
} from "./wgsl_backward.ts";

/** pool: max pools whose windows tile the input run the tiled kernel (which may fold in a ReLU's mask). */
export const POOL_GRAD: GradEntry<TrainLayerOf<"pool">> = {
  op: "pool",
  inputsToSave: (l) => {
    const reads = poolBackwardReads(l.mode) as readonly string[];
    return { x: reads.includes("x"), y: reads.includes("y") };
  },
  forward64: (l, _p, x, batch) => {
    const { y, argmax } = poolForward64(l, l.mode, x, batch);
    return { y, cache: argmax };
  },
  backward64: (l, _p, x, y, dy, batch, cache) => ({
    dx: poolBackward64(l, l.mode, x, y, cache as Int32Array | null, dy, batch),
    dParams: [],
  }),
  webgpu: (l, { ctx, n, b, reluMask }) => {
    const { x, y, dy, dx } = b;
    if (!dx) return [];
    if (l.mode === "max" && maxPoolTiles(l)) {
      return [ctx.prepare(maxPoolBackwardTiled(l, n, reluMask), [x, dy, dx])];
    }
    if (l.dh > 1 || l.dw > 1) return [ctx.prepare(dilatedMaxPoolBackward(l, n), [x, dy, dx])];
    const src = { x, y, dy };
    return [ctx.prepare(poolBackward(l, l.mode, n), [...poolBackwardReads(l.mode).map((k) => src[k]), dx])];
  },
};

/** globalavgpool: dx spreads dy/spatial over each channel. */
export const GLOBAL_AVG_POOL_GRAD: GradEntry<TrainLayerOf<"globalavgpool">> = {
  op: "globalavgpool",
  inputsToSave: () => ({ x: false, y: false }),
  forward64: (l, _p, x, batch) => ({ y: gapForward64(l.c, l.spatial, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: gapBackward64(l.c, l.spatial, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) =>
    b.dx ? [ctx.prepare(globalAvgPoolBackward(l.c, l.spatial, n), [b.dy, b.dx])] : [],
};
