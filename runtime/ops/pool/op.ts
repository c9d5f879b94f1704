// The pool family's entries in the runtime op table: pool (max/avg/L2 over a
// 2-D window; 1-D pools are the 2-D window with kh = 1) and globalavgpool.
// Shapes: x is (N, C, inH, inW), y (N, C, outH, outW); globalavgpool's y is (N, C).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { globalAvgPool, poolCpu } from "./cpu.ts";
import { POOL_WASM } from "./wasm.ts";

/** pool: the chooser of cpu.ts picks the 2×2 max pool or the direct one. */
export const POOL: OpEntry<LayerOf<"pool">> = {
  op: "pool",
  fuses: false,
  cpu: (l, c) => poolCpu(l, l.mode, c.xs[0], c.batch, c.y),
  wasm: POOL_WASM,
};

/** globalavgpool: the mean of each channel. */
export const GLOBAL_AVG_POOL: OpEntry<LayerOf<"globalavgpool">> = {
  op: "globalavgpool",
  fuses: false,
  cpu: (l, c) => globalAvgPool(l.c, l.spatial, c.xs[0], c.batch, c.y),
};
