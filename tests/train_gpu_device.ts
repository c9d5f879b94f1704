// Test helper for the GPU training suites: a WebGPU device, or null (with a
// message) when there is no adapter. With REQUIRE_WEBGPU=1 a missing adapter
// throws, so CI on a WebGPU machine cannot silently skip.

export async function gpuDeviceForTests(): Promise<GPUDevice | null> {
  const required = Deno.env.get("REQUIRE_WEBGPU") === "1";
  const adapter = typeof navigator !== "undefined" && navigator.gpu
    ? await navigator.gpu.requestAdapter()
    : null;
  if (!adapter) {
    if (required) throw new Error("REQUIRE_WEBGPU=1 but no WebGPU adapter is available");
    console.log("no WebGPU adapter: GPU training tests skipped (set REQUIRE_WEBGPU=1 to fail instead)");
    return null;
  }
  return await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(10, adapter.limits.maxStorageBuffersPerShaderStage),
    },
  });
}
