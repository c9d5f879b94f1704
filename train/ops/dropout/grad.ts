// The dropout training entry: inverted dropout. In the forward pass
// y = x·mask/(1 − rate) in training (identity in evaluation), mask[i] ∈ {0, 1}
// (1 = keep) from mode.mask, else keep ⇔ rng.next() ≥ rate in element order;
// the backward is dx = dy·mask/(1 − rate). On WebGPU the mask is the
// counter-based one of the forward (layer index, step uniform), recomputed.

import { type GradEntry, SAVES_NOTHING, type TrainLayerOf } from "../grad_entry.ts";
import { prod } from "../../layers.ts";
import { dropoutKernel } from "./wgsl.ts";

/** dropout. */
export const DROPOUT_GRAD: GradEntry<TrainLayerOf<"dropout">> = {
  op: "dropout",
  inputsToSave: SAVES_NOTHING,
  forward64: (l, _p, x, _batch, mode) => {
    if (!mode.train || l.rate === 0) return { y: x.slice(), cache: null };
    let mask = mode.mask;
    if (mask === undefined) {
      if (!mode.rng) throw new TypeError("dropout in training needs mode.mask or mode.rng");
      mask = new Float64Array(x.length);
      for (let i = 0; i < mask.length; i++) mask[i] = mode.rng.next() >= l.rate ? 1 : 0;
    } else if (mask.length !== x.length) {
      throw new TypeError(`dropout mask has ${mask.length} values, expected ${x.length}`);
    }
    const scale = 1 / (1 - l.rate);
    const y = new Float64Array(x.length);
    for (let i = 0; i < y.length; i++) y[i] = x[i] * mask[i] * scale;
    return { y, cache: mask };
  },
  backward64: (l, _p, _x, _y, dy, _batch, cache) => {
    // in the forward pass this was y = x·mask/(1 − rate): the same mask scales dy
    const mask = cache as Float64Array | null;
    if (mask === null) return { dx: dy.slice(), dParams: [] };
    const scale = 1 / (1 - l.rate);
    const dx = new Float64Array(dy.length);
    for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * mask[i] * scale;
    return { dx, dParams: [] };
  },
  webgpu: (l, { ctx, index, n, b }) =>
    b.dx ? [ctx.prepare(dropoutKernel(l.rate, index, n * prod(l.inShape), true), [b.stepU, b.dy, b.dx])] : [],
};
