// The instancenorm entry of the runtime op table. Shapes: x and y are
// (N, C, spatial) flattened; params scale, bias (C).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { instanceNormForward } from "./cpu.ts";

/** instancenorm. */
export const INSTANCENORM: OpEntry<LayerOf<"instancenorm">> = {
  op: "instancenorm",
  fuses: false,
  cpu: (l, c) => instanceNormForward(l, c.xs[0], c.params, c.batch, c.y),
};
