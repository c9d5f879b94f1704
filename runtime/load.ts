// loadModel of the full build: the WebGPU backend (with "auto" routing and
// CPU fallback) and the CPU backend. The CPU-only build is load_cpu.ts.

import type { LoadOptions, Model } from "./model.ts";
import { loadModelWith } from "./model_load.ts";
import type { ModelSource } from "./input/source.ts";
import { GpuExecutor } from "./webgpu/executor.ts";
import { acquireDevice } from "./webgpu/device.ts";

/**
 * Load a `.tcnn` model and prepare a backend. The source may be bytes, a
 * Blob, a Response, a ReadableStream, an http(s) URL, a `file:` URL or a
 * plain path (Deno, Node ≥ 20.16, Bun), read with a cap of `maxBytes`.
 * Throws ModelFormatError for a bad file; with backend "webgpu" and no adapter, GpuError.
 *
 * @example
 * ```ts
 * import { encodeModel, loadModel } from "../mod.ts";
 * // a 4-input, 2-class model with zero weights, just to show the calls
 * const bytes = encodeModel({
 *   inputShape: [4],
 *   layers: [{ type: "dense", units: 2 }, { type: "softmax" }],
 *   params: [[new Float32Array(8), new Float32Array(2)], []],
 *   labels: ["no", "yes"],
 * });
 * const model = await loadModel(bytes, { backend: "cpu" });
 * const y = await model.predict(new Float32Array([1, 2, 3, 4]));
 * if (Math.abs(y[0] - 0.5) > 1e-6) throw new Error("zero weights give equal odds");
 * model.dispose();
 * ```
 */
export function loadModel(src: ModelSource, opts: LoadOptions = {}): Promise<Model> {
  return loadModelWith(src, opts, {
    acquire: (gpu) => acquireDevice(gpu ? { gpu } : {}),
    create: (device, layers, params) => GpuExecutor.create(device, layers, params),
  });
}
