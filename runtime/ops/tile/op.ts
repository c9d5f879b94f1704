// The tile entry of the runtime op table. Shapes: x (N, ...in), y (N, ...in·repeats).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { tileForward } from "./cpu.ts";

/** tile. */
export const TILE: OpEntry<LayerOf<"tile">> = {
  op: "tile",
  fuses: false,
  cpu: (l, c) => tileForward(l, c.xs[0], c.batch, c.y),
};
