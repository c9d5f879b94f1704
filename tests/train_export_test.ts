// Export: batchnorm folding gives the same eval outputs as the unfolded
// trained network (runtime CpuExecutor on the ModelDesc vs the CPU training
// backend's eval predict), dropout disappears, softmax is appended for
// softmax_xent, and unfoldable batchnorms are TypeErrors.

import { assert, assertEquals, assertThrows } from "@std/assert";
import type { TrainConfig } from "../train/backend.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { toModelDesc } from "../train/export.ts";
import { Rng } from "../train/rng.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import { encodeModel, loadModel } from "../mod.ts";

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

async function trainedCase(cfg: TrainConfig, batch: number) {
  const be = createCpuBackend(cfg);
  const per = cfg.inputShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(cfg.seed + 100);
  const classes = 4;
  for (let k = 0; k < 8; k++) {
    const x = new Float32Array(batch * per).map(() => rng.normal() + 0.5);
    const y = Int32Array.from({ length: batch }, () => rng.int(classes));
    await be.step(x, y, batch, 0.05);
  }
  const x = new Float32Array(5 * per).map(() => rng.normal() + 0.5);
  const want = await be.predict(x, 5);
  const state = await be.getState();
  be.dispose();
  return { x, want, state };
}

const CONV_BN: TrainConfig = {
  inputShape: [2, 8, 8],
  layers: [
    { type: "conv2d", filters: 3, kernel: 3, padding: "same", bias: false },
    { type: "batchnorm" },
    { type: "relu" },
    { type: "dropout", rate: 0.25 },
    { type: "conv2d", filters: 4, kernel: 3, stride: 2, groups: 1 },
    { type: "dropout", rate: 0.1 },
    { type: "batchnorm", eps: 1e-3, momentum: 0.3 },
    { type: "elu" },
    { type: "maxpool2d", size: 2 },
    { type: "flatten" },
    { type: "dense", units: 6 },
    { type: "batchnorm" },
    { type: "relu" },
    { type: "dense", units: 4 },
  ],
  loss: "softmax_xent",
  optimizer: { type: "sgd", momentum: 0.9 },
  seed: 3,
};

Deno.test("export: folded batchnorm + dropped dropout give the unfolded eval outputs (runtime CpuExecutor)", async () => {
  const { x, want, state } = await trainedCase(CONV_BN, 6);
  // running stats moved away from the (0, 1) init, so folding is non-trivial
  assert(state.running[1][0].some((v) => Math.abs(v) > 1e-3));
  const desc = toModelDesc(CONV_BN, state, { appendSoftmax: false, labels: ["a", "b", "c", "d"] });
  assertEquals(desc.layers.map((l) => l.type), [
    "conv2d",
    "relu",
    "conv2d",
    "elu",
    "maxpool2d",
    "flatten",
    "dense",
    "relu",
    "dense",
  ]);
  assertEquals((desc.layers[0] as { bias?: boolean }).bias, true, "bias-free conv gains a bias");
  assertEquals(desc.params[0][1].length, 3);
  assertEquals(desc.labels, ["a", "b", "c", "d"]);
  const got = new CpuExecutor(resolveLayers(desc.layers, desc.inputShape), desc.params).run(x, 5);
  const d = maxRelDiff(got, want);
  console.log(`max relative difference folded vs unfolded: ${d}`);
  assert(d < 1e-5, `folded output differs by ${d}`);
  // training state is untouched by export
  assertEquals(state.params[0].length, 1);

  // default for softmax_xent: softmax appended → probabilities
  const probs = toModelDesc(CONV_BN, state, {});
  assertEquals(probs.layers[probs.layers.length - 1].type, "softmax");
  const p = new CpuExecutor(resolveLayers(probs.layers, probs.inputShape), probs.params).run(x, 5);
  for (let n = 0; n < 5; n++) {
    const row = want.subarray(n * 4, n * 4 + 4);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => assert(Math.abs(v / s - p[n * 4 + j]) < 1e-5, `prob ${n},${j}`));
  }
});

const UP = { type: "conv2dtranspose", filters: 6, kernel: 2, stride: 2, groups: 2, bias: false } as const;
const DENSE4 = { type: "dense", units: 4 } as const;

Deno.test("export: batchnorm after a grouped transposed conv (weights (inC, outC/groups, kh, kw)) folds per output channel", async () => {
  const cfg: TrainConfig = {
    inputShape: [4, 5, 5],
    layers: [UP, { type: "batchnorm", momentum: 0.5 }, { type: "relu" }, { type: "globalavgpool" }, DENSE4],
    loss: "softmax_xent",
    optimizer: { type: "sgd", momentum: 0.9 },
    seed: 5,
  };
  const { x, want, state } = await trainedCase(cfg, 6);
  const desc = toModelDesc(cfg, state, { appendSoftmax: false });
  assertEquals(desc.layers.map((l) => l.type), ["conv2dtranspose", "relu", "globalavgpool", "dense"]);
  const got = new CpuExecutor(resolveLayers(desc.layers, desc.inputShape), desc.params).run(x, 5);
  const d = maxRelDiff(got, want);
  assert(d < 1e-5, `folded output differs by ${d}`);
});

Deno.test("export: conv1d + batchnorm folds; mse nets get no softmax", async () => {
  const cfg: TrainConfig = {
    inputShape: [2, 12],
    layers: [
      { type: "conv1d", filters: 4, kernel: 3, dilation: 2, padding: "same", groups: 2 },
      { type: "batchnorm" },
      { type: "tanh" },
      { type: "globalavgpool" },
      { type: "dense", units: 4 },
    ],
    loss: "mse",
    optimizer: { type: "adam" },
    seed: 11,
  };
  const { x, want, state } = await trainedCase(cfg, 4);
  const desc = toModelDesc(cfg, state, {});
  assertEquals(desc.layers.map((l) => l.type), ["conv1d", "tanh", "globalavgpool", "dense"]);
  const got = new CpuExecutor(resolveLayers(desc.layers, desc.inputShape), desc.params).run(x, 5);
  assert(maxRelDiff(got, want) < 1e-5);
});

Deno.test("export: a batchnorm without a foldable predecessor becomes a per-channel affine layer (same outputs)", async () => {
  const mk = (layers: TrainConfig["layers"], inputShape: number[]): TrainConfig => ({
    inputShape,
    layers,
    loss: "softmax_xent",
    optimizer: { type: "sgd" },
    seed: 1,
  });
  const first = mk([{ type: "batchnorm" }, { type: "dense", units: 2 }], [3]);
  const afterRelu = mk([{ type: "dense", units: 3 }, { type: "relu" }, { type: "batchnorm" }], [3]);
  assertThrows(() => toModelDesc(first, undefined as never), TypeError);
  const x = Float32Array.of(0.5, -1, 2, 1, 0.25, -0.5);
  for (const cfg of [first, afterRelu]) {
    const be = createCpuBackend(cfg);
    for (let s = 0; s < 3; s++) await be.step(x, Int32Array.of(0, 1), 2, 0.1); // running stats move
    const desc = toModelDesc(cfg, await be.getState(), { appendSoftmax: false });
    assert(desc.layers.every((l) => (l.type as string) !== "batchnorm"));
    const m = await loadModel(encodeModel(desc), { backend: "cpu" });
    const want = await be.predict(x, 2), got = await m.predict(x, { batch: 2 });
    for (let i = 0; i < want.length; i++) {
      assert(Math.abs(got[i] - want[i]) < 1e-5, `${got[i]} vs ${want[i]}`);
    }
    m.dispose();
    be.dispose();
  }
});
