// The pad entry of the runtime op table: pad2d / pad1d (constant, reflect,
// edge). Shapes: x (N, C, inH, inW) → y (N, C, outH, outW); 1-D has H = 1.

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { padForward } from "./cpu.ts";

/** pad. */
export const PAD: OpEntry<LayerOf<"pad">> = {
  op: "pad",
  fuses: false,
  cpu: (l, c) => padForward(l, c.xs[0], c.batch, c.y),
};
