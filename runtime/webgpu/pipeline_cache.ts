// Compute-pipeline cache per device, keyed by WGSL source: kernels take their
// shapes from uniforms, so every layer of the same variant (and every model on
// the device) shares one compiled pipeline. Invariant: a failed compilation
// is evicted so a later call retries instead of reusing the rejection.

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The compute pipeline (entry point `main`, layout "auto") of `code` on `device`. */
export function pipelineFor(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, cache = new Map());
  let p = cache.get(code);
  if (!p) {
    const module = device.createShaderModule({ code, label });
    const desc: GPUComputePipelineDescriptor = {
      layout: "auto",
      compute: { module, entryPoint: "main" },
      label,
    };
    p = typeof device.createComputePipelineAsync === "function"
      ? device.createComputePipelineAsync(desc)
      : Promise.resolve(device.createComputePipeline(desc));
    const c = cache;
    p.catch(() => c.delete(code));
    cache.set(code, p);
  }
  return p;
}
