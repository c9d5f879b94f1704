// Forward time of one layer per op (the layers format 1.1 added, next to a
// plain conv2d for scale) on the CPU (forwardLayer) and WebGPU (GpuExecutor
// with that one layer, incl. upload and readback: on llvmpipe a readback
// costs ~11 ms, so WebGPU numbers are dominated by it at these sizes) at one
// representative shape, batch 16; median of timed calls after a warm-up.
// A join (add, concat) runs as a two-layer graph whose second input is an
// identity of the first (the identity row gives that share).
// Prints a markdown table. Usage: deno run -A --unstable-webgpu bench/ops_time.ts

import { type LayerSpec, macs, paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import { GpuExecutor } from "../runtime/webgpu/executor.ts";
import { acquireDevice } from "../runtime/webgpu/device.ts";
import { rng } from "./models.ts";

const CASES: [string, LayerSpec | LayerSpec[], number[]][] = [
  ["conv2d 3×3 (reference point)", {
    type: "conv2d",
    filters: 16,
    kernel: 3,
    padding: "same",
  }, [16, 32, 32]],
  ["conv1d causal k3 d4", {
    type: "conv1d",
    filters: 32,
    kernel: 3,
    dilation: 4,
    padding: "causal",
  }, [
    32,
    256,
  ]],
  ["conv2dtranspose k2 s2", {
    type: "conv2dtranspose",
    filters: 16,
    kernel: 2,
    stride: 2,
  }, [16, 16, 16]],
  [
    "upsample2d ×2 bilinear",
    { type: "upsample2d", scale: 2, mode: "bilinear" },
    [16, 32, 32],
  ],
  ["upsample2d ×2 nearest", { type: "upsample2d", scale: 2 }, [16, 32, 32]],
  ["relu6", { type: "relu6" }, [16, 32, 32]],
  ["hardswish", { type: "hardswish" }, [16, 32, 32]],
  ["hardsigmoid", { type: "hardsigmoid" }, [16, 32, 32]],
  ["conv2dtranspose k3 s2, 32 → 8 (GEMM variant)", {
    type: "conv2dtranspose",
    filters: 8,
    kernel: 3,
    stride: 2,
    padding: 1,
  }, [32, 8, 8]],
  [
    "avgpool2d 3×3 s1 countPad false",
    { type: "avgpool2d", size: 3, stride: 1, padding: 1, countPad: false },
    [16, 32, 32],
  ],
  ["identity", { type: "identity" }, [16, 32, 32]],
  ["add (input + identity(input))", [{ type: "identity" }, {
    type: "add",
    inputs: ["input", 0],
  }], [16, 32, 32]],
  ["mul, per-channel gate (input · globalavgpool(input))", [{ type: "globalavgpool" }, {
    type: "mul",
    inputs: ["input", 0],
  }], [16, 32, 32]],
  ["concat (input, identity(input))", [{ type: "identity" }, {
    type: "concat",
    inputs: ["input", 0],
  }], [
    16,
    32,
    32,
  ]],
];
const BATCH = 16, REPS = 15;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const device = await acquireDevice();
const rows = [
  "| op | input (per sample) | MACs/sample | CPU ms (b16) | WebGPU ms (b16, incl. readback) |",
  "| --- | --- | ---: | ---: | ---: |",
];
for (const [name, spec, shape] of CASES) {
  const layers = resolveLayers(Array.isArray(spec) ? spec : [spec], shape);
  const l = layers[layers.length - 1];
  const r = rng(1);
  const params = layers.map((m) =>
    paramShapes(m).map((s) =>
      Float32Array.from(
        { length: s.reduce((a, b) => a * b, 1) },
        () => r() - 0.5,
      )
    )
  );
  const x = Float32Array.from({
    length: BATCH * shape.reduce((a, b) => a * b, 1),
  }, () => r() - 0.5);
  const cpu: number[] = [];
  const cx = new CpuExecutor(layers, params);
  cx.run(x, BATCH);
  for (let k = 0; k < REPS; k++) {
    const t = performance.now();
    cx.run(x, BATCH);
    cpu.push(performance.now() - t);
  }
  let gpu = NaN;
  if (device) {
    const ex = await GpuExecutor.create(device, layers, params);
    await ex.run(x, BATCH);
    const ts: number[] = [];
    for (let k = 0; k < REPS; k++) {
      const t = performance.now();
      await ex.run(x, BATCH);
      ts.push(performance.now() - t);
    }
    gpu = median(ts);
    ex.destroy();
  }
  rows.push(
    `| ${name} | ${shape.join("×")} | ${macs(l)} | ${median(cpu).toFixed(2)} | ${gpu.toFixed(2)} |`,
  );
}
console.log(rows.join("\n"));
