// The pad training entry: the backward adds dy back onto the input cells each
// output cell read (reference.ts, wgsl_backward.ts); it reads neither x nor y.

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import { padBackward64, padForward64 } from "./reference.ts";
import { padBackward } from "./wgsl_backward.ts";

/** pad. */
export const PAD_GRAD: GradEntry<TrainLayerOf<"pad">> = dyOnlyEntry(
  "pad",
  padForward64,
  padBackward64,
  padBackward,
);
