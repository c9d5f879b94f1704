// The joins' entries in the runtime op table: add (n inputs of one shape),
// concat (along channels) and mul (elementwise, or a per-channel gate). Each
// runs one WebGPU dispatch per input (`part`); add takes a fused ReLU or
// epilogue. Shapes: every input is (N, ...its shape), y (N, ...outShape).

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { addCpu, concatCpu, mulCpu } from "./cpu.ts";

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** add: the elementwise sum of its inputs. */
export const ADD: OpEntry<LayerOf<"add">> = {
  op: "add",
  fuses: true,
  cpu: (l, c) => addCpu(c.xs, size(l.outShape), c.batch, c.y, c.relu),
};

/** concat: the inputs stacked along the channel axis. */
export const CONCAT: OpEntry<LayerOf<"concat">> = {
  op: "concat",
  fuses: false,
  cpu: (l, c) => concatCpu(l.channels, l.spatial, c.xs, c.batch, c.y),
};

/** mul: x times s, elementwise or s per channel. */
export const MUL: OpEntry<LayerOf<"mul">> = {
  op: "mul",
  fuses: false,
  cpu: (l, c) => mulCpu(l.c, l.spatial, l.broadcast, c.xs, c.batch, c.y),
};
