// The channel slice's training entry: dx is dy in the sliced channels and 0
// elsewhere (reference.ts); the WebGPU backward writes every value of dx.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { channelSliceBackward64, channelSliceForward64 } from "./reference.ts";
import { type Binding, elementwise } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** cslice. */
export const CSLICE_GRAD: GradEntry<TrainLayerOf<"cslice">> = {
  op: "cslice",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, batch) => ({ y: channelSliceForward64(l, x, batch), cache: null }),
  backward64: (l, _p, _x, _y, dy, batch) => ({ dx: channelSliceBackward64(l, dy, batch), dParams: [] }),
  webgpu: (l, { ctx, n, b }) => {
    if (!b.dx) return [];
    const dims = (["START", "COUNT", "C", "S"] as const).map((k, i) =>
      [k, "u32", [l.start, l.count, l.c, l.spatial][i]] as const
    );
    const body = `  let ch = (i / S) % C;
  let n = i / (C * S);
  if (ch >= START && ch < START + COUNT) {
    dx[i] = dy[(n * COUNT + ch - START) * S + i % S];
  } else {
    dx[i] = 0.0;
  }`;
    return [
      ctx.prepare(elementwise("channel slice dX", dims, DECLS, n * l.c * l.spatial, body), [b.dy, b.dx]),
    ];
  },
};
