// The shape of one op's entry in the runtime op table (runtime/ops/table.ts):
// what the executors need to run a resolved layer of that op on each
// backend. Each op family exports its entries from runtime/ops/<family>/op.ts
// (the WebGPU forwards sit in runtime/ops/table_webgpu.ts, so that the CPU-only
// build holds no WebGPU code);
// the training side extends an entry with its gradients
// (train/ops/<family>/grad.ts). Invariants: `cpu` and `webgpu` get a layer
// whose lengths the executor has checked (runtime/network_check.ts) and do no
// checks of their own; only an entry with `fuses` takes a ReLU (CPU) or an
// activation epilogue (WebGPU); a join runs one WebGPU dispatch per input
// (`part`).

import type { ResolvedLayer } from "../format/spec.ts";
import type { DispatchLimits, ForwardKernel } from "../webgpu/kernel.ts";
import type { Epilogue } from "./activation/wgsl.ts";
import type { Scratch } from "../cpu/scratch.ts";
import type { WasmKernels } from "../wasm/engine.ts";

/** The resolved layer of op `K`. */
export type LayerOf<K extends ResolvedLayer["op"]> = Extract<ResolvedLayer, { op: K }>;

/** What the CPU forward of one layer gets: its parameters, inputs and output, and its prepared state. */
export interface CpuCall {
  params: Float32Array[];
  /** one array per input (one but for joins), (N, ...inShape) each */
  xs: readonly Float32Array[];
  batch: number;
  /** (N, ...outShape); may alias xs[0] only for elementwise ops */
  y: Float32Array;
  /** a following ReLU runs in this layer's store (only where the entry `fuses`) */
  relu: boolean;
  /** what `prepare` made of the parameters (undefined when the entry has no prepare) */
  prepared: unknown;
  /** the executor's scratch arrays (runtime/cpu/scratch.ts), freed with its model */
  scratch: Scratch;
}

/** The WebGPU forward kernel of input `part` (0 but for joins) of a layer; null for an op whose buffers alias (flatten). */
export type WebGpuForward<L extends ResolvedLayer = ResolvedLayer> = (
  l: L,
  batch: number,
  limits: DispatchLimits,
  epilogue: Epilogue | null,
  inPlace: boolean,
  part: number,
) => ForwardKernel | null;

/** One op of the runtime: what every backend needs of it, and its CPU forward (WebGPU's: runtime/ops/table_webgpu.ts). */
export interface OpEntry<L extends ResolvedLayer = ResolvedLayer> {
  /** the resolved op name (ResolvedLayer["op"]) */
  readonly op: L["op"];
  /** takes a fused ReLU on the CPU and an activation epilogue on WebGPU */
  readonly fuses: boolean;
  /** weights transformed once per model for the CPU kernel (e.g. Winograd), kept by the executor */
  prepare?(l: L, params: Float32Array[]): unknown;
  /** y = op(xs) on the CPU (the family's chooser picks the kernel variant); returns y */
  cpu(l: L, c: CpuCall): Float32Array;
  /** its wasm forward; an op without one runs `cpu` over views of the wasm memory (runtime/wasm/executor.ts) */
  wasm?: WasmForward<L>;
}

/** The bias tensor of a layer with an optional bias, or null. */
export const biasOf = (l: { bias: boolean }, params: Float32Array[]): Float32Array | null =>
  l.bias ? params[1] : null;

/** What the wasm forward of one layer gets: byte offsets into the kernels' memory. */
export interface WasmCall {
  /** the executor's kernel instance */
  k: WasmKernels;
  /** the layer's parameters as `wasmParams` made them (0 for an empty one) */
  params: number[];
  /** one per input, (N, ...inShape) each */
  xs: number[];
  /** (N, ...outShape) */
  y: number;
  batch: number;
  /** a following ReLU runs in this layer's store (only where the entry `fuses`) */
  relu: boolean;
  /** `wasmScratch(l)` floats */
  scratch: number;
}

/** An op's wasm forward (runtime/ops/<family>/wasm.ts; kernels in the family's *.as.ts). */
export interface WasmForward<L extends ResolvedLayer = ResolvedLayer> {
  /** whether the kernel takes this layer (default: every one); a layer it does not take runs `cpu` */
  accepts?(l: L): boolean;
  /** the parameters as the kernel reads them, copied into the arena at load (default: as stored) */
  params?(l: L, params: Float32Array[]): Float32Array[];
  /** floats of scratch one call needs (default 0) */
  scratch?(l: L): number;
  /** y = op(xs) in the kernels' memory */
  run(l: L, c: WasmCall): void;
}
