// The dense training entry. In the forward pass y = x·wᵀ + b; dW = dyᵀ·x,
// db = Σ dy, dX = dy·w. Shapes: x (N, inF), w (outF, inF), dy (N, outF).

import { type GradEntry, SAVES_X, type TrainLayerOf, weightedReferences } from "../grad_entry.ts";
import { denseBackward64, denseForward64 } from "./reference.ts";
import { denseBackwardBias, denseBackwardInput, denseBackwardWeight } from "./wgsl_backward.ts";

/** dense. */
export const DENSE_GRAD: GradEntry<TrainLayerOf<"dense">> = {
  op: "dense",
  inputsToSave: SAVES_X,
  ...weightedReferences<TrainLayerOf<"dense">>(denseForward64, denseBackward64),
  webgpu: (l, { ctx, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    const out = [ctx.prepare(denseBackwardWeight(l.inF, l.outF, n), [dy, x, g[0]])];
    if (l.bias) out.push(ctx.prepare(denseBackwardBias(l.outF, n), [dy, g[1]]));
    if (dx) out.push(ctx.prepare(denseBackwardInput(l.inF, l.outF, n), [dy, p[0], dx]));
    return out;
  },
};
