// A few full training steps of the WebGPU backend vs the CPU backend
// (float64 reference) from the same seed on tiny nets, for every optimizer
// (SGD + momentum + Nesterov + L2, Adam + L2, AdamW decoupled) and both
// losses, with batchnorm in the net, and the fused conv/dense+ReLU paths
// (ReLU backward folded into a tiling max pool, or run on the alias). Compared after each step: loss (relative
// 1e-4), correct count; after the last: every parameter, optimizer slot and
// running stat (|gpu − cpu| ≤ 1e-4 · max(1, max |cpu|)) and eval predictions.
// REQUIRE_WEBGPU=1 → a missing adapter fails instead of skipping.

import { convNet } from "../train/archs.ts";
import { assert, assertEquals } from "@std/assert";
import type { OptimizerConfig, TrainConfig } from "../train/backend.ts";
import { optimizerUpdate, resolveOptimizer, slotCount } from "../train/ops/optimizer/cpu.ts";
import { GpuContext, runKernels } from "../train/webgpu/gpu_context.ts";
import { optimizerKernel } from "../train/ops/optimizer/wgsl.ts";
import { createWebGpuBackend } from "../train/webgpu/gpu_backend.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { DataRng } from "../train/data/prng.ts";
import { gpuTest } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("train_gpu_steps", 99);
const TOL = 1e-4;

function close(what: string, got: Float32Array, want: Float32Array) {
  assertEquals(got.length, want.length, what);
  let maxRef = 1, maxErr = 0;
  for (let i = 0; i < want.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(want[i]));
    maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
  }
  assert(maxErr <= TOL * maxRef, `${what}: max error ${maxErr} > ${TOL * maxRef} (seed ${SEED})`);
}

const CASES: Omit<TrainConfig, "seed">[] = [
  {
    inputShape: [1, 8, 8],
    layers: [
      { type: "conv2d", filters: 3, kernel: 3, padding: "same" },
      { type: "batchnorm" },
      { type: "relu" },
      { type: "avgpool2d", size: 2 },
      { type: "conv2d", filters: 4, kernel: 2, stride: 2 },
      { type: "elu" },
      { type: "flatten" },
      { type: "dense", units: 4 },
    ],
    loss: "softmax_xent",
    optimizer: { type: "sgd", momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
  },
  {
    inputShape: [2, 11],
    layers: [
      { type: "conv1d", filters: 4, kernel: 3, dilation: 2, padding: "full" },
      { type: "maxpool1d", size: 2 },
      { type: "sigmoid" },
      { type: "globalavgpool" },
      { type: "dense", units: 3 },
    ],
    loss: "mse",
    optimizer: { type: "adam", weightDecay: 1e-3 },
  },
  {
    inputShape: [12],
    layers: [
      // no bias before batchnorm: its exact gradient is 0 and Adam would amplify rounding noise
      { type: "dense", units: 7, bias: false },
      { type: "batchnorm", momentum: 0.3 },
      { type: "tanh" },
      { type: "dense", units: 5 },
    ],
    loss: "softmax_xent",
    optimizer: { type: "adamw" },
  },
  {
    inputShape: [1, 9, 9],
    layers: convNet([4, 5], [6, 3]), // 9 → 4 in the first pool: a ragged edge
    loss: "softmax_xent",
    optimizer: { type: "adam" },
  },
];

gpuTest("WebGPU backend steps match the CPU backend", "train_gpu_steps", async (device, t) => {
  console.log(`train_gpu_steps_test seed ${SEED}`);
  for (const c of CASES) {
    await t.step(`${c.optimizer.type} / ${c.loss} on (${c.inputShape.join(",")})`, async () => {
      const cfg: TrainConfig = { ...c, seed: SEED };
      const gpu = await createWebGpuBackend(device, cfg);
      const cpu = createCpuBackend(cfg);
      const rng = new DataRng(SEED);
      const per = c.inputShape.reduce((a, b) => a * b, 1);
      const k = (c.layers.at(-1) as { units: number }).units;
      const n = 5;
      for (let s = 0; s < 4; s++) {
        const x = new Float32Array(n * per).map(() => rng.next() * 2 - 1);
        const y = Int32Array.from({ length: n }, () => rng.int(k));
        const lr = 0.05 / (s + 1);
        const a = await gpu.step(x, y, n, lr), b = await cpu.step(x, y, n, lr);
        assert(
          Math.abs(a.loss - b.loss) <= TOL * Math.max(1, Math.abs(b.loss)),
          `step ${s} loss ${a.loss} vs ${b.loss}`,
        );
        assertEquals(a.correct, b.correct, `step ${s} correct`);
      }
      const [sg, sc] = [await gpu.getState(), await cpu.getState()];
      assertEquals(sg.step, sc.step);
      sc.params.forEach((ts, i) => ts.forEach((p, j) => close(`layer ${i} param ${j}`, sg.params[i][j], p)));
      sc.slots.forEach((ts, i) =>
        ts.forEach((ss, j) => ss.forEach((v, q) => close(`layer ${i} slot ${j}.${q}`, sg.slots[i][j][q], v)))
      );
      sc.running.forEach((ts, i) =>
        ts.forEach((r, j) => close(`layer ${i} running ${j}`, sg.running[i][j], r))
      );
      const x = new Float32Array(3 * per).map(() => rng.next() * 2 - 1);
      close("eval predict", await gpu.predict(x, 3), await cpu.predict(x, 3));
      gpu.dispose();
      cpu.dispose();
    });
  }
});

gpuTest(
  "optimizer kernels match train/ops/optimizer/cpu.ts over 3 updates",
  "train_gpu_steps",
  async (device) => {
    const ctx = new GpuContext(device);
    const rng = new DataRng(SEED + 1);
    const configs: OptimizerConfig[] = [
      { type: "sgd" },
      { type: "sgd", momentum: 0.9, weightDecay: 0.01 },
      { type: "sgd", momentum: 0.8, nesterov: true },
      { type: "adam", weightDecay: 0.02 },
      { type: "adamw", beta1: 0.8, beta2: 0.99, eps: 1e-6 },
    ];
    for (const cfg of configs) {
      const o = resolveOptimizer(cfg);
      const n = 257;
      const p = new Float32Array(n).map(() => rng.next() * 2 - 1);
      const slots = Array.from({ length: slotCount(o) }, () => new Float32Array(n));
      const bp = ctx.buffer(n, "p", p), bs = slots.map((s) => ctx.buffer(n, "slot", s));
      const ub = device.createBuffer({ size: 32, usage: 0x0040 | 0x0008 });
      for (let t = 1; t <= 3; t++) {
        const g = new Float32Array(n).map(() => rng.next() * 2 - 1);
        const lr = 0.1 / t;
        const u = new ArrayBuffer(32);
        new Float32Array(u).set([lr, 1 - o.beta1 ** t, 1 - o.beta2 ** t]);
        new Uint32Array(u)[3] = t;
        device.queue.writeBuffer(ub, 0, u);
        await runKernels(ctx, [{
          kernel: optimizerKernel(o, n),
          buffers: [ub, ctx.buffer(n, "g", g), bp, ...bs],
        }]);
        optimizerUpdate(o, p, Float64Array.from(g), slots, lr, t);
      }
      close(`${cfg.type} ${JSON.stringify(cfg)} params`, await ctx.read(bp, n), p);
      for (let k = 0; k < slots.length; k++) {
        close(`${cfg.type} slot ${k}`, await ctx.read(bs[k], n), slots[k]);
      }
    }
  },
);
