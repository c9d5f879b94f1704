// Shared helpers of the GPU test suites: one WebGPU device per test module
// (acquired with top-level await), the REQUIRE_WEBGPU policy (set → a missing
// adapter fails the suite; unset → GPU tests are skipped with a printed
// message), a seeded PRNG and a tolerance comparison with readable failures.

import { acquireDevice } from "../runtime/webgpu/device.ts";

/** Acquire a device for a GPU suite, applying the REQUIRE_WEBGPU policy. */
export async function testDevice(suite: string): Promise<GPUDevice | null> {
  const device = await acquireDevice();
  if (!device) {
    if (Deno.env.get("REQUIRE_WEBGPU") === "1") {
      throw new Error(
        `${suite}: REQUIRE_WEBGPU=1 but no WebGPU adapter is available (run with --unstable-webgpu)`,
      );
    }
    console.log(`${suite}: no WebGPU adapter, skipping GPU tests (set REQUIRE_WEBGPU=1 to fail instead)`);
  }
  return device;
}

export { uniformFn as rng } from "../train/rng.ts";

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
