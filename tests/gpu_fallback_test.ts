// Failure paths of the WebGPU backend at the executor level: acquireDevice
// resolves null (never throws) without an entry point or adapter and throws
// GpuError when the adapter refuses a device; a destroyed (lost) device makes
// create() and run() reject with GpuError instead of hanging, also when the
// loss happens while a run is in flight; validation errors surface as
// GpuError through guarded(); onLost hooks fire. Hangs are detected with a
// generous deadline (not a timing assertion).

import { assert, assertEquals, assertRejects } from "@std/assert";
import { GpuError } from "../runtime/errors.ts";
import { paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { acquireDevice, guarded, isLost, onLost } from "../runtime/webgpu/device.ts";
import { GpuExecutor } from "../runtime/webgpu/executor.ts";
import { randArray, rng, testDevice } from "./helpers/webgpu.ts";

const probe = await testDevice("gpu_fallback");
probe?.destroy();
const ignore = probe === null;

/** Reject with a plain Error if `p` has not settled after `ms` (hang detector). */
function noHang<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (hang)`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const SPECS = [
  { type: "conv2d" as const, filters: 4, kernel: 3, padding: "same" as const },
  { type: "relu" as const },
  { type: "flatten" as const },
  { type: "dense" as const, units: 3 },
];

async function freshModel() {
  const device = await acquireDevice();
  if (!device) throw new Error("adapter disappeared between tests");
  const layers = resolveLayers(SPECS, [2, 6, 6]);
  const r = rng(4242);
  const params = layers.map((l) => paramShapes(l).map((s) => randArray(r, s.reduce((a, b) => a * b, 1))));
  return { device, layers, params, x: randArray(r, 2 * 72) };
}

Deno.test("acquireDevice: null without an entry point or adapter, GpuError when the device is refused", async () => {
  assertEquals(await acquireDevice({ gpu: null }), null);
  const noAdapter = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
  assertEquals(await acquireDevice({ gpu: noAdapter }), null);
  const throwing = { requestAdapter: () => Promise.reject(new Error("blocked")) } as unknown as GPU;
  assertEquals(await acquireDevice({ gpu: throwing }), null);
  const refusing = {
    requestAdapter: () =>
      Promise.resolve({ limits: {}, requestDevice: () => Promise.reject(new Error("no device for you")) }),
  } as unknown as GPU;
  await assertRejects(() => acquireDevice({ gpu: refusing }), GpuError, "no device for you");
});

Deno.test({
  name: "gpu fallback: run() after device.destroy() rejects with GpuError, lost is set, onLost fires",
  ignore,
  async fn() {
    const { device, layers, params, x } = await freshModel();
    const exec = await GpuExecutor.create(device, layers, params);
    assertEquals((await exec.run(x, 2)).length, 6);
    let reason: string | null = null;
    onLost(device, (r) => reason = r);
    device.destroy();
    await noHang(assertRejects(() => exec.run(x, 2), GpuError), "run after destroy");
    await device.lost;
    await Promise.resolve();
    assert(isLost(device) && exec.lost, "executor should report the lost device");
    assert(reason !== null, "onLost hook did not fire");
    await noHang(assertRejects(() => exec.run(x, 2), GpuError, "lost"), "second run after loss");
    exec.destroy();
  },
});

Deno.test({
  name: "gpu fallback: create() on a destroyed device rejects with GpuError",
  ignore,
  async fn() {
    const { device, layers, params } = await freshModel();
    device.destroy();
    await device.lost;
    await noHang(
      assertRejects(() => GpuExecutor.create(device, layers, params), GpuError),
      "create after loss",
    );
  },
});

Deno.test({
  name: "gpu fallback: losing the device while runs are in flight settles every run (answer or GpuError)",
  ignore,
  async fn() {
    const { device, layers, params, x } = await freshModel();
    const exec = await GpuExecutor.create(device, layers, params);
    const runs = [1, 2, 3].map(() => exec.run(x, 2));
    device.destroy();
    const settled = await noHang(Promise.allSettled(runs), "in-flight runs");
    for (const s of settled) {
      if (s.status === "rejected") assert(s.reason instanceof GpuError, `expected GpuError, got ${s.reason}`);
      else assertEquals(s.value.length, 6);
    }
    await noHang(assertRejects(() => exec.run(x, 2), GpuError), "run after in-flight loss");
  },
});

Deno.test({
  name: "guarded: a validation error inside the block becomes GpuError; RangeError passes through",
  ignore,
  async fn() {
    const device = await acquireDevice();
    if (!device) throw new Error("adapter disappeared between tests");
    try {
      // MAP_READ | MAP_WRITE together is invalid
      await assertRejects(
        () => guarded(device, "bad buffer", () => device.createBuffer({ size: 16, usage: 0x0001 | 0x0002 })),
        GpuError,
        "bad buffer",
      );
      await assertRejects(
        () =>
          guarded(device, "limits", () => {
            throw new RangeError("too big");
          }),
        RangeError,
        "too big",
      );
      assertEquals(await guarded(device, "fine", () => 7), 7);
    } finally {
      device.destroy();
    }
  },
});
