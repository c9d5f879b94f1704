// The upsample entry of the runtime op table. Shapes: x is (N, C, inH, inW), y (N, C, inH·sh, inW·sw).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { upsampleCpu } from "./cpu.ts";

/** upsample: nearest or (bi)linear by integer scales. */
export const UPSAMPLE: OpEntry<LayerOf<"upsample">> = {
  op: "upsample",
  fuses: false,
  cpu: (l, c) => upsampleCpu(l, c.xs[0], c.batch, c.y),
};
