// Shape resolution of training models (chains or graphs, linked as the runtime's): the runtime op set (resolved by
// runtime/format/spec.ts resolveLayer) plus the training-only dropout and batchnorm.
// Invariants: dropout and batchnorm keep the shape; batchnorm normalises per
// channel c = inShape[0] over N and the `spatial` = prod(inShape[1:]) positions
// (spatial = 1 for flat features). Parameters per layer are trainParamShapes(l):
// runtime layers as paramShapes, batchnorm [gamma (c), beta (c)]; batchnorm
// running mean/var are state, not parameters.

import type { TrainLayerSpec } from "./backend.ts";
import {
  type LayerLinks,
  type LayerSpec,
  paramShapes,
  type ResolvedLayer,
  resolveGraph,
  resolveLayer,
} from "../runtime/format/spec.ts";
import { quote } from "../runtime/quote.ts";

export interface DropoutLayer {
  op: "dropout";
  /** probability of zeroing a unit, in [0, 1) */
  rate: number;
  inShape: number[];
  outShape: number[];
  /** producer layers, −1 = the model input */
  inputs: number[];
  spec: TrainLayerSpec;
}

export interface BatchNormLayer {
  op: "batchnorm";
  /** channels = inShape[0] */
  c: number;
  /** positions per channel per sample = prod(inShape[1:]) */
  spatial: number;
  eps: number;
  momentum: number;
  inShape: number[];
  outShape: number[];
  /** producer layers, −1 = the model input */
  inputs: number[];
  spec: TrainLayerSpec;
}

export type TrainResolvedLayer = ResolvedLayer | DropoutLayer | BatchNormLayer;

function finite(v: unknown, what: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${what} must be a finite number, got ${quote(v)}`);
  }
  return v;
}

/** Resolve one training layer against its input shape. Throws TypeError/RangeError. */
export function resolveTrainLayer(spec: TrainLayerSpec, inShape: number[], index = 0): TrainResolvedLayer {
  const t = (spec as { type?: unknown } | null)?.type;
  const what = `layer ${index} (${t})`;
  if (t === "dropout") {
    const rate = finite((spec as { rate?: unknown }).rate, `${what}.rate`, NaN);
    if (Number.isNaN(rate)) throw new TypeError(`${what}.rate is required`);
    if (rate < 0 || rate >= 1) throw new RangeError(`${what}.rate must be in [0, 1), got ${rate}`);
    return { op: "dropout", rate, inShape: [...inShape], outShape: [...inShape], inputs: [index - 1], spec };
  }
  if (t === "batchnorm") {
    const s = spec as { eps?: unknown; momentum?: unknown };
    const eps = finite(s.eps, `${what}.eps`, 1e-5);
    const momentum = finite(s.momentum, `${what}.momentum`, 0.1);
    if (eps <= 0) throw new RangeError(`${what}.eps must be > 0, got ${eps}`);
    if (momentum < 0 || momentum > 1) {
      throw new RangeError(`${what}.momentum must be in [0, 1], got ${momentum}`);
    }
    const c = inShape[0];
    const spatial = inShape.slice(1).reduce((a, b) => a * b, 1);
    return {
      op: "batchnorm",
      c,
      spatial,
      eps,
      momentum,
      inShape: [...inShape],
      outShape: [...inShape],
      inputs: [index - 1],
      spec,
    };
  }
  return resolveLayer(spec as LayerSpec, inShape, index);
}

/** Resolve a whole training model (chain or graph, runtime/format/spec.ts resolveGraph). Throws TypeError/RangeError naming the layer. */
export function resolveTrainLayers(layers: TrainLayerSpec[], inputShape: number[]): TrainResolvedLayer[] {
  return resolveGraph(layers as (LayerLinks & { type: string })[], inputShape, resolveTrainLayer);
}

/** Shapes of the learnable tensors of a layer: runtime layers [weight, bias?]; batchnorm [gamma, beta]. */
export function trainParamShapes(l: TrainResolvedLayer): number[][] {
  if (l.op === "batchnorm") return [[l.c], [l.c]];
  if (l.op === "dropout") return [];
  return paramShapes(l);
}

/** Number of elements of a shape. */
export const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);
