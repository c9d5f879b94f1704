// The CPU side of a model: which engine runs its CPU calls — the wasm kernels
// (runtime/wasm/executor.ts) or the pure-TypeScript ones (runtime/cpu/forward.ts)
// — and why. model_load.ts picks it once at load ("wasm": the wasm engine or a
// WasmError; "cpu": TypeScript; "auto": wasm where it compiles, else
// TypeScript with the reason kept for summary().wasm); model.ts and the size
// cache make every CPU executor through it.

import type { ResolvedLayer } from "./format/spec.ts";
import { CpuExecutor } from "./cpu/forward.ts";
import { WasmExecutor } from "./wasm/executor.ts";

/** A whole-network CPU executor (TypeScript or wasm). */
export interface CpuRunner {
  /** x is (N, ...inShape) flattened; returns a fresh (N, ...outShape) */
  run(x: Float32Array, batch: number): Float32Array;
  /** bytes held now */
  readonly heldBytes: number;
  /** free what it holds (a later run allocates again) */
  dispose(): void;
}

/** The engine of a model's CPU calls. */
export interface CpuSide {
  readonly name: "wasm" | "cpu";
  /** why the TypeScript kernels run where the wasm engine was wanted ("auto"), else undefined */
  readonly why?: string;
  create(layers: ResolvedLayer[], params: Float32Array[][]): CpuRunner;
}

/** The pure-TypeScript engine. */
export const TS_SIDE: CpuSide = { name: "cpu", create: (l, p) => new CpuExecutor(l, p) };

/**
 * The wasm engine on a compiled kernel module.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "./format/spec.ts";
 * import { compileKernels } from "./wasm/engine.ts";
 * import { wasmSide } from "./cpu_side.ts";
 * const side = wasmSide(await compileKernels());
 * const exec = side.create(resolveLayers([{ type: "relu" }], [2]), [[]]);
 * if (exec.run(Float32Array.of(-1, 2), 1).join() !== "0,2") throw new Error();
 * ```
 */
export function wasmSide(mod: WebAssembly.Module): CpuSide {
  return { name: "wasm", create: (l, p) => new WasmExecutor(mod, l, p) };
}

/** The TypeScript engine, saying why it runs instead of wasm. */
export function tsSideBecause(why: string): CpuSide {
  return { ...TS_SIDE, why };
}
