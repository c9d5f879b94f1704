// Per-kernel WebGPU profile on the current adapter: lenet / small inference at
// batch 1 and 64 (GpuExecutor.profilePlan) and one training step of `small`
// (and `lenet` with --lenet-train) at batch 64 / 128 (the backend's
// trainPlan). Each kernel is timed alone: `reps` copies of its dispatch in one
// compute pass, one submit, awaited with onSubmittedWorkDone, median over
// rounds, divided by reps. Also times the whole plan as one submit and the
// public call (run() / step()) end to end. GFLOP/s per kernel is against the
// WGSL tiled matmul ceiling of bench/matmul_gpu.ts on the same adapter.
// Usage: deno run -A --unstable-webgpu bench/webgpu_profile.ts [--quick]
//   [--only infer|train] [--lenet-train] [--train-arch NAME (any built-in, e.g. resnet-s)] [--json]
// Timings on llvmpipe are noisy: the load average is printed with them.

import { BENCH_MODELS, makeInput, rng } from "./models.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import type { ResolvedLayer } from "../runtime/format/spec.ts";
import { acquireDevice } from "../runtime/webgpu/device.ts";
import { GpuExecutor } from "../runtime/webgpu/executor.ts";
import { createWebGpuBackend, TRAINING_DEVICE } from "../train/webgpu/gpu_backend.ts";
import { archConfig, loadArch } from "../train/archs.ts";
import { gpuMatmulGflops } from "./matmul_gpu.ts";

interface Disp {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  groups: [number, number, number];
  flops?: number;
}

const quick = Deno.args.includes("--quick");
const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : "";
const ROUNDS = quick ? 3 : 5;

const load = () => Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
const median = (t: number[]) => [...t].sort((a, b) => a - b)[t.length >> 1];

async function timeSubmit(
  device: GPUDevice,
  ds: Disp[],
  reps: number,
): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let r = 0; r < reps; r++) {
    for (const d of ds) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(...d.groups);
    }
  }
  pass.end();
  const t = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t) / reps;
}

/** Median time of an empty submit + onSubmittedWorkDone: the floor of any GPU round trip here. */
async function submitFloor(device: GPUDevice): Promise<number> {
  const t: number[] = [];
  for (let r = 0; r < 15; r++) {
    const s = performance.now();
    device.queue.submit([]);
    await device.queue.onSubmittedWorkDone();
    t.push(performance.now() - s);
  }
  return median(t);
}

let floor = 0;

/**
 * GFLOP/s of a register-blocked WGSL matmul without workgroup memory (8 rows ×
 * one vec4 of columns per invocation; 256³): on llvmpipe this beats the tiled
 * shared-memory kernel of bench/matmul_gpu.ts (barriers are costly), so it is
 * the practical ceiling the kernels are compared with.
 */
async function registerMatmulGflops(device: GPUDevice): Promise<number> {
  const n = 256, q = n / 4;
  const code = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x % ${q}u; let i0 = (g.x / ${q}u) * 8u;
  if (i0 >= ${n}u) { return; }
  var c: array<vec4<f32>, 8>;
  for (var k = 0u; k < ${n}u; k++) {
    let b = B[k * ${q}u + j];
    for (var r = 0u; r < 8u; r++) { c[r] += A[(i0 + r) * ${n}u + k] * b; }
  }
  for (var r = 0u; r < 8u; r++) { C[(i0 + r) * ${q}u + j] = c[r]; }
}`;
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: {
      module: device.createShaderModule({ code }),
      entryPoint: "main",
    },
  });
  const bufs = [0, 1, 2].map(() => device.createBuffer({ size: n * n * 4, usage: 0x0080 | 0x0008 }));
  const r = rng(3);
  device.queue.writeBuffer(
    bufs[0],
    0,
    new Float32Array(n * n).map(() => r() - 0.5),
  );
  device.queue.writeBuffer(
    bufs[1],
    0,
    new Float32Array(n * n).map(() => r() - 0.5),
  );
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const d: Disp = {
    label: "mm",
    pipeline,
    bindGroup,
    groups: [(n * n) / 32 / 64, 1, 1],
  };
  await timeSubmit(device, [d], 1);
  const t: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const a = await timeSubmit(device, [d], 1);
    const b = (await timeSubmit(device, [d], 9)) * 9;
    t.push((b - a) / 8);
  }
  for (const b of bufs) b.destroy();
  return (2 * n ** 3) / (median(t) * 1e6);
}

async function profile(
  device: GPUDevice,
  title: string,
  ds: Disp[],
  whole: () => Promise<unknown>,
) {
  await timeSubmit(device, ds, 1); // warm
  const rows: string[] = [];
  let sum = 0;
  for (const d of ds) {
    // a submit costs a fixed ~11 ms round trip in Deno here (its device poll
    // interval), so a kernel's own time is the slope: (T(1+R) − T(1)) / R
    const one = await timeSubmit(device, [d], 1);
    const reps = Math.max(
      2,
      Math.min(16, Math.round(60 / Math.max(one - floor, 0.5))),
    );
    const t: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = await timeSubmit(device, [d], 1);
      const b = (await timeSubmit(device, [d], 1 + reps)) * (1 + reps);
      t.push((b - a) / reps);
    }
    const ms = Math.max(0, median(t));
    sum += ms;
    const gf = d.flops ? (d.flops / (ms * 1e6)).toFixed(2) : "";
    rows.push(
      `| ${d.label} | ${d.groups.join("×")} | ${ms.toFixed(3)} | ${gf} |`,
    );
  }
  const plan: number[] = [];
  for (let r = 0; r < ROUNDS; r++) plan.push(await timeSubmit(device, ds, 1));
  const call: number[] = [];
  for (let r = 0; r < ROUNDS + 2; r++) {
    const t = performance.now();
    await whole();
    call.push(performance.now() - t);
  }
  console.log(`\n### ${title} (load ${load()})\n`);
  console.log("| kernel | workgroups | ms | GFLOP/s |\n|---|---|---:|---:|");
  for (const r of rows) console.log(r);
  const totalFlops = ds.reduce((a, d) => a + (d.flops ?? 0), 0);
  console.log(
    `| **sum of kernels** | ${ds.length} dispatches | ${sum.toFixed(3)} | ${
      (totalFlops / (sum * 1e6)).toFixed(2)
    } |`,
  );
  console.log(`| **plan, one submit** | | ${median(plan).toFixed(3)} | |`);
  console.log(`| **public call (median)** | | ${median(call).toFixed(3)} | |`);
  return { sum, plan: median(plan), call: median(call) };
}

function layerFlops(l: ResolvedLayer, n: number): number | undefined {
  if (l.op === "conv") {
    return 2 * n * l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw;
  }
  if (l.op === "dense") return 2 * n * l.inF * l.outF;
  return undefined;
}

const device = await acquireDevice(TRAINING_DEVICE);
if (!device) throw new Error("no WebGPU adapter");
console.log(`# WebGPU profile — load at start ${load()}`);
const mm = await gpuMatmulGflops(device, 256, 256, 256, quick ? 3 : 5, 2);
floor = await submitFloor(device);
console.log(
  `empty submit + onSubmittedWorkDone round trip: ${floor.toFixed(2)} ms (load ${load()})`,
);
console.log(
  `WGSL tiled matmul 256³ (bench/matmul_gpu.ts): ${mm.gflops.toFixed(2)} GFLOP/s (load ${load()})`,
);

console.log(
  `WGSL register-blocked matmul 256³ (ceiling used here): ${
    (await registerMatmulGflops(device)).toFixed(2)
  } GFLOP/s (load ${load()})`,
);

if (only !== "train") {
  for (const name of ["lenet", "small"]) {
    const m = BENCH_MODELS[name]();
    const layers = resolveLayers(m.layers, m.inputShape);
    const ex = await GpuExecutor.create(device, layers, m.params);
    for (const batch of [1, 64]) {
      const x = makeInput(batch, 784);
      await ex.run(x, batch);
      const plan = ex.profilePlan(batch).map((d) => ({
        ...d,
        flops: layerFlops(d.layer, batch),
      }));
      const r = await profile(
        device,
        `${name} inference batch ${batch}`,
        plan,
        () => ex.run(x, batch),
      );
      if (batch === 64) {
        console.log(`throughput: ${(64000 / r.call).toFixed(0)} img/s`);
      }
    }
    ex.destroy();
  }
}

if (only !== "infer") {
  const at = Deno.args.indexOf("--train-arch");
  const archs = at >= 0
    ? [Deno.args[at + 1]]
    : Deno.args.includes("--lenet-train")
    ? ["small", "lenet"]
    : ["small"];
  for (const arch of archs) {
    const spec = await loadArch(arch, [1, 28, 28], 10);
    const be = await createWebGpuBackend(device, archConfig(spec, 1));
    for (const batch of [64, 128]) {
      const r = rng(7);
      const x = new Float32Array(batch * 784).map(() => r());
      const y = new Int32Array(batch).map(() => Math.floor(r() * 10));
      await be.step(x, y, batch, 1e-3);
      const res = await profile(
        device,
        `${arch} training step batch ${batch}`,
        be.trainPlan(batch),
        () => be.step(x, y, batch, 1e-3),
      );
      console.log(
        `epoch estimate: ${(60000 / batch * res.call / 1000).toFixed(0)} s`,
      );
    }
    be.dispose();
  }
}
device.destroy();
