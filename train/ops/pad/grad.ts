// The pad training entry: the backward adds dy back onto the input cells each
// output cell read (reference.ts, wgsl_backward.ts); it reads neither x nor y.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { padBackward64, padForward64 } from "./reference.ts";
import { padBackward } from "./wgsl_backward.ts";

/** pad. */
export const PAD_GRAD: GradEntry<TrainLayerOf<"pad">> = {
  op: "pad",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, batch) => ({ y: padForward64(l, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: padBackward64(l, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => b.dx ? [ctx.prepare(padBackward(l, n), [b.dy, b.dx])] : [],
};
