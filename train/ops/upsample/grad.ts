// The upsample training entry: in the forward pass each output read its
// nearest or (bi)linear input taps; the backward sums dy back onto them.

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import { upsampleBackward64, upsampleForward64 } from "./reference.ts";
import { upsampleBackward } from "./wgsl_backward.ts";

/** upsample. */
export const UPSAMPLE_GRAD: GradEntry<TrainLayerOf<"upsample">> = dyOnlyEntry(
  "upsample",
  upsampleForward64,
  upsampleBackward64,
  upsampleBackward,
);
