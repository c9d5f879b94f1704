// The joins' training entries. In the forward pass add summed its inputs
// (each input's gradient is dy), concat stacked them along channels (each
// gets its slice of dy) and mul multiplied x by s (dx = dy·s, ds = Σ dy·x per
// channel when s is a gate). Their float64 references take several inputs and
// live in reference.ts (joinForward64 / joinBackward64), so these entries
// have none here.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { inputSizes } from "../../../runtime/format/spec.ts";
import { prod } from "../../layers.ts";
import { joinSliceBackward, mulBackwardScale, mulBackwardX } from "./wgsl_backward.ts";

/** The slice kernels of add (every input: all of dy) and concat (each input: its channels of dy). */
function sliceBackward(
  l: TrainLayerOf<"add"> | TrainLayerOf<"concat">,
  c: Parameters<GradEntry["webgpu"]>[1],
) {
  const sizes = inputSizes(l), outPer = prod(l.outShape);
  const out = [];
  let off = 0;
  for (const [k, per] of sizes.entries()) {
    const d = c.b.dxs?.[k];
    if (d) {
      out.push(c.ctx.prepare(joinSliceBackward(c.n, per, outPer, l.op === "add" ? 0 : off), [c.b.dy, d]));
    }
    off += per;
  }
  return out;
}

/** add. */
export const ADD_GRAD: GradEntry<TrainLayerOf<"add">> = {
  op: "add",
  inputsToSave: SAVES_NOTHING,
  webgpu: sliceBackward,
};

/** concat. */
export const CONCAT_GRAD: GradEntry<TrainLayerOf<"concat">> = {
  op: "concat",
  inputsToSave: SAVES_NOTHING,
  webgpu: sliceBackward,
};

/** mul: reads both inputs (x for ds, s for dx). */
export const MUL_GRAD: GradEntry<TrainLayerOf<"mul">> = {
  op: "mul",
  inputsToSave: () => ({ x: true, y: false }),
  webgpu: (l, { ctx, n, b }) => {
    const [dx0, ds] = b.dxs ?? [];
    const [x0, s] = b.xs ?? [];
    if (!x0 || !s) throw new TypeError("mul backward needs both input buffers (xs)");
    const out = [];
    if (dx0) out.push(ctx.prepare(mulBackwardX(n, l.c, l.spatial, l.broadcast), [b.dy, s, dx0]));
    if (ds) out.push(ctx.prepare(mulBackwardScale(n, l.c, l.spatial, l.broadcast), [b.dy, x0, ds]));
    return out;
  },
};
