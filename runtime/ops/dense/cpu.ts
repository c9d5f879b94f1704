// The CPU forward of dense (fully connected, implicit flatten). Spec and
// shape rules: runtime/format/spec.ts (`dense`). One variant: the register-blocked
// gemm (runtime/cpu/gemm.ts) of the weights (outF, inF) as stored against the
// batch (N, inF), bias and an optional fused ReLU applied on store.
// Shapes: x is (N, inF) (any per-sample shape flattened row-major); w is
// (outF, inF); b is (outF); y is (N, outF).
// Invariants: callers have checked lengths; sums run in float64, one f32
// rounding per output.

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import { gemmNT } from "../../cpu/gemm.ts";

type DenseKernel = LayerKernel<[inF: number, outF: number, w: Float32Array]>;

/**
 * y = act(x·wᵀ + b); act = relu when `relu`. `b` may be null. Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { denseCpu } from "./cpu.ts";
 * const w = new Float32Array([1, 2, 3, 4, 5, 6]); // (2, 3)
 * const y = denseCpu(3, 2, w, null, new Float32Array([1, 0, -1]), 1, new Float32Array(2), false);
 * if (y[0] !== -2 || y[1] !== -2) throw new Error("unexpected");
 * ```
 */
export const denseCpu: DenseKernel = (inF, outF, w, b, x, batch, y, relu) => {
  gemmNT(w, 0, x, 0, outF, batch, inF, b, relu, y, 0, 1, outF);
  return y;
};
