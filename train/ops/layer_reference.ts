// Float64 reference forward and backward of every training layer: the oracle
// for the WebGPU kernels and the CPU backend's fast float32 path (train/cpu/network.ts),
// which also runs it for the layers it has no float32 kernel for.
// Shapes: x is (N, ...l.inShape), y and dy (N, ...l.outShape), flattened NCHW;
// params are in trainParamShapes(l) order (conv/dense [w, b?]; batchnorm
// [gamma, beta]). Dropout is inverted dropout: mask[i] ∈ {0, 1} (1 = keep),
// y = x·mask/(1 − rate) in training, identity in eval; the mask comes from
// mode.mask when given, else keep ⇔ rng.next() ≥ rate in element order.
// Invariants: inputs are never modified (except batchnorm mode.running,
// updated in place in training); every length is checked (TypeError).

import type { TrainResolvedLayer } from "../layers.ts";
import { prod, trainParamShapes } from "../layers.ts";
import type { Rng } from "../rng.ts";
import { convBackward64, convForward64 } from "./conv/reference.ts";
import { gapBackward64, gapForward64, poolBackward64, poolForward64 } from "./pool/reference.ts";
import { denseBackward64, denseForward64 } from "./dense/reference.ts";
import { actBackward64, actForward64 } from "./activation/reference.ts";
import { upsampleBackward64, upsampleForward64 } from "./upsample/reference.ts";
import { convTransposeBackward64, convTransposeForward64 } from "./conv/transpose_reference.ts";
import { bnBackward64, type BnCache, bnForward64 } from "./batchnorm/reference.ts";

export interface ForwardMode {
  train: boolean;
  /** dropout mask source in training when no `mask` is given */
  rng?: Rng;
  /** dropout keep mask (0/1), (N, ...inShape) */
  mask?: Float64Array;
  /** batchnorm [running mean (C), running var (C)] */
  running?: Float64Array[];
}

function check(l: TrainResolvedLayer, params: Float64Array[], x: Float64Array, batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new TypeError(`batch must be a positive integer, got ${batch}`);
  }
  const shapes = trainParamShapes(l);
  if (params.length !== shapes.length) {
    throw new TypeError(`${l.op} layer: expected ${shapes.length} parameter tensors, got ${params.length}`);
  }
  shapes.forEach((s, i) => {
    if (params[i].length !== prod(s)) {
      throw new TypeError(
        `${l.op} layer: parameter ${i} has ${params[i].length} values, expected ${prod(s)}`,
      );
    }
  });
  const want = batch * prod(l.inShape);
  if (x.length !== want) {
    throw new TypeError(
      `${l.op} layer: input has ${x.length} values, expected ${batch}×(${l.inShape.join("×")})`,
    );
  }
}

/** Forward of one layer. `cache` is opaque and only meant for backward64. */
export function forward64(
  l: TrainResolvedLayer,
  params: Float64Array[],
  x: Float64Array,
  batch: number,
  mode: ForwardMode,
): { y: Float64Array; cache: unknown } {
  check(l, params, x, batch);
  switch (l.op) {
    case "conv":
      return { y: convForward64(l, params[0], l.bias ? params[1] : null, x, batch), cache: null };
    case "pool": {
      const { y, argmax } = poolForward64(l, l.mode, x, batch);
      return { y, cache: argmax };
    }
    case "globalavgpool":
      return { y: gapForward64(l.c, l.spatial, x, batch), cache: null };
    case "upsample":
      return { y: upsampleForward64(l, x, batch), cache: null };
    case "convT":
      return { y: convTransposeForward64(l, params[0], l.bias ? params[1] : null, x, batch), cache: null };
    case "dense":
      return {
        y: denseForward64(l.inF, l.outF, params[0], l.bias ? params[1] : null, x, batch),
        cache: null,
      };
    case "flatten":
      return { y: x.slice(), cache: null };
    case "add":
    case "concat":
    case "mul":
      throw new TypeError(`${l.op} joins several inputs: use joinForward64 (train/ops/join/reference.ts)`);
    case "act":
      return { y: actForward64(l, x, batch), cache: null };
    case "dropout": {
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
    }
    case "batchnorm":
      return bnForward64(
        l.c,
        l.spatial,
        l.eps,
        l.momentum,
        params[0],
        params[1],
        x,
        batch,
        mode.train,
        mode.running,
      );
  }
}

/** Backward of one layer: gradient w.r.t. the input and each parameter (trainParamShapes order). */
export function backward64(
  l: TrainResolvedLayer,
  params: Float64Array[],
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
  batch: number,
  cache: unknown,
): { dx: Float64Array; dParams: Float64Array[] } {
  check(l, params, x, batch);
  if (dy.length !== batch * prod(l.outShape) || y.length !== dy.length) {
    throw new TypeError(
      `${l.op} layer: y/dy have ${y.length}/${dy.length} values, expected ${batch * prod(l.outShape)}`,
    );
  }
  switch (l.op) {
    case "conv": {
      const r = convBackward64(l, params[0], l.bias, x, dy, batch);
      return { dx: r.dx, dParams: r.db ? [r.dw, r.db] : [r.dw] };
    }
    case "pool":
      return { dx: poolBackward64(l, l.mode, x, y, cache as Int32Array | null, dy, batch), dParams: [] };
    case "globalavgpool":
      return { dx: gapBackward64(l.c, l.spatial, dy, batch), dParams: [] };
    case "upsample":
      return { dx: upsampleBackward64(l, dy, batch), dParams: [] };
    case "convT": {
      const r = convTransposeBackward64(l, params[0], l.bias, x, dy, batch);
      return { dx: r.dx, dParams: r.db ? [r.dw, r.db] : [r.dw] };
    }
    case "dense": {
      const r = denseBackward64(l.inF, l.outF, params[0], l.bias, x, dy, batch);
      return { dx: r.dx, dParams: r.db ? [r.dw, r.db] : [r.dw] };
    }
    case "flatten":
      return { dx: dy.slice(), dParams: [] };
    case "add":
    case "concat":
    case "mul":
      throw new TypeError(`${l.op} joins several inputs: use joinBackward64 (train/ops/join/reference.ts)`);
    case "act":
      return { dx: actBackward64(l, x, y, dy, batch), dParams: [] };
    case "dropout": {
      const mask = cache as Float64Array | null;
      if (mask === null) return { dx: dy.slice(), dParams: [] };
      const scale = 1 / (1 - l.rate);
      const dx = new Float64Array(dy.length);
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * mask[i] * scale;
      return { dx, dParams: [] };
    }
    case "batchnorm": {
      const r = bnBackward64(l.c, l.spatial, params[0], x, dy, batch, cache as BnCache);
      return { dx: r.dx, dParams: [r.dgamma, r.dbeta] };
    }
  }
}
