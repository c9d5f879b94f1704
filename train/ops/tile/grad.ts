// The tile training entry: the backward sums dy over the copies of each input
// (reference.ts, wgsl_backward.ts); it reads neither x nor y.

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import { tileBackward64, tileForward64 } from "./reference.ts";
import { tileBackward } from "./wgsl_backward.ts";

/** tile. */
export const TILE_GRAD: GradEntry<TrainLayerOf<"tile">> = dyOnlyEntry(
  "tile",
  tileForward64,
  tileBackward64,
  tileBackward,
);
