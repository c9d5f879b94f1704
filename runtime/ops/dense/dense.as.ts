// AssemblyScript (built by `deno task build:wasm`): the wasm forward of dense.
// y (N, outF) = act(x (N, inF) · wT (inF, outF) + b) on the SIMD gemm
// (runtime/wasm/gemm.as.ts), with the weights transposed once at load
// (runtime/ops/dense/wasm.ts) so that a batch row is one gemm row and the
// bias runs per column. b = 0 for no bias; sums in f32.

import { gemm } from "../../wasm/gemm.as";

/** y = act(x·wT + b); act = ReLU when relu ≠ 0. */
export function dense(x: usize, wT: usize, b: usize, y: usize, batch: i32, inF: i32, outF: i32, relu: i32): void {
  gemm(x, wT, y, batch, outF, inF, inF, outF, outF, b == 0 ? 0 : 2, b, relu);
}
