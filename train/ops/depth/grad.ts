// The depth↔space training entry. The backward is the inverse permutation:
// depthtospace's is spacetodepth of the same block and channel order, and
// the other way round, so the WebGPU backward gathers dy through the
// inverse layer's src (runtime/ops/depth/geometry.ts).

import { dyOnlyEntry, type GradEntry, type TrainLayerOf } from "../grad_entry.ts";
import type { Kernel } from "../../../runtime/webgpu/kernel.ts";
import { depthBackward64, depthForward64 } from "./reference.ts";
import { depthSourceWgsl } from "../../../runtime/ops/depth/geometry.ts";
import { type Binding, elementwise, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** dx[i] = dy[o] where the forward's src(o) = i: o is the inverse layer's src(i). */
function depthBackward(l: TrainLayerOf<"depth">, n: number): Kernel {
  const per = l.c * l.block * l.block * l.h * l.w;
  const dims = u32Dims({ b: l.block, c: l.c, h: l.h, w: l.w, per });
  const body = "  dx[i] = dy[(i / p.per) * p.per + src(i % p.per)];";
  return elementwise("depth dX", dims, DECLS, n * per, body, depthSourceWgsl(!l.toSpace, l.crd));
}

/** depth. */
export const DEPTH_GRAD: GradEntry<TrainLayerOf<"depth">> = dyOnlyEntry(
  "depth",
  depthForward64,
  depthBackward64,
  depthBackward,
);
