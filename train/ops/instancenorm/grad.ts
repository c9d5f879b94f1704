// The instancenorm training entry: its backward reads the input x (the plane
// statistics are recomputed, not saved): reference.ts, wgsl_backward.ts.

import { type GradEntry, SAVES_X, type TrainLayerOf } from "../grad_entry.ts";
import { instanceNormBackward64, instanceNormForward64 } from "./reference.ts";
import { instanceNormBackwardInput, instanceNormBackwardParams } from "./wgsl_backward.ts";

/** instancenorm. */
export const INSTANCENORM_GRAD: GradEntry<TrainLayerOf<"instancenorm">> = {
  op: "instancenorm",
  inputsToSave: SAVES_X,
  forward64: (l, p, x, batch) => ({ y: instanceNormForward64(l, p, x, batch), cache: null }),
  backward64: (l, p, x, _y, dy, batch) => instanceNormBackward64(l, p, x, dy, batch),
  webgpu: (l, { ctx, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    const out = [ctx.prepare(instanceNormBackwardParams(l, n), [dy, x, g[0], g[1]])];
    if (dx) out.push(ctx.prepare(instanceNormBackwardInput(l, n), [dy, x, p[0], dx]));
    return out;
  },
};
