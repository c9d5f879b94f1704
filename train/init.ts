// Deterministic parameter initialisation shared by the CPU and WebGPU
// backends, so one seed gives bit-identical initial weights on both.
// Rules: conv/dense weights are He-normal, std = sqrt(2 / fanIn), when the next
// non-batchnorm/non-dropout layer is relu, leakyrelu or elu; otherwise
// Glorot-uniform, limit = sqrt(6 / (fanIn + fanOut)). fanIn = (inC/groups)·kh·kw
// (dense: inF), fanOut = (outC/groups)·kh·kw (dense: outF). Biases are 0,
// batchnorm gamma 1 and beta 0. Draw order: one Rng(seed) stream, layers in
// order, weight elements in row-major order.

import { prod, trainParamShapes, type TrainResolvedLayer } from "./layers.ts";
import { Rng } from "./rng.ts";

const RELU_FAMILY = new Set(["relu", "leakyrelu", "elu"]);

function followedByRelu(layers: TrainResolvedLayer[], i: number): boolean {
  for (let j = i + 1; j < layers.length; j++) {
    const l = layers[j];
    if (l.op === "batchnorm" || l.op === "dropout") continue;
    return l.op === "act" && RELU_FAMILY.has(l.act);
  }
  return false;
}

/** Initial parameters per layer, in trainParamShapes order. */
export function initParams(layers: TrainResolvedLayer[], seed: number): Float32Array[][] {
  const rng = new Rng(seed);
  return layers.map((l, i) => {
    const shapes = trainParamShapes(l);
    const out = shapes.map((s) => new Float32Array(prod(s)));
    if (l.op === "batchnorm") {
      out[0].fill(1);
      return out;
    }
    // scale starts as the identity (s = 1, t = 0), prelu as PyTorch's (a = 0.25)
    if (l.op === "instancenorm") {
      out[0].fill(1);
      return out;
    }
    if (l.op === "channel") {
      out[0].fill(l.mode === "scale" ? 1 : 0.25);
      return out;
    }
    if (l.op !== "conv" && l.op !== "convT" && l.op !== "dense") return out;
    let fanIn: number, fanOut: number;
    if (l.op === "conv" || l.op === "convT") {
      const k = l.kh * l.kw;
      fanIn = (l.inC / l.groups) * k;
      fanOut = (l.outC / l.groups) * k;
    } else {
      fanIn = l.inF;
      fanOut = l.outF;
    }
    const w = out[0];
    if (followedByRelu(layers, i)) {
      const std = Math.sqrt(2 / fanIn);
      for (let k = 0; k < w.length; k++) w[k] = rng.normal() * std;
    } else {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      for (let k = 0; k < w.length; k++) w[k] = (2 * rng.next() - 1) * lim;
    }
    return out;
  });
}
