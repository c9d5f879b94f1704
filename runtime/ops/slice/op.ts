// The channel slice's entry in the runtime op table. Shapes: x (N, C, spatial),
// y (N, count, spatial).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { channelSlice } from "./cpu.ts";

/** cslice. */
export const CSLICE: OpEntry<LayerOf<"cslice">> = {
  op: "cslice",
  fuses: false,
  cpu: (l, c) => channelSlice(l, c.xs[0], c.batch, c.y),
};
