// Training throughput driver for OUR backends: times optimisation steps of a
// built-in architecture (train/archs.ts) on seeded random 28×28 data (speed
// does not depend on the pixel values) and extrapolates to one 60k-sample
// Fashion-MNIST epoch. Prints one JSON line {lib, arch, batch, samples_s,
// epoch_s, step_ms:{median,p90}, first_step_ms, other_batch_ms, pipelines}
// or {error}: first_step_ms is the first step (pipeline compiles, buffers,
// JIT), other_batch_ms the first step at batch − 1 (a ragged last batch) and
// pipelines the compute pipelines created by then (WebGPU only).
// Usage: deno run -A --unstable-webgpu bench/train_bench.ts --backend cpu|webgpu
//   --arch small|lenet [--batch 64] [--steps 8] [--budget 30]

import { rng } from "./models.ts";
// @ts-ignore plain JS helper shared with the peer drivers
import { args, emit, stats } from "./peers/common.mjs";
import type { TrainBackend, TrainConfig } from "../train/backend.ts";

const a = args() as Record<string, string | boolean>;
const backend = String(a.backend ?? "cpu");
const arch = String(a.arch ?? "small");
const batch = Number(a.batch ?? 64);
const maxSteps = Number(a.steps ?? 8);
const budgetMs = Number(a.budget ?? 30) * 1000;
const lib = `ours-train-${backend}`;
let pipelines = 0;

try {
  const { archConfig, loadArch } = await import("../train/archs.ts");
  const spec = await loadArch(arch, [1, 28, 28], 10);
  const cfg: TrainConfig = archConfig(spec, 1);
  let be: TrainBackend;
  if (backend === "cpu") {
    const m = await import("../train/cpu/cpu_backend.ts");
    be = await m.createCpuBackend(cfg);
  } else {
    const { acquireDevice } = await import("../runtime/webgpu/device.ts");
    const m = await import("../train/webgpu/gpu_backend.ts");
    const device = await acquireDevice(m.TRAINING_DEVICE);
    if (!device) throw new Error("no WebGPU adapter");
    for (const name of ["createComputePipeline", "createComputePipelineAsync"] as const) {
      const f = device[name].bind(device) as (d: GPUComputePipelineDescriptor) => unknown;
      (device as unknown as Record<string, unknown>)[name] = (d: GPUComputePipelineDescriptor) => {
        pipelines++;
        return f(d);
      };
    }
    be = await m.createWebGpuBackend(device, cfg);
  }
  const r = rng(7);
  const x = new Float32Array(batch * 784).map(() => r());
  const y = new Int32Array(batch).map(() => Math.floor(r() * 10));
  let t = performance.now();
  await be.step(x, y, batch, 1e-3); // warm-up: pipelines, buffers, JIT
  const first_step_ms = performance.now() - t;
  t = performance.now();
  await be.step(x.subarray(0, (batch - 1) * 784), y.subarray(0, batch - 1), batch - 1, 1e-3);
  const other_batch_ms = performance.now() - t;
  const times: number[] = [];
  const t0 = performance.now();
  while (
    times.length < maxSteps &&
    (times.length < 2 || performance.now() - t0 < budgetMs)
  ) {
    t = performance.now();
    const res = await be.step(x, y, batch, 1e-3);
    if (!Number.isFinite(res.loss)) throw new Error(`loss became ${res.loss}`);
    times.push(performance.now() - t);
  }
  be.dispose();
  const s = stats(times);
  const samples_s = batch * 1000 / s.median;
  emit({
    lib,
    arch,
    batch,
    optimizer: "adam",
    samples_s,
    epoch_s: 60000 / samples_s,
    step_ms: s,
    first_step_ms,
    other_batch_ms,
    ...(backend === "webgpu" ? { pipelines } : {}),
  });
} catch (e) {
  emit({ lib, arch, error: String((e as Error)?.stack ?? e).slice(0, 400) });
}
