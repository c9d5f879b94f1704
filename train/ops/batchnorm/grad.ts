// The batchnorm training entry. In the forward pass (training) each channel
// was normalised by its batch mean and variance, x̂ = (x − μ)·invstd, then
// y = γ·x̂ + β (the cache holds μ and invstd); the backward gives dγ = Σ dy·x̂,
// dβ = Σ dy and dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)).

import { type GradEntry, SAVES_X, type TrainLayerOf } from "../grad_entry.ts";
import { bnBackward64, type BnCache, bnForward64 } from "./reference.ts";
import { bnBackwardInput, bnBackwardParams } from "./wgsl.ts";

/** batchnorm: the WebGPU backward reads the forward's [mean, invstd] buffer. */
export const BATCHNORM_GRAD: GradEntry<TrainLayerOf<"batchnorm">> = {
  op: "batchnorm",
  inputsToSave: SAVES_X,
  forward64: (l, p, x, batch, mode) =>
    bnForward64(l.c, l.spatial, l.eps, l.momentum, p[0], p[1], x, batch, mode.train, mode.running),
  backward64: (l, p, x, _y, dy, batch, cache) => {
    const r = bnBackward64(l.c, l.spatial, p[0], x, dy, batch, cache as BnCache);
    return { dx: r.dx, dParams: [r.dgamma, r.dbeta] };
  },
  webgpu: (l, { ctx, n, b }) => {
    const { x, dy, dx, params: p, grads: g } = b;
    if (!b.stats) throw new TypeError("batchnorm backward needs its forward stats buffer");
    const out = [ctx.prepare(bnBackwardParams(l, n), [x, b.stats, dy, g[0], g[1]])];
    if (dx) out.push(ctx.prepare(bnBackwardInput(l, n), [x, b.stats, dy, p[0], g[0], g[1], dx]));
    return out;
  },
};
