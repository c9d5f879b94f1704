// The shuffle training entry: the backward is the inverse permutation of dy
// (reference.ts, wgsl_backward.ts); it reads neither x nor y.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { shuffleBackward64, shuffleForward64 } from "./reference.ts";
import { shuffleBackward } from "./wgsl_backward.ts";

/** shuffle. */
export const SHUFFLE_GRAD: GradEntry<TrainLayerOf<"shuffle">> = {
  op: "shuffle",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, batch) => ({ y: shuffleForward64(l, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: shuffleBackward64(l, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => b.dx ? [ctx.prepare(shuffleBackward(l, n), [b.dy, b.dx])] : [],
};
