// The depth↔space training entry. The backward is the inverse permutation:
// depthtospace's is spacetodepth of the same block and channel order, and
// the other way round, so the WebGPU backward gathers dy through the
// inverse layer's src (runtime/ops/depth/geometry.ts).

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { depthBackward64, depthForward64 } from "./reference.ts";
import { depthSourceWgsl } from "../../../runtime/ops/depth/geometry.ts";
import { type Binding, elementwise } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** depth. */
export const DEPTH_GRAD: GradEntry<TrainLayerOf<"depth">> = {
  op: "depth",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, batch) => ({ y: depthForward64(l, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: depthBackward64(l, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => {
    if (!b.dx) return [];
    // dx[i] = dy[o] where the forward's src(o) = i: o is the inverse layer's src(i)
    const per = l.c * l.block * l.block * l.h * l.w;
    const dims = (["b", "c", "h", "w", "per"] as const).map((k, i) =>
      [k, "u32", [l.block, l.c, l.h, l.w, per][i]] as const
    );
    const body = "  dx[i] = dy[(i / p.per) * p.per + src(i % p.per)];";
    return [
      ctx.prepare(elementwise("depth dX", dims, DECLS, n * per, body, depthSourceWgsl(!l.toSpace, l.crd)), [
        b.dy,
        b.dx,
      ]),
    ];
  },
};
