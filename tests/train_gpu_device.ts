// Test helper for the GPU training suites: a WebGPU device, or null (with a
// message) when there is no adapter. With REQUIRE_WEBGPU=1 a missing adapter
// throws, so CI on a WebGPU machine cannot silently skip. NO_WEBGPU is probed
// once per module so the suites mark their tests ignored (not passed) when
// the adapter is missing.

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

/** True when this machine has no WebGPU adapter (tests using it are ignored; one line says why). */
export const NO_WEBGPU: boolean = await (async () => {
  const adapter = typeof navigator !== "undefined" && navigator.gpu
    ? await navigator.gpu.requestAdapter()
    : null;
  if (adapter) return false;
  if (Deno.env.get("REQUIRE_WEBGPU") === "1") {
    throw new Error("REQUIRE_WEBGPU=1 but no WebGPU adapter is available");
  }
  console.log(
    "no WebGPU adapter: GPU training tests ignored (install mesa-vulkan-drivers and set DENO_WEBGPU_BACKEND=vulkan, or use a GPU; REQUIRE_WEBGPU=1 fails instead)",
  );
  return true;
})();
