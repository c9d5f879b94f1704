// Graph models (format 1.1): links are validated with typed errors; the CPU
// and WebGPU executors run residual / concat / multi-input graphs as the
// float64 graph reference does; one SGD step on each training backend moves
// every parameter by the reference gradient (the sum over a layer's readers),
// which itself matches finite differences of the loss; export renumbers links
// across removed dropouts and folded batchnorms, and the file round-trips as
// version 1.1. Random inputs take TEST_SEED.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { type LayerSpec, resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor, cpuPlan } from "../runtime/cpu/forward.ts";
import { GpuExecutor } from "../runtime/webgpu/executor.ts";
import type { TrainConfig, TrainLayerSpec } from "../train/backend.ts";
import { resolveTrainLayers, trainParamShapes } from "../train/layers.ts";
import { initParams } from "../train/init.ts";
import { graphBackward64, graphForward64 } from "../train/ops/graph_reference.ts";
import { softmaxCrossEntropy } from "../train/ops/loss/reference.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { createWebGpuBackend } from "../train/webgpu/gpu_backend.ts";
import { toModelDesc } from "../train/export.ts";
import { encodeModel } from "../runtime/format/encode.ts";
import { decodeModel } from "../runtime/format/decode.ts";
import { loadModel } from "../mod.ts";
import { DataRng } from "../train/data/prng.ts";
import { gpuTest } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("graph", 11);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A residual block, a squeeze-excitation gate (per-channel mul), a concat of three branches, a 3-input add and an elementwise mul. */
const GRAPH: TrainLayerSpec[] = [
  { type: "conv2d", filters: 4, kernel: 3, padding: "same", name: "stem" },
  { type: "relu" },
  { type: "conv2d", filters: 4, kernel: 3, padding: "same" },
  { type: "batchnorm" },
  { type: "tanh" },
  { type: "add", inputs: ["stem", 4], name: "res" },
  { type: "relu" },
  // squeeze-excitation: per-channel gates from the pooled features
  { type: "globalavgpool" },
  { type: "dense", units: 2 },
  { type: "relu" },
  { type: "dense", units: 4 },
  { type: "hardsigmoid", alpha: 0.25 },
  { type: "mul", inputs: [6, 11], name: "se" },
  { type: "conv2d", filters: 3, kernel: 1, stride: 2, inputs: ["se"], name: "a" },
  { type: "maxpool2d", size: 2, padding: "same", inputs: [12] },
  { type: "conv2d", filters: 3, kernel: 3, stride: 2, padding: "same", inputs: ["input"], name: "c" },
  { type: "concat", inputs: ["a", 14, "c"] },
  { type: "conv2d", filters: 3, kernel: 1, name: "p" },
  { type: "add", inputs: ["a", "p", "c"] },
  { type: "mul", inputs: [18, "c"] },
  { type: "flatten" },
  { type: "dense", units: 4 },
];
const INPUT = [2, 7, 9];

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assertEquals(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  }
  assert(worst <= tol, `${what}: worst relative error ${worst} > ${tol}`);
  return worst;
}

Deno.test("graph links: typed errors for forward references, unknown or duplicate names, unused layers, bad joins", () => {
  const bad: [LayerSpec[], RegExp][] = [
    [[{ type: "relu", inputs: [0] }], /inputs\[0\] must name an earlier layer/],
    [[{ type: "relu" }, { type: "relu", inputs: ["nope"] }], /no earlier layer is named "nope"/],
    [[{ type: "relu", name: "a" }, { type: "relu", name: "a" }], /already layer 0's/],
    [[{ type: "relu", name: "input" }], /name must be/],
    [[{ type: "relu" }, { type: "relu" }, { type: "relu", inputs: [0] }], /layer 1 \(relu\) is never used/],
    [[{ type: "relu" }, { type: "add", inputs: [0] }], /needs 2 or more inputs/],
    [[{ type: "relu" }, { type: "relu", inputs: [0, "input"] }], /takes one input/],
    [[{ type: "add" }], /needs 2 or more inputs/],
    [[{ type: "flatten" }, { type: "add", inputs: ["input", 0] }], /add needs one shape/],
    [[{ type: "flatten" }, { type: "concat", inputs: ["input", 0] }], /concat joins channels/],
    [[{ type: "relu", inputs: Array(17).fill("input") }], /list of 1 to 16/],
  ];
  for (const [layers, re] of bad) {
    const e = assertThrows(() => resolveLayers(layers, [2, 3, 3]), TypeError);
    assert(re.test((e as Error).message), `${(e as Error).message} !~ ${re}`);
  }
  const r = resolveLayers([{ type: "relu", name: "r" }, { type: "concat", inputs: ["r", "input", 0] }], [
    2,
    3,
  ]);
  assertEquals(r[1].outShape, [6, 3]);
  assertEquals(r[1].inputs, [0, -1, 0]);
});

function randomState(layers: TrainConfig["layers"], rng: DataRng) {
  const resolved = resolveTrainLayers(layers, INPUT);
  const params = initParams(resolved, SEED).map((ts) => ts.map((t) => t.map(() => rng.next() - 0.5)));
  return { resolved, params };
}

Deno.test("graph: CpuExecutor equals the float64 graph reference (residual, concat, 3-input add)", () => {
  const rng = new DataRng(SEED);
  // the graph with its batchnorm as an identity (the runtime has no batchnorm)
  const specs = GRAPH.map((l) => (l.type === "batchnorm" ? { type: "identity" } : l)) as LayerSpec[];
  const r = resolveLayers(specs, INPUT);
  const params = initParams(r, SEED).map((ts) => ts.map((t) => t.map(() => rng.next() - 0.5)));
  for (const n of [1, 3]) {
    const x = new Float32Array(n * prod(INPUT)).map(() => rng.next() * 2 - 1);
    const want = graphForward64(
      r,
      params.map((ts) => ts.map((t) => Float64Array.from(t))),
      Float64Array.from(x),
      n,
      {
        train: false,
      },
    );
    const got = new CpuExecutor(r, params).run(x, n);
    const w = close(got, want.outs[r.length - 1], 1e-5, `batch ${n}`);
    console.log(
      `graph CPU executor vs float64 reference, batch ${n}: worst relative error ${w.toExponential(2)}`,
    );
  }
});

gpuTest("graph: GpuExecutor equals CpuExecutor on the same graph", "graph", async (device) => {
  const rng = new DataRng(SEED + 1);
  const specs = GRAPH.map((l) => (l.type === "batchnorm" ? { type: "relu6" } : l)) as LayerSpec[];
  const r = resolveLayers(specs, INPUT);
  const params = initParams(r, SEED).map((ts) => ts.map((t) => t.map(() => rng.next() - 0.5)));
  const gpu = await GpuExecutor.create(device, r, params);
  for (const n of [1, 4]) {
    const x = new Float32Array(n * prod(INPUT)).map(() => rng.next() * 2 - 1);
    const w = close(await gpu.run(x, n), new CpuExecutor(r, params).run(x, n), 1e-4, `batch ${n}`);
    console.log(`graph WebGPU vs CPU executor, batch ${n}: worst relative error ${w.toExponential(2)}`);
  }
  gpu.destroy();
});

/** The reference gradient of mean softmax cross-entropy at params p, batch (x, y). */
function referenceGrads(
  layers: TrainLayerSpec[],
  p: Float32Array[][],
  x: Float32Array,
  y: Int32Array,
  n: number,
) {
  const r = resolveTrainLayers(layers, INPUT);
  const p64 = p.map((ts) => ts.map((t) => Float64Array.from(t)));
  const running = r.map((
    l,
  ) => (l.op === "batchnorm" ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)] : []));
  const tape = graphForward64(r, p64, Float64Array.from(x), n, { train: true }, running);
  const loss = softmaxCrossEntropy(tape.outs[r.length - 1], y, n);
  return { loss: loss.loss, ...graphBackward64(r, p64, tape, loss.dz, n) };
}

Deno.test("graph: the reference gradient matches finite differences of the loss", () => {
  const rng = new DataRng(SEED + 2);
  const { params } = randomState(GRAPH, rng);
  const n = 3;
  const x = new Float32Array(n * prod(INPUT)).map(() => rng.next() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => rng.int(4));
  const { grads } = referenceGrads(GRAPH, params, x, y, n);
  // float64 finite differences on a sample of every tensor
  const r = resolveTrainLayers(GRAPH, INPUT);
  const lossAt = (p: Float64Array[][]) => {
    const running = r.map((
      l,
    ) => (l.op === "batchnorm" ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)] : []));
    const t = graphForward64(r, p, Float64Array.from(x), n, { train: true }, running);
    return softmaxCrossEntropy(t.outs[r.length - 1], y, n).loss;
  };
  const p64 = params.map((ts) => ts.map((t) => Float64Array.from(t)));
  let worst = 0;
  p64.forEach((ts, i) =>
    ts.forEach((t, k) => {
      for (let s = 0; s < Math.min(4, t.length); s++) {
        const e = Math.floor(rng.next() * t.length), h = 1e-5, v = t[e];
        t[e] = v + h;
        const up = lossAt(p64);
        t[e] = v - h;
        const down = lossAt(p64);
        t[e] = v;
        const fd = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grads[i][k][e]) / (1e-3 + Math.abs(fd)));
      }
    })
  );
  console.log(`graph finite-difference worst relative error ${worst.toExponential(2)}`);
  assert(worst < 1e-4, `finite differences: ${worst}`);
});

/** One plain-SGD step on a backend from `params`: (p − p′)/lr is its gradient. */
async function stepGradient(
  make: (cfg: TrainConfig) => Promise<import("../train/backend.ts").TrainBackend>,
  params: Float32Array[][],
  x: Float32Array,
  y: Int32Array,
  n: number,
) {
  const cfg: TrainConfig = {
    inputShape: INPUT,
    layers: GRAPH,
    loss: "softmax_xent",
    optimizer: { type: "sgd" },
    seed: SEED,
  };
  const be = await make(cfg);
  const s = await be.getState();
  await be.setState({ ...s, params: params.map((ts) => ts.map((t) => t.slice())) });
  const lr = 1 / 64;
  const res = await be.step(x, y, n, lr);
  const after = (await be.getState()).params;
  be.dispose();
  return {
    loss: res.loss,
    grads: params.map((ts, i) => ts.map((t, k) => t.map((v, e) => (v - after[i][k][e]) / lr))),
  };
}

async function checkBackend(name: string, make: Parameters<typeof stepGradient>[0]) {
  const rng = new DataRng(SEED + 3);
  const { params } = randomState(GRAPH, rng);
  const n = 5;
  const x = new Float32Array(n * prod(INPUT)).map(() => rng.next() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => rng.int(4));
  const want = referenceGrads(GRAPH, params, x, y, n);
  const got = await stepGradient(make, params, x, y, n);
  assert(Math.abs(got.loss - want.loss) < 1e-4, `${name} loss ${got.loss} vs ${want.loss}`);
  const r = resolveTrainLayers(GRAPH, INPUT);
  let worst = 0;
  r.forEach((l, i) =>
    trainParamShapes(l).forEach((_, k) => {
      worst = Math.max(
        worst,
        close(got.grads[i][k], want.grads[i][k], 2e-3, `${name} layer ${i} tensor ${k}`),
      );
    })
  );
  console.log(`graph ${name} training gradient vs reference: worst ${worst.toExponential(2)}`);
}

Deno.test("graph: one CPU-backend SGD step follows the reference gradient", async () => {
  await checkBackend("cpu", (cfg) => Promise.resolve(createCpuBackend(cfg)));
});

gpuTest("graph: one WebGPU-backend SGD step follows the reference gradient", "graph", async (device) => {
  await checkBackend("webgpu", (cfg) => createWebGpuBackend(device, cfg));
});

Deno.test("graph export: links renumbered across dropout and folded batchnorm, unfoldable ones as scale layers, file 1.1, same outputs", async () => {
  const layers: TrainLayerSpec[] = [
    { type: "conv2d", filters: 3, kernel: 3, padding: "same", name: "c0" },
    { type: "batchnorm", name: "bn0" },
    { type: "relu" },
    { type: "dropout", rate: 0.2 },
    { type: "conv2d", filters: 3, kernel: 3, padding: "same", bias: false },
    { type: "batchnorm" },
    { type: "add", inputs: [3, 5] },
    { type: "globalavgpool" },
    { type: "dense", units: 4 },
  ];
  const cfg: TrainConfig = {
    inputShape: INPUT,
    layers,
    loss: "softmax_xent",
    optimizer: { type: "sgd" },
    seed: SEED,
  };
  const be = createCpuBackend(cfg);
  const rng = new DataRng(SEED + 4);
  const x = new Float32Array(2 * prod(INPUT)).map(() => rng.next() * 2 - 1);
  for (let s = 0; s < 3; s++) await be.step(x, Int32Array.of(1, 2), 2, 0.05); // running stats move off 0/1
  const state = await be.getState();
  const desc = toModelDesc(cfg, state);
  assertEquals(desc.layers.map((l) => l.type), [
    "conv2d",
    "relu",
    "conv2d",
    "add",
    "globalavgpool",
    "dense",
    "softmax",
  ]);
  assertEquals(desc.layers[0].name, "c0");
  assertEquals(desc.layers[3].inputs, [1, 2]);
  const bytes = encodeModel(desc);
  assertEquals(new DataView(bytes.buffer).getUint16(6, true), 1, "graph files are version 1.1");
  const back = decodeModel(bytes).desc;
  assertEquals(back.layers, desc.layers);
  const m = await loadModel(bytes, { backend: "cpu" });
  assertEquals(m.summary().layers[3].inputs, [1, 2]);
  const eval0 = await be.predict(x, 2);
  const got = await m.predict(x, { batch: 2 });
  const sm = (z: Float32Array, n: number) => {
    const out = new Float32Array(z.length), k = z.length / n;
    for (let b = 0; b < n; b++) {
      const row = z.subarray(b * k, (b + 1) * k), mx = Math.max(...row);
      const e = row.map((v) => Math.exp(v - mx)), s = e.reduce((a, c) => a + c, 0);
      out.set(e.map((v) => v / s), b * k);
    }
    return out;
  };
  close(got, sm(eval0, 2), 1e-5, "exported vs training eval");
  be.dispose();
  // batchnorms that cannot fold — their producer has another reader, they follow a join (pre-activation)
  // or a pool, or sit on flat features after a flatten — become per-channel scale layers, same outputs
  const shared: TrainLayerSpec[] = [
    { type: "conv2d", filters: 2, kernel: 1 },
    { type: "batchnorm" },
    { type: "add", inputs: [0, 1] },
    { type: "batchnorm" },
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
    { type: "batchnorm" },
    { type: "flatten" },
    { type: "batchnorm" },
    { type: "dense", units: 2 },
  ];
  const c2 = { ...cfg, layers: shared };
  const b2 = createCpuBackend(c2);
  for (let s = 0; s < 3; s++) await b2.step(x, Int32Array.of(0, 1), 2, 0.05);
  const d2 = toModelDesc(c2, await b2.getState());
  assertEquals(d2.layers.map((l) => l.type), [
    "conv2d",
    "scale",
    "add",
    "scale",
    "relu",
    "maxpool2d",
    "scale",
    "flatten",
    "scale",
    "dense",
    "softmax",
  ]);
  const m2 = await loadModel(encodeModel(d2), { backend: "cpu" });
  close(await m2.predict(x, { batch: 2 }), sm(await b2.predict(x, 2), 2), 1e-5, "affine batchnorms");
  m2.dispose();
  b2.dispose();
});

/** A residual block with a 1×1 projection, then bilinear upsampling concatenated with the nearest-upsampled input (a U-Net-style skip). */
const GOLDEN: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernel: 3, padding: 1 },
  { type: "relu" },
  { type: "conv2d", filters: 3, kernel: 3, padding: 1 },
  { type: "conv2d", filters: 3, kernel: 1, bias: false, inputs: ["input"] },
  { type: "add", inputs: [2, 3] },
  { type: "relu" },
  { type: "upsample2d", scale: 2, mode: "bilinear" },
  { type: "upsample2d", scale: 2, inputs: ["input"] },
  { type: "concat", inputs: [6, 7] },
];
/** PyTorch 1.13 (float64, /usr/bin/python3): relu(conv(relu(conv(x))) + conv1x1(x)), interpolate(bilinear, align_corners=False), cat with interpolate(x, nearest); the output's sum, sum of squares and every 13th value. */
const TORCH = {
  sum: 365.1622175229872,
  sumSq: 665.918999278983,
  every13: [
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0.832771,
    1.040982,
    0.927084,
    0.811386,
    0.951836,
    1.272768,
    1.495207,
    1.553084,
    1.481327,
    1.325129,
    1.767586,
    2.17373,
    1.819276,
    1.384022,
    1.420349,
    1.516696,
    2.054862,
    2.377287,
    0.372322,
    0.372322,
    -0.142213,
    -0.142213,
    -0.130079,
    -0.130079,
    0.363787,
    0.363787,
    0.215129,
    -0.489589,
    -0.419752,
    0.47017,
    0.49987,
    -0.311291,
    -0.431717,
    0.060077,
    0.235509,
    0.208957,
    0.030555,
  ],
};
const fill = (n: number, a: number, b: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * a + b) * 0.5);
const GOLDEN_PARAMS = [
  [fill(54, 0.23, 0.5), fill(3, 1.1, 0.2)],
  [],
  [fill(81, 0.19, 0.9), fill(3, 0.7, 0.3)],
  [fill(6, 0.41, 0.4)],
  [],
  [],
  [],
  [],
  [],
];

function checkGolden(y: Float32Array, what: string) {
  assertEquals(y.length, 5 * 10 * 12);
  const sum = y.reduce((a, v) => a + v, 0), sumSq = y.reduce((a, v) => a + v * v, 0);
  assert(
    Math.abs(sum - TORCH.sum) < 1e-3 && Math.abs(sumSq - TORCH.sumSq) < 1e-3,
    `${what}: sums ${sum}, ${sumSq}`,
  );
  TORCH.every13.forEach((v, k) =>
    assert(Math.abs(y[13 * k] - v) < 2e-5, `${what}: y[${13 * k}] ${y[13 * k]} vs ${v}`)
  );
}

Deno.test("graph golden: residual block + upsample + concat equals PyTorch (CPU)", () => {
  const r = resolveLayers(GOLDEN, [2, 5, 6]);
  checkGolden(new CpuExecutor(r, GOLDEN_PARAMS).run(fill(60, 0.37, 0.1), 1), "cpu");
});

gpuTest(
  "graph golden: residual block + upsample + concat equals PyTorch (WebGPU)",
  "graph",
  async (device) => {
    const r = resolveLayers(GOLDEN, [2, 5, 6]);
    const gpu = await GpuExecutor.create(device, r, GOLDEN_PARAMS);
    checkGolden(await gpu.run(fill(60, 0.37, 0.1), 1), "webgpu");
    gpu.destroy();
  },
);

Deno.test("graph buffer plan: a chain ping-pongs two slots, a residual block needs three, and slots are reused", () => {
  const chain = resolveLayers([
    { type: "conv2d", filters: 2, kernel: 1 },
    { type: "relu" },
    { type: "tanh" },
    {
      type: "conv2d",
      filters: 2,
      kernel: 1,
    },
  ], [1, 3, 3]);
  const plan = cpuPlan(chain);
  assertEquals(plan.slotPer.length, 2);
  assertEquals(plan.steps.map((s) => s.layer), [0, 2, 3], "relu fused into the conv, tanh in place");
  const res = cpuPlan(resolveLayers(GOLDEN, [2, 5, 6]));
  assertEquals(res.slotPer.length, 3);
});

Deno.test("graph training from a script: residual-block notation + inputRange → a 1.1 graph model that runs at any length", async () => {
  const { loadDataset, train } = await import("../train/mod.ts");
  const data = await loadDataset("synthetic-control"); // series (1, 60), 6 classes
  const { model, report } = await train({
    data,
    epochs: 3,
    backend: "cpu",
    seed: 1,
    arch: {
      name: "res1d",
      layers: [
        { type: "conv1d", filters: 8, kernel: 3, padding: "same" },
        { type: "relu" },
        { type: "residual", filters: 8, dims: 1 },
        { type: "residual", filters: 16, stride: 2, dims: 1 },
        { type: "globalavgpool" },
        { type: "dense", units: 6 },
      ],
      inputRange: { min: [1, 8], max: [1, 1024] },
    },
  });
  assert(report.testAccuracy > 0.5, `accuracy ${report.testAccuracy}`);
  const { desc } = decodeModel(model);
  assertEquals(desc.inputRange, { min: [1, 8], max: [1, 1024] });
  assertEquals(desc.layers.filter((l) => l.type === "add").length, 2);
  assert(!desc.layers.some((l) => (l.type as string) === "batchnorm"), "batchnorm folded");
  const m = await loadModel(model, { backend: "cpu" });
  const y = await m.predict(new Float32Array(300).fill(1), { shape: [1, 300] });
  assertEquals(y.length, 6);
  m.dispose();
});
