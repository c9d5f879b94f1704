// The dense entry of the runtime op table. Shapes: x is (N, inF), w (outF, inF), b (outF), y (N, outF).

import { biasOf, type LayerOf, type OpEntry } from "../op_entry.ts";
import { denseCpu } from "./cpu.ts";
import { DENSE_WASM } from "./wasm.ts";

/** dense: one register-blocked GEMM on the CPU, ReLU or epilogue fused. */
export const DENSE: OpEntry<LayerOf<"dense">> = {
  op: "dense",
  fuses: true,
  cpu: (l, c) => denseCpu(l.inF, l.outF, c.params[0], biasOf(l, c.params), c.xs[0], c.batch, c.y, c.relu),
  wasm: DENSE_WASM,
};
