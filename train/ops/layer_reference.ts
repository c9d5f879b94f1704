// Float64 reference forward and backward of every training layer, each op's
// from its entry in train/ops/table.ts (the formulas sit in its family's
// reference.ts or grad.ts): the oracle for the WebGPU kernels and the CPU
// backend's fast float32 path (train/cpu/network.ts), which also runs it for
// the layers it has no float32 kernel for.
// Shapes: x is (N, ...l.inShape), y and dy (N, ...l.outShape), flattened NCHW;
// params are in trainParamShapes(l) order (conv/dense [w, b?]; batchnorm
// [gamma, beta]). Dropout is inverted dropout: mask[i] ∈ {0, 1} (1 = keep),
// y = x·mask/(1 − rate) in training, identity in eval; the mask comes from
// mode.mask when given, else keep ⇔ rng.next() ≥ rate in element order.
// Invariants: inputs are never modified (except batchnorm mode.running,
// updated in place in training); every length is checked (TypeError).

import type { TrainResolvedLayer } from "../layers.ts";
import { prod, trainParamShapes } from "../layers.ts";
import type { Backward64, ForwardMode, GradEntry } from "./grad_entry.ts";
import { gradEntry } from "./table.ts";

export type { ForwardMode };

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

/** The reference of `l`'s op, or a TypeError for a join (whose references take several inputs). */
function reference(l: TrainResolvedLayer): Required<Pick<GradEntry, "forward64" | "backward64">> {
  const e = gradEntry(l);
  if (!e.forward64 || !e.backward64) {
    throw new TypeError(
      `${l.op} joins several inputs: use joinForward64 / joinBackward64 (train/ops/join/reference.ts)`,
    );
  }
  return e as Required<GradEntry>;
}

/** Forward of one layer, through its op's entry (train/ops/table.ts). `cache` is opaque and only meant for backward64. */
export function forward64(
  l: TrainResolvedLayer,
  params: Float64Array[],
  x: Float64Array,
  batch: number,
  mode: ForwardMode,
): { y: Float64Array; cache: unknown } {
  check(l, params, x, batch);
  return reference(l).forward64(l, params, x, batch, mode);
}

/** Backward of one layer: gradient w.r.t. the input and each parameter (trainParamShapes order). */
export const backward64: Backward64 = (l, params, x, y, dy, batch, cache) => {
  check(l, params, x, batch);
  if (dy.length !== batch * prod(l.outShape) || y.length !== dy.length) {
    throw new TypeError(
      `${l.op} layer: y/dy have ${y.length}/${dy.length} values, expected ${batch * prod(l.outShape)}`,
    );
  }
  return reference(l).backward64(l, params, x, y, dy, batch, cache);
};
