// The per-channel training entry (scale, prelu): the float64 reference and the
// WebGPU backward, both of which read the layer's input x.

import { type GradEntry, SAVES_X, type TrainLayerOf } from "../grad_entry.ts";
import { channelBackward64, channelForward64 } from "./reference.ts";
import { channelBackwardBias, channelBackwardInput, channelBackwardWeight } from "./wgsl_backward.ts";

/** channel. */
export const CHANNEL_GRAD: GradEntry<TrainLayerOf<"channel">> = {
  op: "channel",
  inputsToSave: SAVES_X,
  forward64: (l, p, x, batch) => ({ y: channelForward64(l, p, x, batch), cache: null }),
  backward64: (l, p, x, _y, dy, batch) => channelBackward64(l, p, x, dy, batch),
  webgpu: (l, { ctx, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    const out = [ctx.prepare(channelBackwardWeight(l.mode, l.c, l.spatial, n), [dy, x, g[0]])];
    if (l.mode === "scale") out.push(ctx.prepare(channelBackwardBias(l.c, l.spatial, n), [dy, g[1]]));
    const ins = l.mode === "prelu" ? [dy, x, p[0], dx] : [dy, p[0], dx];
    if (dx) out.push(ctx.prepare(channelBackwardInput(l.mode, l.c, l.spatial, n), ins as GPUBuffer[]));
    return out;
  },
};
