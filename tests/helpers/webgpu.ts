// Shared helpers of the GPU test suites: the WebGPU device (acquired once per
// module with top-level await, under the REQUIRE_WEBGPU policy of
// system.ts), NO_WEBGPU for `ignore:`, a seeded PRNG and a tolerance
// comparison with readable failures.

import { acquireDevice } from "../../runtime/webgpu/device.ts";
import { TRAINING_DEVICE } from "../../train/webgpu/gpu_backend.ts";
import { missingPart, WEBGPU_HOWTO } from "./system.ts";

/** A WebGPU device from the runtime's acquireDevice, or null after missingPart (prints why, or throws when required). */
export async function testDevice(suite: string): Promise<GPUDevice | null> {
  const device = await acquireDevice(TRAINING_DEVICE);
  if (!device) missingPart(suite, "WEBGPU", "no WebGPU adapter", WEBGPU_HOWTO);
  return device;
}

/** True when this machine has no WebGPU adapter (suites mark their GPU tests ignored; one line says why). */
export const NO_WEBGPU: boolean = await (async () => {
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null) ?? null;
  if (adapter) return false;
  missingPart("WebGPU suites", "WEBGPU", "no WebGPU adapter", WEBGPU_HOWTO);
  return true;
})();

/**
 * Register a GPU test: ignored without an adapter (NO_WEBGPU, one line says
 * why), else `fn` gets this suite's device, destroyed afterwards. Resource
 * and op sanitizers are off (WebGPU keeps internal handles alive).
 */
export function gpuTest(
  name: string,
  suite: string,
  fn: (device: GPUDevice, t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: NO_WEBGPU,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      const device = await testDevice(suite);
      if (!device) return;
      try {
        await fn(device, t);
      } finally {
        device.destroy();
      }
    },
  });
}

export { uniformFn as rng } from "../../train/rng.ts";

/** Integer in [lo, hi] inclusive. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Array of `n` uniform values in [-scale, scale). */
export function randArray(r: () => number, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/**
 * Largest violation of |got - want| <= tol * (1 + |want|); returns null when
 * every value is within tolerance, else a message with the worst index.
 */
export function compareClose(got: Float32Array, want: Float32Array, tol: number): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  let worst = -1;
  let worstRatio = 1;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const ratio = err / (tol * (1 + Math.abs(want[i])));
    if (!(ratio <= worstRatio)) {
      worst = i;
      worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
    }
  }
  return worst < 0
    ? null
    : `index ${worst}: got ${got[worst]}, expected ${want[worst]} (tolerance ${tol} relative)`;
}

/** A GPU entry point over navigator.gpu whose devices pass through `wrap` (spy on or break them). */
export function wrappedGpu(wrap: (device: GPUDevice) => GPUDevice): GPU {
  return {
    requestAdapter: async (o?: GPURequestAdapterOptions) => {
      const a = await navigator.gpu.requestAdapter(o);
      if (!a) return null;
      return new Proxy(a, {
        get(t, k) {
          if (k === "requestDevice") return async (d?: GPUDeviceDescriptor) => wrap(await t.requestDevice(d));
          const v = Reflect.get(t, k, t);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
    },
    getPreferredCanvasFormat: () => "rgba8unorm",
  } as unknown as GPU;
}
