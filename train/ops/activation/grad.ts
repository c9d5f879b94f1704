// The activation training entry (dx = δ · f′(x, y), f′ from the activation
// table; softmax's Jacobian-vector product), and flatten, whose gradient is dy
// reshaped.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { actBackward64, actForward64 } from "./reference.ts";
import { activationBackward, activationBackwardUses } from "./wgsl_backward.ts";

/** act: the backward binds only the x / y its derivative reads. */
export const ACT_GRAD: GradEntry<TrainLayerOf<"act">> = {
  op: "act",
  inputsToSave: (l) => activationBackwardUses(l.act),
  forward64: (l, _p, x, batch) => ({ y: actForward64(l, x, batch), cache: null }),
  backward64: (l, _p, x, y, dy, batch) => ({ dx: actBackward64(l, x, y, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => {
    if (!b.dx) return [];
    const use = activationBackwardUses(l.act);
    return [
      ctx.prepare(activationBackward(l, n), [...(use.x ? [b.x] : []), ...(use.y ? [b.y] : []), b.dy, b.dx]),
    ];
  },
};

/** flatten: a reshape; on WebGPU its buffers alias, so there is no kernel. */
export const FLATTEN_GRAD: GradEntry<TrainLayerOf<"flatten">> = {
  op: "flatten",
  inputsToSave: SAVES_NOTHING,
  forward64: (_l, _p, x) => ({ y: x.slice(), cache: null }),
  backward64: (_l, _p, _x, _y, dy) => ({ dx: dy.slice(), dParams: [] }),
  webgpu: () => [],
};
