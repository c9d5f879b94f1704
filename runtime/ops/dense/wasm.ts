// The wasm forward of dense: its kernel is dense.as.ts (the SIMD gemm of the
// batch rows against the weights transposed once at load). Shapes: x is
// (N, inF), w (outF, inF) as stored → wT (inF, outF) in the arena, b (outF),
// y (N, outF).

import type { LayerOf, WasmForward } from "../op_entry.ts";

/** dense on the wasm kernels. */
export const DENSE_WASM: WasmForward<LayerOf<"dense">> = {
  params: (l, [w, ...rest]) => {
    const wT = new Float32Array(w.length);
    for (let o = 0; o < l.outF; o++) {
      for (let i = 0; i < l.inF; i++) wT[i * l.outF + o] = w[o * l.inF + i];
    }
    return [wT, ...rest];
  },
  run: (l, c) =>
    c.k.dense(c.xs[0], c.params[0], l.bias ? c.params[1] : 0, c.y, c.batch, l.inF, l.outF, c.relu ? 1 : 0),
};
