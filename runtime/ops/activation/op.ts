// The activation entry of the runtime op table (every elementwise activation
// of table.ts, and softmax over channels), and flatten, which has no kernel.
// Shapes: x and y are (N, C, spatial) flattened; an elementwise activation
// may run in place (y = x).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { activation } from "./cpu.ts";

/** act: one kernel for every activation; in place on WebGPU when the executor's plan allows it. */
export const ACT: OpEntry<LayerOf<"act">> = {
  op: "act",
  fuses: false,
  // a column activation's `outer` blocks per sample run as more samples of (c, spatial)
  cpu: (l, c) => activation(l.act, l.alpha, l.beta, l.c, l.spatial, c.xs[0], c.batch * l.outer, c.y),
};

/** flatten: a reshape; a copy on the CPU when the buffers differ, aliasing (no kernel) on WebGPU. */
export const FLATTEN: OpEntry<LayerOf<"flatten">> = {
  op: "flatten",
  fuses: false,
  cpu: (_l, c) => {
    if (c.y !== c.xs[0]) c.y.set(c.xs[0]);
    return c.y;
  },
};
