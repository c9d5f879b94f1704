// The shuffle entry of the runtime op table: channel shuffle (a permutation
// of whole channel planes). Shapes: x and y are (N, C, spatial) flattened.

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { shuffleForward } from "./cpu.ts";

/** shuffle. */
export const SHUFFLE: OpEntry<LayerOf<"shuffle">> = {
  op: "shuffle",
  fuses: false,
  cpu: (l, c) => shuffleForward(l, c.xs[0], c.batch, c.y),
};
