// The upsample training entry: in the forward pass each output read its
// nearest or (bi)linear input taps; the backward sums dy back onto them.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { upsampleBackward64, upsampleForward64 } from "./reference.ts";
import { upsampleBackward } from "./wgsl_backward.ts";

/** upsample. */
export const UPSAMPLE_GRAD: GradEntry<TrainLayerOf<"upsample">> = {
  op: "upsample",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, batch) => ({ y: upsampleForward64(l, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: upsampleBackward64(l, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => b.dx ? [ctx.prepare(upsampleBackward(l, n), [b.dy, b.dx])] : [],
};
