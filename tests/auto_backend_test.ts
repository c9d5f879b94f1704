// backend "auto" runs each call where it is faster (a cost model measured at
// load: summary().routing), and `model.backend` says what answered; an
// explicit "webgpu" never falls back silently — a failing GPU call (a wrapped
// device whose createCommandEncoder throws) rejects with GpuError and the
// backend stays "webgpu" — while "auto" answers on the CPU and reports it.

import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { GpuError, loadModel } from "../mod.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";
import { wrappedGpu } from "./helpers/webgpu.ts";
const MODEL = await Deno.readFile(new URL("../weights/mnist.tcnn", import.meta.url));

/** A GPU entry whose devices' createCommandEncoder throws while `broken.on` is set. */
function breakableGpu(broken: { on: boolean }): GPU {
  return wrappedGpu((dev) =>
    new Proxy(dev, {
      get(td, kd) {
        if (kd === "createCommandEncoder" && broken.on) {
          return () => {
            throw new Error("createCommandEncoder failed (test)");
          };
        }
        const v = Reflect.get(td, kd, td);
        return typeof v === "function" ? v.bind(td) : v;
      },
    })
  );
}

const input = (n: number) => new Float32Array(784 * n).map((_, i) => ((i * 7) % 31) / 31);

Deno.test("auto: each call runs on the backend the measured cost model picks; answers equal the CPU's", {
  ignore: NO_WEBGPU,
}, async () => {
  const cpu = await loadModel(MODEL, { backend: "cpu" });
  const auto = await loadModel(MODEL, { backend: "auto" });
  try {
    const r = auto.summary().routing!;
    assert(r, "an auto model with a GPU has a routing");
    assert(r.gpuFixedMs >= 0 && r.gpuMsPerSample >= 0 && r.cpuMsPerSample > 0, JSON.stringify(r));
    console.log(`routing: ${r.why}`);
    for (const n of [1, 2, 64, 256]) {
      const got = await auto.predict(input(n), { batch: n });
      assertEquals(auto.backend, n >= r.gpuFromBatch ? "webgpu" : "wasm", `batch ${n}`);
      const want = await cpu.predict(input(n), { batch: n });
      for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-4);
    }
  } finally {
    cpu.dispose();
    auto.dispose();
  }
});

Deno.test("webgpu never falls back silently: a failing GPU call is a GpuError; auto answers on the CPU", {
  ignore: NO_WEBGPU,
}, async () => {
  const broken = { on: false };
  const gpu = await loadModel(MODEL, { backend: "webgpu", gpu: breakableGpu(broken) });
  const auto = await loadModel(MODEL, { backend: "auto", gpu: breakableGpu(broken) });
  try {
    assertEquals(gpu.backend, "webgpu");
    await gpu.predict(input(1)); // works while the device is healthy
    broken.on = true;
    const e = await assertRejects(() => gpu.predict(input(1)), GpuError);
    assert(/createCommandEncoder failed/.test(e.message), e.message);
    assertEquals(gpu.backend, "webgpu", "an explicit webgpu model does not move to the CPU");
    await assertRejects(() => gpu.predict(input(2), { batch: 2 }), GpuError);
    // auto: a batch big enough for the GPU (when it ever wins) fails there and is answered on the CPU
    const n = Math.min(
      512,
      Number.isFinite(auto.summary().routing?.gpuFromBatch ?? Infinity)
        ? auto.summary().routing!.gpuFromBatch
        : 512,
    );
    const y = await auto.predict(input(n), { batch: n });
    assertEquals(y.length, 10 * n);
    assertEquals(auto.backend, "wasm", "auto's CPU side is the wasm engine");
  } finally {
    broken.on = false;
    gpu.dispose();
    auto.dispose();
  }
});
