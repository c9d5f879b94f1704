// AssemblyScript entry of runtime/wasm/tinycnn.wasm (`deno task build:wasm`):
// every op's wasm kernel, exported by name. The kernels live in their op's
// folder (runtime/ops/<family>/*.as.ts) beside their TypeScript twins; the
// JS side (runtime/wasm/engine.ts) lays out the memory from heapBase() up.
// Windowed kernels (conv2d, pool2d) take their window last, in the order of
// engine.ts WindowArgs.

export { conv2d } from "../ops/conv/conv.as";
export { dense } from "../ops/dense/dense.as";
export { pool2d } from "../ops/pool/pool.as";
export { gemm } from "./gemm.as";

/** The first byte the JS arena may use (after the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
