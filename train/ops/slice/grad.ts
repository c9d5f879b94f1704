// The channel slice's training entry: dx is dy in the sliced channels and 0
// elsewhere (reference.ts); the WebGPU backward writes every value of dx.

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import type { Kernel } from "../../../runtime/webgpu/kernel.ts";
import { channelSliceBackward64, channelSliceForward64 } from "./reference.ts";
import { type Binding, elementwise, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** dx = dy in the sliced channels, 0 elsewhere: every value of dx is written. */
function channelSliceBackward(l: TrainLayerOf<"cslice">, n: number): Kernel {
  const dims = u32Dims({ START: l.start, COUNT: l.count, C: l.c, S: l.spatial });
  const body = `  let ch = (i / S) % C;
  let n = i / (C * S);
  if (ch >= START && ch < START + COUNT) {
    dx[i] = dy[(n * COUNT + ch - START) * S + i % S];
  } else {
    dx[i] = 0.0;
  }`;
  return elementwise("channel slice dX", dims, DECLS, n * l.c * l.spatial, body);
}

/** cslice. */
export const CSLICE_GRAD: GradEntry<TrainLayerOf<"cslice">> = dyOnlyEntry(
  "cslice",
  channelSliceForward64,
  channelSliceBackward64,
  channelSliceBackward,
);
