// The conv family's entries in the runtime op table: conv (conv2d/conv1d,
// every stride/padding/dilation/groups) and convT (transposed). Shapes: x is
// (N, inC, inH, inW), w (outC, inC/groups, kh, kw) for conv and
// (inC, outC/groups, kh, kw) for convT, y (N, outC, outH, outW).

import { biasOf, type LayerOf, type OpEntry } from "../op_entry.ts";
import { convCpu, prepareConv, type PreparedConv } from "./cpu.ts";
import { convTCpu } from "./transpose_cpu.ts";
import { CONV_WASM } from "./wasm.ts";

/** conv: the chooser of cpu.ts picks Winograd, im2col or direct; weights are prepared once. */
export const CONV: OpEntry<LayerOf<"conv">> = {
  op: "conv",
  fuses: true,
  prepare: (l, params) => prepareConv(l, params[0]),
  cpu: (l, c) =>
    convCpu(
      l,
      (c.prepared as PreparedConv | undefined) ?? prepareConv(l, c.params[0]),
      c.params[0],
      biasOf(l, c.params),
      c.xs[0],
      c.batch,
      c.y,
      c.relu,
      c.scratch,
    ),
  wasm: CONV_WASM,
};

/** convT: the transposed convolution (the adjoint of conv). */
export const CONV_T: OpEntry<LayerOf<"convT">> = {
  op: "convT",
  fuses: false,
  cpu: (l, c) =>
    convTCpu(l, c.params[0], biasOf(l, c.params), c.xs[0], c.batch, c.y, false, undefined, c.scratch),
};
