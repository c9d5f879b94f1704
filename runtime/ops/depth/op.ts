// The depth↔space entry of the runtime op table (depthtospace,
// spacetodepth): a permutation of each sample. Shapes: geometry.ts.

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { depthForward } from "./cpu.ts";

/** depth. */
export const DEPTH: OpEntry<LayerOf<"depth">> = {
  op: "depth",
  fuses: false,
  cpu: (l, c) => depthForward(l, c.xs[0], c.batch, c.y),
};
