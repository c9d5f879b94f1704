// loadModel of the CPU-only build (tinycnn/cpu, dist/tinycnn-cpu.min.js, the
// Workers bundle): the same API with backend "auto" or "cpu" running on the
// pure-TypeScript CPU backend; "webgpu" is a GpuError. No WebGPU code is
// reachable from here.

import type { LoadOptions, Model } from "./model.ts";
import { loadModelWith } from "./model_load.ts";
import type { ModelSource } from "./input/source.ts";

/**
 * Load a `.tcnn` model on the CPU backend (the CPU-only build of loadModel).
 *
 * @example
 * ```ts
 * import { encodeModel } from "../mod.ts";
 * import { loadModel } from "./load_cpu.ts";
 * const bytes = encodeModel({ inputShape: [2], layers: [{ type: "relu" }], params: [[]] });
 * const model = await loadModel(bytes);
 * console.log(model.backend, Array.from(await model.predict(new Float32Array([-1, 2])))); // cpu [0, 2]
 * ```
 */
export function loadModel(src: ModelSource, opts: LoadOptions = {}): Promise<Model> {
  return loadModelWith(src, opts, null);
}
