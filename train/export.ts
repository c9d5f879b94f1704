// Training state → runtime ModelDesc. Dropout disappears (identity at eval);
// each batchnorm is folded into the nearest preceding conv/dense/transposed
// conv (dropouts in between are ignored, being identities), per output channel o:
//   s = γ[o] / sqrt(var[o] + eps);  w'[o,…] = w[o,…]·s;  b'[o] = (b[o] − mean[o])·s + β[o]
// (a transposed conv's weight is (inC, outC/groups, kh, kw): output channel
// g·(outC/groups) + o' owns w[ic, o', …] for the input channels ic of group g)
// (a conv/dense without bias gains one, b = 0). A batchnorm with no such
// predecessor (or one whose output others read too, e.g. a join's inputs or
// a pre-activation block's add) becomes a per-channel affine layer instead:
// a 1×1 depthwise conv on images and series, a diagonal dense on flat data. With a softmax_xent loss the net ends in raw
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
import type { LayerSpec } from "../runtime/spec.ts";
import type { ModelDesc, Normalization } from "../runtime/model_desc.ts";
import { type BatchNormLayer, prod, resolveTrainLayers, trainParamShapes } from "./layers.ts";
import { consumers, withInputs } from "../runtime/graph.ts";
import type { InputRange } from "../runtime/input_range.ts";

export interface ExportExtra {
  labels?: string[];
  normalization?: Normalization;
  meta?: Record<string, unknown>;
  /** default: true for loss "softmax_xent" */
  appendSoftmax?: boolean;
  /** the sizes the model also runs at (a fully convolutional architecture's Arch.inputRange) */
  inputRange?: InputRange;
}

/** y = x·s + t per channel of a batchnorm that cannot fold: s = γ/√(var + eps), t = β − mean·s. */
function bnAffine(l: BatchNormLayer, run: Float32Array[], ps: Float32Array[]): [Float32Array, Float32Array] {
  const s = Float64Array.from({ length: l.c }, (_, o) => ps[0][o] / Math.sqrt(run[1][o] + l.eps));
  return [Float32Array.from(s), Float32Array.from(s, (v, o) => ps[1][o] - run[0][o] * v)];
}

/** The layer a batchnorm becomes when it cannot fold: a 1×1 depthwise conv (images, series) or a dense (flat). */
function affineLayer(
  l: BatchNormLayer,
  _run: Float32Array[],
  _ps: Float32Array[],
  from: number,
  k: number,
): LayerSpec {
  const rank = l.inShape.length;
  const spec: LayerSpec = rank === 1
    ? { type: "dense", units: l.c }
    : { type: rank === 3 ? "conv2d" : "conv1d", filters: l.c, kernel: 1, groups: l.c };
  return withInputs(spec, [from], k);
}

function affineParams(l: BatchNormLayer, run: Float32Array[], ps: Float32Array[]): Float32Array[] {
  const [s, t] = bnAffine(l, run, ps);
  if (l.inShape.length > 1) return [s, t];
  const w = new Float32Array(l.c * l.c);
  for (let o = 0; o < l.c; o++) w[o * l.c + o] = s[o];
  return [w, t];
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
      if (!prev || !foldable.includes(prev.type) || !alone) {
        // not foldable (after a join, a pool, the input, or a layer others read too): a per-channel affine layer
        outLayers.push(affineLayer(l, run, ps, k, outLayers.length));
        outParams.push(affineParams(l, run, ps));
        outResolved.push(l);
        at.push(outLayers.length - 1);
        return;
      }
      const [gamma, beta] = ps;
      const w = outParams[k][0];
      const b = outParams[k][1] ?? new Float32Array(l.c);
      const scale = Float64Array.from({ length: l.c }, (_, o) => gamma[o] / Math.sqrt(run[1][o] + l.eps));
      const w2 = new Float32Array(w.length), b2 = new Float32Array(l.c);
      const r = outResolved[k];
      // the output channel each weight belongs to
      const channelOf: (e: number) => number = r.op === "convT"
        ? ((per, ocg, icg) => (e: number) => {
          const row = Math.floor(e / per); // = ic·ocg + o'
          return Math.floor(Math.floor(row / ocg) / icg) * ocg + (row % ocg);
        })(r.kh * r.kw, r.outC / r.groups, r.inC / r.groups)
        : ((per) => (e: number) => Math.floor(e / per))(w.length / l.c);
      for (let e = 0; e < w.length; e++) w2[e] = w[e] * scale[channelOf(e)];
      for (let o = 0; o < l.c; o++) b2[o] = (b[o] - run[0][o]) * scale[o] + beta[o];
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
