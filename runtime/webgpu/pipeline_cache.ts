// Compute-pipeline caches per device, keyed by WGSL source, shared by
// inference and training: kernels take their shapes from uniforms, so every
// layer of the same variant (and every model on the device, and every batch
// size of a training plan) shares one compiled pipeline. Inference compiles
// asynchronously (pipelineFor), training's plans synchronously (pipelineNow);
// each path keeps its own map, so the inference bundle carries only the
// async one. Invariant: a failed async compilation is evicted so a later
// call retries instead of reusing the rejection.

const asyncCaches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const syncCaches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function descriptor(device: GPUDevice, code: string, label: string): GPUComputePipelineDescriptor {
  const module = device.createShaderModule({ code, label });
  return { layout: "auto", compute: { module, entryPoint: "main" }, label };
}

/** The compute pipeline (entry point `main`, layout "auto") of `code` on `device`, compiled asynchronously where the device can. */
export function pipelineFor(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  let cache = asyncCaches.get(device);
  if (!cache) asyncCaches.set(device, cache = new Map());
  let p = cache.get(code);
  if (!p) {
    const desc = descriptor(device, code, label);
    p = typeof device.createComputePipelineAsync === "function"
      ? device.createComputePipelineAsync(desc)
      : Promise.resolve(device.createComputePipeline(desc));
    const c = cache;
    p.catch(() => c.delete(code));
    cache.set(code, p);
  }
  return p;
}

/** The compute pipeline of `code`, created synchronously once per device (validation errors surface in the caller's error scope). */
export function pipelineNow(device: GPUDevice, code: string, label: string): GPUComputePipeline {
  let cache = syncCaches.get(device);
  if (!cache) syncCaches.set(device, cache = new Map());
  let p = cache.get(code);
  if (!p) cache.set(code, p = device.createComputePipeline(descriptor(device, code, label)));
  return p;
}
