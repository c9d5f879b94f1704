// Compute-pipeline cache per device, keyed by WGSL source, shared by
// inference and training: kernels take their shapes from uniforms, so every
// layer of the same variant (and every model on the device, and every batch
// size of a training plan) shares one compiled pipeline. Invariants: one
// entry per (device, source), whichever of the async (pipelineFor) or sync
// (pipelineNow) path made it; a failed async compilation is evicted so a
// later call retries instead of reusing the rejection.

interface Entry {
  promise: Promise<GPUComputePipeline>;
  /** set once compiled */
  pipeline?: GPUComputePipeline;
}

const caches = new WeakMap<GPUDevice, Map<string, Entry>>();

function cacheOf(device: GPUDevice): Map<string, Entry> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, cache = new Map());
  return cache;
}

function descriptor(device: GPUDevice, code: string, label: string): GPUComputePipelineDescriptor {
  const module = device.createShaderModule({ code, label });
  return { layout: "auto", compute: { module, entryPoint: "main" }, label };
}

/** The compute pipeline (entry point `main`, layout "auto") of `code` on `device`, compiled asynchronously where the device can. */
export function pipelineFor(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  const cache = cacheOf(device);
  let e = cache.get(code);
  if (!e) {
    const desc = descriptor(device, code, label);
    const entry: Entry = {
      promise: typeof device.createComputePipelineAsync === "function"
        ? device.createComputePipelineAsync(desc)
        : Promise.resolve(device.createComputePipeline(desc)),
    };
    entry.promise.then((p) => entry.pipeline = p, () => cache.delete(code));
    cache.set(code, e = entry);
  }
  return e.promise;
}

/** The same pipeline as pipelineFor, created synchronously when not compiled yet (validation errors surface in the caller's error scope). */
export function pipelineNow(device: GPUDevice, code: string, label: string): GPUComputePipeline {
  const cache = cacheOf(device);
  const e = cache.get(code);
  if (e?.pipeline) return e.pipeline;
  const pipeline = device.createComputePipeline(descriptor(device, code, label));
  cache.set(code, { promise: Promise.resolve(pipeline), pipeline });
  return pipeline;
}
