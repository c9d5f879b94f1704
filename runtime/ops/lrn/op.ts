// The lrn entry of the runtime op table: local response normalisation across
// channels. Shapes: x and y are (N, C, spatial) flattened.

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { lrnForward } from "./cpu.ts";

/** lrn. */
export const LRN: OpEntry<LayerOf<"lrn">> = {
  op: "lrn",
  fuses: false,
  cpu: (l, c) => lrnForward(l, c.xs[0], c.batch, c.y),
};
