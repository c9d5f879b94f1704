// Training state → runtime ModelDesc. Dropout disappears (identity at eval);
// each batchnorm is folded into the nearest preceding conv/dense (dropouts in
// between are ignored, being identities), per output channel o:
//   s = γ[o] / sqrt(var[o] + eps);  w'[o,…] = w[o,…]·s;  b'[o] = (b[o] − mean[o])·s + β[o]
// (a conv/dense without bias gains one, b = 0). A batchnorm with no such
// predecessor is a TypeError. With a softmax_xent loss the net ends in raw
// logits, so a softmax layer is appended (the exported model outputs
// probabilities) unless extra.appendSoftmax is false or it already ends in one.
// Folding is computed in float64 and stored as float32.

import type { BackendState, TrainConfig } from "./backend.ts";
import type { LayerSpec } from "../runtime/spec.ts";
import type { ModelDesc, Normalization } from "../runtime/model_desc.ts";
import { prod, resolveTrainLayers, trainParamShapes } from "./layers.ts";

export interface ExportExtra {
  labels?: string[];
  normalization?: Normalization;
  meta?: Record<string, unknown>;
  /** default: true for loss "softmax_xent" */
  appendSoftmax?: boolean;
}

export function toModelDesc(cfg: TrainConfig, state: BackendState, extra: ExportExtra = {}): ModelDesc {
  const layers = resolveTrainLayers(cfg.layers, cfg.inputShape);
  if (!state || !Array.isArray(state.params) || state.params.length !== layers.length) {
    throw new TypeError(
      `state.params must have one entry per layer (${layers.length}), got ${state?.params?.length}`,
    );
  }
  const outLayers: LayerSpec[] = [];
  const outParams: Float32Array[][] = [];
  layers.forEach((l, i) => {
    const ps = state.params[i];
    const shapes = trainParamShapes(l);
    if (!Array.isArray(ps) || ps.length !== shapes.length) {
      throw new TypeError(
        `state.params[${i}] (${l.op}): expected ${shapes.length} tensors, got ${ps?.length}`,
      );
    }
    shapes.forEach((s, j) => {
      if (!(ps[j] instanceof Float32Array) || ps[j].length !== prod(s)) {
        throw new TypeError(
          `state.params[${i}][${j}] (${l.op}): expected a Float32Array of ${prod(s)} values`,
        );
      }
    });
    if (l.op === "dropout") return;
    if (l.op === "batchnorm") {
      const k = outLayers.length - 1;
      const prev = outLayers[k];
      if (!prev || (prev.type !== "conv2d" && prev.type !== "conv1d" && prev.type !== "dense")) {
        throw new TypeError(
          `layer ${i} (batchnorm) cannot be folded: expected a conv2d/conv1d/dense before it, got ${
            prev ? prev.type : "the input"
          }`,
        );
      }
      const run = state.running?.[i];
      if (!Array.isArray(run) || run.length !== 2 || run[0]?.length !== l.c || run[1]?.length !== l.c) {
        throw new TypeError(`state.running[${i}] (batchnorm): expected [mean (${l.c}), var (${l.c})]`);
      }
      const [gamma, beta] = ps;
      const w = outParams[k][0];
      const per = w.length / l.c; // weights per output channel
      const b = outParams[k][1] ?? new Float32Array(l.c);
      const w2 = new Float32Array(w.length), b2 = new Float32Array(l.c);
      for (let o = 0; o < l.c; o++) {
        const s = gamma[o] / Math.sqrt(run[1][o] + l.eps);
        for (let e = 0; e < per; e++) w2[o * per + e] = w[o * per + e] * s;
        b2[o] = (b[o] - run[0][o]) * s + beta[o];
      }
      outLayers[k] = { ...prev, bias: true } as LayerSpec;
      outParams[k] = [w2, b2];
      return;
    }
    outLayers.push(structuredClone(l.spec) as LayerSpec);
    outParams.push(ps.map((t) => t.slice()));
  });
  const append = extra.appendSoftmax ?? cfg.loss === "softmax_xent";
  if (append && outLayers[outLayers.length - 1]?.type !== "softmax") {
    outLayers.push({ type: "softmax" });
    outParams.push([]);
  }
  const desc: ModelDesc = { inputShape: [...cfg.inputShape], layers: outLayers, params: outParams };
  if (extra.labels !== undefined) desc.labels = [...extra.labels];
  if (extra.normalization !== undefined) desc.normalization = structuredClone(extra.normalization);
  if (extra.meta !== undefined) desc.meta = structuredClone(extra.meta);
  return desc;
}
