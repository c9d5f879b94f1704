// The shuffle training entry: the backward is the inverse permutation of dy
// (reference.ts, wgsl_backward.ts); it reads neither x nor y.

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import { shuffleBackward64, shuffleForward64 } from "./reference.ts";
import { shuffleBackward } from "./wgsl_backward.ts";

/** shuffle. */
export const SHUFFLE_GRAD: GradEntry<TrainLayerOf<"shuffle">> = dyOnlyEntry(
  "shuffle",
  shuffleForward64,
  shuffleBackward64,
  shuffleBackward,
);
