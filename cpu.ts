/**
 * tinycnn, CPU-only build: the same inference API as `mod.ts` (loadModel,
 * Model, decodeModel, decodePng, the errors and types) without any WebGPU
 * code — for Cloudflare Workers, Deno Deploy and Supabase Edge Functions,
 * which have no WebGPU. `backend: "webgpu"` is a GpuError here.
 *
 * @example
 * ```ts
 * import { encodeModel } from "./mod.ts";
 * import { loadModel } from "./cpu.ts";
 * const bytes = encodeModel({ inputShape: [2], layers: [{ type: "relu" }], params: [[]] });
 * const model = await loadModel(bytes);
 * console.log(model.backend); // "cpu"
 * ```
 * @module
 */

export * from "./runtime/cdn_cpu.ts";
