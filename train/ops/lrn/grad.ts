// The lrn training entry: its backward reads the layer's input x
// (reference.ts, wgsl_backward.ts).

import { type GradEntry, SAVES_X, type TrainLayerOf } from "../grad_entry.ts";
import { lrnBackward64, lrnForward64 } from "./reference.ts";
import { lrnBackward } from "./wgsl_backward.ts";

/** lrn. */
export const LRN_GRAD: GradEntry<TrainLayerOf<"lrn">> = {
  op: "lrn",
  inputsToSave: SAVES_X,
  forward64: (l, _p, x, batch) => ({ y: lrnForward64(l, x, batch), cache: null }),
  backward64: (l, _p, x, _y, dy, batch) => ({ dx: lrnBackward64(l, x, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => b.dx ? [ctx.prepare(lrnBackward(l, n), [b.dy, b.x, b.dx])] : [],
};
