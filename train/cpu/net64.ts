// Whole-network float64 forward/backward over a training layer chain, built
// on reference.ts. Activations: acts[0] = x, acts[i+1] = output of layer i,
// each (N, ...shape) flattened. Dropout masks in training come from
// Rng.derive(seed, step, layerIndex), so a step's masks depend only on
// (seed, step) and a resumed run draws the same masks.

import type { TrainResolvedLayer } from "../layers.ts";
import { Rng } from "../rng.ts";
import { backward64, forward64 } from "./reference.ts";

export interface NetMode {
  train: boolean;
  /** dropout stream key (training only) */
  seed?: number;
  step?: number;
  /** per layer: batchnorm [mean, var] (updated in place in training), else [] */
  running: Float64Array[][];
}

export function netForward64(
  layers: TrainResolvedLayer[],
  params: Float64Array[][],
  x: Float64Array,
  batch: number,
  mode: NetMode,
): { acts: Float64Array[]; caches: unknown[] } {
  const acts = [x];
  const caches: unknown[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const rng = mode.train && l.op === "dropout" ? Rng.derive(mode.seed ?? 0, mode.step ?? 0, i) : undefined;
    const r = forward64(l, params[i], acts[i], batch, { train: mode.train, rng, running: mode.running[i] });
    acts.push(r.y);
    caches.push(r.cache);
  }
  return { acts, caches };
}

/** Parameter gradients per layer (trainParamShapes order) and the input gradient, from dOut = ∂L/∂output. */
export function netBackward64(
  layers: TrainResolvedLayer[],
  params: Float64Array[][],
  acts: Float64Array[],
  caches: unknown[],
  dOut: Float64Array,
  batch: number,
): { dParams: Float64Array[][]; dx: Float64Array } {
  const dParams: Float64Array[][] = new Array(layers.length);
  let d = dOut;
  for (let i = layers.length - 1; i >= 0; i--) {
    const r = backward64(layers[i], params[i], acts[i], acts[i + 1], d, batch, caches[i]);
    dParams[i] = r.dParams;
    d = r.dx;
  }
  return { dParams, dx: d };
}
