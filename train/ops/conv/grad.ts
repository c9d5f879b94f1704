// The conv family's training entries: conv and convT. In the forward pass
// y = x ⋆ w + b (cross-correlation); the backward reads x for dW and w for dX.
// Shapes as in runtime/ops/conv/op.ts; dW like w, db (outC).

import { type GradEntry, SAVES_X, type TrainLayerOf, weightedReferences } from "../grad_entry.ts";
import { convBackward64, convForward64 } from "./reference.ts";
import { convTransposeBackward64, convTransposeForward64 } from "./transpose_reference.ts";
import { convBackwardBias, convBackwardInput, convBackwardWeight } from "./wgsl_backward.ts";
import { convDwLanesFits, convDwPartFloats, convDwPartial, convDwReduce } from "./wgsl_dw_lanes.ts";
import { convTransposeBackwardInput, convTransposeBackwardWeight } from "./transpose_wgsl_backward.ts";

/** conv: dW of kernels up to 25 taps as batch-sliced partial sums + a reduction when scratch is given. */
export const CONV_GRAD: GradEntry<TrainLayerOf<"conv">> = {
  op: "conv",
  inputsToSave: SAVES_X,
  ...weightedReferences<TrainLayerOf<"conv">>(convForward64, convBackward64),
  webgpu: (l, { ctx, index, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    const out = [];
    if (b.scratch && convDwLanesFits(l)) {
      const part = b.scratch(convDwPartFloats(l, n), `layer ${index} dW partial sums`);
      out.push(ctx.prepare(convDwPartial(l, n), [dy, x, part]));
      out.push(ctx.prepare(convDwReduce(l, n, l.bias), [part, g[0], ...(l.bias ? [g[1]] : [])]));
    } else {
      out.push(ctx.prepare(convBackwardWeight(l, n), [dy, x, g[0]]));
      if (l.bias) out.push(ctx.prepare(convBackwardBias(l, n), [dy, g[1]]));
    }
    if (dx) out.push(ctx.prepare(convBackwardInput(l, n), [dy, p[0], dx]));
    return out;
  },
};

/** convT: the adjoint of conv; its dX is a direct conv of dy. */
export const CONV_T_GRAD: GradEntry<TrainLayerOf<"convT">> = {
  op: "convT",
  inputsToSave: SAVES_X,
  ...weightedReferences<TrainLayerOf<"convT">>(convTransposeForward64, convTransposeBackward64),
  webgpu: (l, { ctx, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    const out = [ctx.prepare(convTransposeBackwardWeight(l, n), [dy, x, g[0]])];
    if (l.bias) out.push(ctx.prepare(convBackwardBias(l, n), [dy, g[1]]));
    if (dx) out.push(ctx.prepare(convTransposeBackwardInput(l, n), [dy, p[0], dx]));
    return out;
  },
};
