// loadModel's steps for both builds: read the source within maxBytes, decode
// and resolve the file, check the compute budget before any backend
// allocates, pick the CPU engine (wasm where its kernels compile; an explicit
// "wasm" throws WasmError otherwise), then the backend (auto: WebGPU when a
// device comes, timed against the CPU; any failure on the way falls back to
// the CPU, except for an explicit "webgpu", which throws GpuError). load.ts passes the WebGPU
// provider, load_cpu.ts none.

import { decodeModel, DEFAULT_MAX_BYTES } from "./format/decode.ts";
import { type ModelSource, readModelSource } from "./input/source.ts";
import { GpuError, WasmError } from "./errors.ts";
import { resolveLayers } from "./format/spec.ts";
import { type Budget, checkModelCost, modelCost } from "./format/budget.ts";
import { type GpuProvider, type LoadOptions, Model } from "./model.ts";
import { DEFAULT_SIZE_CACHE_BYTES } from "./size_cache.ts";
import { quote } from "./quote.ts";
import { type CpuSide, TS_SIDE, tsSideBecause, wasmSide } from "./cpu_side.ts";
import { checkWasmSource, compileKernels, type WasmSource } from "./wasm/engine.ts";

/** The CPU engine: "cpu" TypeScript; "wasm" the wasm kernels or a WasmError; otherwise wasm where it compiles. */
async function pickCpuSide(choice: string, src: WasmSource | undefined): Promise<CpuSide> {
  if (choice === "cpu") return TS_SIDE;
  if (typeof WebAssembly !== "object") {
    if (choice === "wasm") throw new WasmError("this host has no WebAssembly");
    return tsSideBecause("this host has no WebAssembly");
  }
  try {
    return wasmSide(await compileKernels(src));
  } catch (e) {
    if (choice === "wasm") throw e instanceof WasmError ? e : new WasmError(String(e));
    return tsSideBecause(e instanceof Error ? e.message : String(e));
  }
}

/** loadModel with a given WebGPU provider (null: CPU only). */
export async function loadModelWith(
  src: ModelSource,
  opts: LoadOptions,
  provider: GpuProvider | null,
): Promise<Model> {
  const choice = opts.backend ?? "auto";
  if (!["auto", "webgpu", "wasm", "cpu"].includes(choice)) {
    throw new TypeError(`backend must be "auto", "webgpu", "wasm" or "cpu", got ${quote(choice)}`);
  }
  checkWasmSource(opts.wasm);
  if (choice === "webgpu" && !provider) {
    throw new GpuError(
      'this is the CPU-only build (tinycnn/cpu): backend "webgpu" needs the full build (tinycnn)',
    );
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer, got ${quote(opts.maxBytes)}`);
  }
  // every option checked before the source is read
  for (const k of ["maxMacs", "maxActivationBytes"] as const) {
    const v = opts[k];
    if (v !== undefined && !(typeof v === "number" && v > 0)) {
      throw new TypeError(`${k} must be a positive number, got ${quote(v)}`);
    }
  }
  const sizeCacheBytes = opts.sizeCacheBytes ?? DEFAULT_SIZE_CACHE_BYTES;
  if (!Number.isSafeInteger(sizeCacheBytes) || sizeCacheBytes < 0) {
    throw new RangeError(
      `sizeCacheBytes must be an integer >= 0, got ${quote(opts.sizeCacheBytes)}`,
    );
  }
  const bytes = await readModelSource(src, maxBytes);
  const { desc, dtype, byteLength } = decodeModel(bytes, { maxBytes: opts.maxBytes });
  const layers = resolveLayers(desc.layers, desc.inputShape);
  // what inference will cost, checked before any backend allocates
  const budget: Budget = { maxMacs: opts.maxMacs, maxActivationBytes: opts.maxActivationBytes };
  const cost = modelCost(layers);
  checkModelCost(cost, layers, budget);
  const cpuSide = await pickCpuSide(choice, opts.wasm);
  const info = { dtype, bytes: byteLength, cost, budget, sizeCacheBytes, cpuSide };
  if (choice === "cpu" || choice === "wasm" || !provider) return new Model(desc, layers, info, null, false);
  let device: GPUDevice | null = null;
  try {
    device = opts.gpu === null ? null : await provider.acquire(opts.gpu);
    if (!device) throw new GpuError("no WebGPU adapter is available");
    const exec = await provider.create(device, layers, desc.params);
    const model = new Model(desc, layers, info, { device, exec, create: provider.create }, choice === "auto");
    await model.calibrate();
    return model;
  } catch (e) {
    device?.destroy();
    if (choice === "webgpu") {
      throw e instanceof GpuError || e instanceof RangeError ? e : new GpuError(String(e));
    }
    return new Model(desc, layers, info, null, true);
  }
}
