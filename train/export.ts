// Training state → runtime ModelDesc. Dropout disappears (identity at eval);
// each batchnorm is folded into the nearest preceding conv/dense/transposed
// conv (dropouts in between are ignored, being identities), per output channel o
// (train/ops/batchnorm/fold.ts): s = γ[o] / sqrt(var[o] + eps), t = β[o] − mean[o]·s;
// w'[o,…] = w[o,…]·s; b'[o] = b[o]·s + t (a conv/dense without bias gains one).
// A batchnorm with no such predecessor (or one whose output others read too,
// e.g. a join's inputs or a pre-activation block's add) becomes a per-channel
// scale layer instead (y = s_c·x + t_c, runtime/ops/channel). With a softmax_xent loss the net ends in raw
// logits, so a softmax layer is appended (the exported model outputs
// probabilities) unless extra.appendSoftmax is false or it already ends in one.
// Folding is computed in float64 and stored as float32.
// Graphs: every kept layer's inputs are renumbered to the exported indices
// (a removed dropout or folded batchnorm stands for the layer it passes on;
// `inputs` is written only where it differs from the previous layer, so a
// chain stays a 1.0 file). A batchnorm folds only into a producer that it
// alone reads (through single-reader dropouts): another reader would see the
// folded values. A folded batchnorm's name passes to the conv/dense when
// that has none.

import type { BackendState, TrainConfig } from "./backend.ts";
import type { LayerSpec } from "../runtime/format/spec.ts";
import type { ModelDesc, Normalization } from "../runtime/format/model_desc.ts";
import { prod, resolveTrainLayers, trainParamShapes } from "./layers.ts";
import { affineLayer, bnScaleShift, foldIntoOutputChannels } from "./ops/batchnorm/fold.ts";
import { consumers, withInputs } from "../runtime/graph.ts";
import type { InputRange } from "../runtime/input/input_range.ts";

export interface ExportExtra {
  labels?: string[];
  normalization?: Normalization;
  meta?: Record<string, unknown>;
  /** default: true for loss "softmax_xent" */
  appendSoftmax?: boolean;
  /** the sizes the model also runs at (a fully convolutional architecture's Arch.inputRange) */
  inputRange?: InputRange;
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
  const outResolved: (typeof layers)[number][] = [];
  // at[i]: the exported layer that carries layer i's output (−1: the input)
  const at: number[] = [];
  const readers = consumers(layers);
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
    const from = l.inputs[0] < 0 ? -1 : at[l.inputs[0]];
    if (l.op === "dropout") {
      at.push(from);
      return;
    }
    if (l.op === "batchnorm") {
      const k = from;
      const prev = outLayers[k];
      const run = state.running?.[i];
      if (!Array.isArray(run) || run.length !== 2 || run[0]?.length !== l.c || run[1]?.length !== l.c) {
        throw new TypeError(`state.running[${i}] (batchnorm): expected [mean (${l.c}), var (${l.c})]`);
      }
      const foldable = ["conv2d", "conv1d", "dense", "conv2dtranspose", "conv1dtranspose"];
      // the producer (through dropouts) must be read by this batchnorm alone
      let alone = true;
      for (let j = l.inputs[0], r = i; j >= 0; r = j, j = layers[j].inputs[0]) {
        if (readers[j].length !== 1 || readers[j][0] !== r) alone = false;
        if (layers[j].op !== "dropout") break;
      }
      const { s: scale, t: shift } = bnScaleShift(ps[0], ps[1], run[0], run[1], l.eps);
      if (!prev || !foldable.includes(prev.type) || !alone) {
        // not foldable (after a join, a pool, the input, or a layer others read too): a per-channel affine layer
        const affine = affineLayer(scale, shift);
        outLayers.push(withInputs(affine.spec, [k], outLayers.length));
        outParams.push(affine.params);
        outResolved.push(l);
        at.push(outLayers.length - 1);
        return;
      }
      const r = outResolved[k];
      const convT = r.op === "convT" ? { inC: r.inC, groups: r.groups } : undefined;
      const [w2, b2] = foldIntoOutputChannels(outParams[k][0], outParams[k][1] ?? null, scale, shift, convT);
      outLayers[k] = { ...prev, bias: true } as LayerSpec;
      const name = (l.spec as { name?: string }).name;
      if (name !== undefined && prev.name === undefined) outLayers[k].name = name;
      outParams[k] = [w2, b2];
      at.push(k);
      return;
    }
    const k = outLayers.length;
    const ins = l.inputs.map((j) => (j < 0 ? -1 : at[j]));
    outLayers.push(withInputs(structuredClone(l.spec) as LayerSpec, ins, k));
    outParams.push(ps.map((t) => t.slice()));
    outResolved.push(l);
    at.push(k);
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
  if (extra.inputRange !== undefined) desc.inputRange = structuredClone(extra.inputRange);
  return desc;
}
