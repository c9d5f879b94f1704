// GpuExecutor vs the CPU twin (runtime/cpu/forward.ts) on seeded random
// configurations: for every layer family (conv2d, conv1d, max/avg/l2 pool in
// 2-D and 1-D, globalavgpool, dense, every activation incl. softmax) at least
// 50 configurations with odd sizes, stride > 1, dilation, every padding mode
// (valid / same / full / explicit list / explicit number), groups and
// depthwise, batch 1..3; plus multi-layer networks (fused and unfused),
// growing/shrinking batches and a dispatch large enough to need a 2-D grid.
// Tolerance: |gpu - cpu| <= 1e-4 * (1 + |cpu|) (f32 accumulation on the GPU
// against float64 accumulation on the CPU). Seeds: base seed TEST_SEED
// (default below) + family offset + configuration index, printed on failure.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { type LayerSpec, paramShapes, type ResolvedLayer, resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor, forwardLayer } from "../runtime/cpu/forward.ts";
import { GpuExecutor } from "../runtime/webgpu/executor.ts";
import { planDispatch } from "../runtime/webgpu/kernel.ts";
import { compareClose, randArray, randInt, rng, testDevice } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";

const TOL = 1e-4;
const CONFIGS = 50;
const BASE_SEED = testSeed("gpu_vs_cpu", 91_357);
const device = await testDevice("gpu_vs_cpu");
const ignore = device === null;

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const PADS = ["valid", "same", "full", "list", "number"] as const;

function randomParams(r: () => number, layers: ResolvedLayer[]): Float32Array[][] {
  return layers.map((l) => paramShapes(l).map((s) => randArray(r, prod(s))));
}

/** A network of `specs` on `inShape` with seeded random parameters, and the generator that drew them. */
function seededNet(seed: number, specs: LayerSpec[], inShape: number[]) {
  const r = rng(seed);
  const layers = resolveLayers(specs, inShape);
  return { r, layers, params: randomParams(r, layers) };
}

/** A random layer config of a family for configuration index i (which picks the padding mode / groups kind). */
type Draw = (r: () => number, i: number) => { spec: LayerSpec; inShape: number[]; scale?: number };

function padding2d(r: () => number, i: number): "valid" | "same" | "full" | number | number[] {
  const m = PADS[i % PADS.length];
  if (m === "list") return [randInt(r, 0, 3), randInt(r, 0, 3), randInt(r, 0, 3), randInt(r, 0, 3)];
  if (m === "number") return randInt(r, 0, 3);
  return m;
}

function padding1d(r: () => number, i: number): "valid" | "same" | "full" | number | number[] {
  const m = PADS[i % PADS.length];
  if (m === "list") return [randInt(r, 0, 4), randInt(r, 0, 4)];
  if (m === "number") return randInt(r, 0, 4);
  return m;
}

const conv2d: Draw = (r, i) => {
  const inC = randInt(r, 1, 6);
  const kind = i % 3; // 0 dense conv, 1 grouped, 2 depthwise
  const divisors = [...Array(inC).keys()].map((k) => k + 1).filter((g) => inC % g === 0);
  const groups = kind === 0 ? 1 : kind === 1 ? divisors[randInt(r, 0, divisors.length - 1)] : inC;
  // spans several channel blocks of 4 and of 8 (the conv kernel's two variants)
  const filters = groups * randInt(r, 1, kind === 2 ? 2 : kind === 1 ? 10 : 20);
  return {
    inShape: [inC, randInt(r, 1, 13), randInt(r, 1, 13)],
    spec: {
      type: "conv2d",
      filters,
      groups,
      kernel: [randInt(r, 1, 5), randInt(r, 1, 5)],
      stride: [randInt(r, 1, 3), randInt(r, 1, 3)],
      dilation: r() < 0.35 ? [randInt(r, 1, 3), randInt(r, 1, 3)] : 1,
      padding: padding2d(r, i),
      bias: r() < 0.75,
    },
  };
};

const conv1d: Draw = (r, i) => {
  const inC = randInt(r, 1, 6);
  const divisors = [...Array(inC).keys()].map((k) => k + 1).filter((g) => inC % g === 0);
  const groups = i % 3 === 0 ? 1 : i % 3 === 1 ? divisors[randInt(r, 0, divisors.length - 1)] : inC;
  return {
    inShape: [inC, randInt(r, 1, 40)],
    spec: {
      type: "conv1d",
      filters: groups * randInt(r, 1, i % 3 === 0 ? 10 : 5),
      groups,
      kernel: randInt(r, 1, 7),
      stride: randInt(r, 1, 4),
      dilation: r() < 0.35 ? randInt(r, 1, 4) : 1,
      padding: padding1d(r, i),
      bias: r() < 0.75,
    },
  };
};

const pool2d = (mode: "max" | "avg" | "l2"): Draw => (r, i) => ({
  inShape: [randInt(r, 1, 4), randInt(r, 1, 13), randInt(r, 1, 13)],
  spec: {
    type: `${mode}pool2d`,
    size: [randInt(r, 1, 4), randInt(r, 1, 4)],
    stride: r() < 0.3 ? undefined : [randInt(r, 1, 3), randInt(r, 1, 3)],
    padding: padding2d(r, i),
  },
});

const pool1d = (mode: "max" | "avg" | "l2"): Draw => (r, i) => ({
  inShape: [randInt(r, 1, 4), randInt(r, 1, 40)],
  spec: {
    type: `${mode}pool1d`,
    size: randInt(r, 1, 5),
    stride: r() < 0.3 ? undefined : randInt(r, 1, 4),
    padding: padding1d(r, i),
  },
});

function randShape(r: () => number, i: number): number[] {
  const dims = (i % 3) + 1;
  if (dims === 1) return [randInt(r, 1, 300)];
  if (dims === 2) return [randInt(r, 1, 12), randInt(r, 1, 30)];
  return [randInt(r, 1, 8), randInt(r, 1, 9), randInt(r, 1, 9)];
}

const globalavg: Draw = (r, i) => ({
  inShape: i % 2
    ? [randInt(r, 1, 10), randInt(r, 1, 50)]
    : [randInt(r, 1, 8), randInt(r, 1, 11), randInt(r, 1, 11)],
  spec: { type: "globalavgpool" },
});

const dense: Draw = (r, i) => ({
  inShape: randShape(r, i),
  spec: { type: "dense", units: randInt(r, 1, 40), bias: r() < 0.75 },
});

const act = (type: string): Draw => (r, i) => ({
  inShape: randShape(r, i),
  scale: i % 4 === 0 ? 60 : 4, // large values exercise saturation / exp overflow guards
  spec: type === "leakyrelu" || type === "elu"
    ? { type, alpha: i % 5 === 0 ? undefined : Math.round((r() * 2 - 0.5) * 1000) / 1000 }
    : type === "clip"
    ? { type, ...(i % 3 === 0 ? {} : { min: -r() * 2, max: r() * 3 }) }
    : { type } as LayerSpec,
});

const upsample = (dims: 1 | 2): Draw => (r, i) => ({
  inShape: dims === 2
    ? [randInt(r, 1, 4), randInt(r, 1, 9), randInt(r, 1, 9)]
    : [randInt(r, 1, 4), randInt(r, 1, 30)],
  spec: dims === 2
    ? {
      type: "upsample2d",
      scale: [randInt(r, 1, 4), randInt(r, 1, 4)],
      mode: i % 2 ? "nearest" : "bilinear",
    }
    : { type: "upsample1d", scale: randInt(r, 1, 5), mode: i % 2 ? "nearest" : "linear" },
});

const convT = (dims: 1 | 2): Draw => (r) => {
  const groups = randInt(r, 1, 2), s = randInt(r, 1, 3), d = randInt(r, 1, 2);
  const common = {
    filters: groups * randInt(r, 1, 5),
    groups,
    outputPadding: randInt(r, 0, Math.max(s, d) - 1),
  };
  return dims === 2
    ? {
      inShape: [groups * randInt(r, 1, 4), randInt(r, 1, 7), randInt(r, 1, 7)],
      spec: {
        type: "conv2dtranspose",
        ...common,
        kernel: [randInt(r, 1, 4), randInt(r, 1, 3)],
        stride: s,
        dilation: d,
        padding: randInt(r, 0, 1),
      },
    }
    : {
      inShape: [groups * randInt(r, 1, 4), randInt(r, 1, 20)],
      spec: {
        type: "conv1dtranspose",
        ...common,
        kernel: randInt(r, 1, 5),
        stride: s,
        dilation: d,
        padding: randInt(r, 0, 1),
      },
    };
};

const ACTS = "relu leakyrelu elu sigmoid tanh softmax relu6 clip hardswish identity".split(" ");

const FAMILIES: [string, Draw][] = [
  ["conv2dtranspose", convT(2)],
  ["conv1dtranspose", convT(1)],
  ["upsample2d", upsample(2)],
  ["upsample1d", upsample(1)],
  ["conv2d", conv2d],
  ["conv1d", conv1d],
  ...(["max", "avg", "l2"] as const).flatMap((m): [string, Draw][] => [
    [`${m}pool2d`, pool2d(m)],
    [`${m}pool1d`, pool1d(m)],
  ]),
  ["globalavgpool", globalavg],
  ["dense", dense],
  ...ACTS.map((a): [string, Draw] => [a, act(a)]),
];

/** One configuration: redraw until the window fits, then compare GPU with CPU. Returns an error message or null. */
async function checkOne(family: string, draw: Draw, seed: number, i: number): Promise<string | null> {
  const r = rng(seed);
  let layers: ResolvedLayer[] | null = null;
  let d = draw(r, i);
  for (let tries = 0; tries < 100 && !layers; tries++) {
    if (tries > 0) d = draw(r, i);
    try {
      layers = resolveLayers([d.spec], d.inShape);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  if (!layers) return `seed ${seed}: no fitting ${family} configuration drawn`;
  const params = randomParams(r, layers);
  const batch = randInt(r, 1, 3);
  const x = randArray(r, batch * prod(d.inShape), d.scale ?? 1);
  const want = forwardLayer(layers[0], params[0], x, batch);
  const exec = await GpuExecutor.create(device!, layers, params);
  try {
    const got = await exec.run(x, batch);
    const bad = compareClose(got, want, TOL);
    return bad &&
      `${family} seed ${seed} (spec ${JSON.stringify(d.spec)}, input (${d.inShape}), batch ${batch}): ${bad}`;
  } finally {
    exec.destroy();
  }
}

for (const [fi, [family, draw]] of FAMILIES.entries()) {
  Deno.test({
    name: `gpu vs cpu: ${family} × ${CONFIGS} seeded configurations`,
    ignore,
    async fn() {
      const seed0 = BASE_SEED + 1000 * fi;
      const seeds = Array.from({ length: CONFIGS }, (_, i) => seed0 + i);
      // configurations run concurrently: their submits and readbacks overlap
      const errors = (await Promise.all(seeds.map((s, i) => checkOne(family, draw, s, i)))).filter((e) => e);
      if (errors.length) {
        throw new Error(
          `${errors.length}/${CONFIGS} ${family} configurations differ (seeds ${seed0}..${
            seed0 + CONFIGS - 1
          }):\n` +
            errors.slice(0, 5).join("\n"),
        );
      }
    },
  });
}

const LENET: LayerSpec[] = [
  { type: "conv2d", filters: 6, kernel: 5, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", size: 2 },
  { type: "conv2d", filters: 16, kernel: 5 },
  { type: "tanh" },
  { type: "avgpool2d", size: 2 },
  { type: "flatten" },
  { type: "dense", units: 32 },
  { type: "elu", alpha: 0.7 },
  { type: "dense", units: 10 },
  { type: "softmax" },
];

const MIXED: LayerSpec[] = [
  { type: "conv2d", filters: 6, kernel: 3, stride: 2, padding: "same", groups: 3 },
  { type: "leakyrelu", alpha: 0.1 },
  { type: "conv2d", filters: 6, kernel: 3, dilation: 2, padding: "full", groups: 6, bias: false },
  { type: "sigmoid" },
  { type: "l2pool2d", size: 3, stride: 2, padding: [1, 0, 0, 1] },
  { type: "softmax" },
  { type: "globalavgpool" },
  { type: "dense", units: 5, bias: false },
  { type: "relu" },
];

const ONE_D: LayerSpec[] = [
  { type: "conv1d", filters: 8, kernel: 5, padding: "same" },
  { type: "relu" },
  { type: "maxpool1d", size: 3, stride: 2, padding: 1 },
  { type: "conv1d", filters: 8, kernel: 3, groups: 8, dilation: 2 },
  { type: "tanh" },
  { type: "avgpool1d", size: 2 },
  { type: "flatten" },
  { type: "dense", units: 4 },
  { type: "sigmoid" },
];

// MobileNet-style (relu6 / hardswish fused into depthwise and pointwise convs, clip into dense) and a
// WaveNet-style stack of dilated causal conv1d layers
const MOBILE: LayerSpec[] = [
  { type: "conv2d", filters: 8, kernel: 3, stride: 2, padding: "same" },
  { type: "relu6" },
  { type: "conv2d", filters: 8, kernel: 3, padding: "same", groups: 8 },
  { type: "hardswish" },
  { type: "conv2d", filters: 12, kernel: 1 },
  { type: "identity" },
  { type: "globalavgpool" },
  { type: "dense", units: 6 },
  { type: "clip", min: -0.25, max: 0.5 },
];
const ENC_DEC: LayerSpec[] = [
  { type: "conv2d", filters: 6, kernel: 3, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", size: 2 },
  { type: "conv2d", filters: 8, kernel: 3, padding: "same" },
  { type: "conv2dtranspose", filters: 8, kernel: 2, stride: 2 }, // back up: 8 × (16, 12)
  { type: "relu" },
  { type: "maxpool2d", size: 2 },
  { type: "upsample2d", scale: 2, mode: "bilinear" },
  { type: "conv2d", filters: 3, kernel: 3, padding: "same" },
  { type: "upsample2d", scale: [1, 2] },
  { type: "softmax" },
];
const WAVENET: LayerSpec[] = [1, 2, 4, 8].flatMap((d): LayerSpec[] => [
  { type: "conv1d", filters: 6, kernel: 2, dilation: d, padding: "causal" },
  { type: "tanh" },
]);

for (
  const [name, specs, inShape] of [
    ["MobileNet-style relu6 / hardswish / clip", MOBILE, [3, 19, 17]],
    ["WaveNet-style causal dilated 1-D stack", WAVENET, [2, 50]],
    ["encoder-decoder: pool down, upsample back", ENC_DEC, [2, 16, 12]],
    ["lenet-like 2-D", LENET, [1, 28, 28]],
    ["mixed groups/dilation/l2/softmax", MIXED, [3, 17, 15]],
    ["1-D", ONE_D, [2, 61]],
  ] as [string, LayerSpec[], number[]][]
) {
  Deno.test({
    name: `gpu vs cpu: ${name} network, fused and unfused, batches 3 → 7 → 1`,
    ignore,
    async fn() {
      const seed = BASE_SEED + 77;
      const { r, layers, params } = seededNet(seed, specs, inShape);
      const cpu = new CpuExecutor(layers, params);
      for (const fuse of [true, false]) {
        const exec = await GpuExecutor.create(device!, layers, params, { fuse });
        try {
          for (const batch of [3, 7, 1]) {
            const x = randArray(r, batch * prod(inShape), 2);
            const bad = compareClose(await exec.run(x, batch), cpu.run(x, batch), TOL);
            assert(bad === null, `${name} seed ${seed} fuse ${fuse} batch ${batch}: ${bad}`);
          }
        } finally {
          exec.destroy();
        }
      }
    },
  });
}

Deno.test({
  name: "gpu vs cpu: a batch above maxBatch runs in chunks with the same answer",
  ignore,
  async fn() {
    const { r, layers, params } = seededNet(BASE_SEED + 6, MIXED, [3, 17, 15]);
    const exec = await GpuExecutor.create(device!, layers, params, { maxBatch: 3 });
    try {
      assertEquals(exec.maxChunk, 3);
      const x = randArray(r, 8 * 3 * 17 * 15);
      const bad = compareClose(await exec.run(x, 8), new CpuExecutor(layers, params).run(x, 8), TOL);
      assert(bad === null, bad ?? "");
    } finally {
      exec.destroy();
    }
    await assertRejects(
      () => GpuExecutor.create(device!, layers, params, { maxBatch: 0 }),
      TypeError,
      "maxBatch",
    );
  },
});

Deno.test({
  name: "gpu vs cpu: concurrent runs on one executor give each caller its own answer",
  ignore,
  async fn() {
    const { r, layers, params } = seededNet(BASE_SEED + 5, LENET, [1, 28, 28]);
    const cpu = new CpuExecutor(layers, params);
    const exec = await GpuExecutor.create(device!, layers, params);
    try {
      const xs = [2, 5, 1, 4].map((b) => ({ b, x: randArray(r, b * 784) }));
      const ys = await Promise.all(xs.map(({ b, x }) => exec.run(x, b)));
      ys.forEach((y, k) => {
        const bad = compareClose(y, cpu.run(xs[k].x, xs[k].b), TOL);
        assert(bad === null, `run ${k}: ${bad}`);
      });
    } finally {
      exec.destroy();
    }
  },
});

Deno.test({
  name: "gpu vs cpu: a dispatch over 65535 workgroups folds into a 2-D grid",
  ignore,
  async fn() {
    const r = rng(BASE_SEED + 9);
    // 2 × 3 × 800 × 900 = 4.32M elements > 65535 × 64 threads in one dimension
    const layers = resolveLayers([{ type: "leakyrelu", alpha: 0.25 }, { type: "avgpool2d", size: 1 }], [
      3,
      800,
      900,
    ]);
    const d = planDispatch(2 * 3 * 800 * 900, device!.limits);
    assert(d.groups[1] > 1, `expected a 2-D dispatch, got ${d.groups}`);
    const x = randArray(r, 2 * 3 * 800 * 900);
    const exec = await GpuExecutor.create(device!, layers, [[], []]);
    try {
      const bad = compareClose(await exec.run(x, 2), new CpuExecutor(layers, [[], []]).run(x, 2), TOL);
      assert(bad === null, bad ?? "");
    } finally {
      exec.destroy();
    }
  },
});

Deno.test({
  name: "gpu executor: bad inputs are TypeErrors, use after destroy is rejected",
  ignore,
  async fn() {
    const layers = resolveLayers([{ type: "dense", units: 3 }], [4]);
    await assertRejects(
      () => GpuExecutor.create(device!, layers, [[new Float32Array(5), new Float32Array(3)]]),
      TypeError,
      "parameter 0 has 5 values",
    );
    const exec = await GpuExecutor.create(device!, layers, [[new Float32Array(12), new Float32Array(3)]]);
    await assertRejects(() => exec.run(new Float32Array(7), 2), TypeError, "expected batch 2");
    await assertRejects(() => exec.run(new Float32Array(4), 0), TypeError, "batch");
    assertEquals(exec.lost, false);
    exec.destroy();
    assertEquals(exec.lost, true);
    await assertRejects(() => exec.run(new Float32Array(4), 1), Error, "disposed");
  },
});

Deno.test({
  name:
    "gpu executor: a model whose activation exceeds the storage buffer limit is a RangeError before allocation",
  ignore,
  async fn() {
    const side = Math.ceil(Math.sqrt(device!.limits.maxStorageBufferBindingSize / 4)) + 1;
    const layers = resolveLayers([{ type: "relu" }], [1, side, side]);
    await assertRejects(() => GpuExecutor.create(device!, layers, [[]]), RangeError, "storage buffer limit");
  },
});

Deno.test("planDispatch: 1-D when it fits, 2-D fold beyond the limit, RangeError beyond the square", () => {
  assertEquals(planDispatch(100, { maxComputeWorkgroupsPerDimension: 65535 }).groups, [2, 1, 1]);
  assertEquals(planDispatch(0, { maxComputeWorkgroupsPerDimension: 65535 }).groups, [1, 1, 1]);
  const d = planDispatch(64 * 25, { maxComputeWorkgroupsPerDimension: 8 });
  assert(d.groups[0] <= 8 && d.groups[1] <= 8 && d.groups[0] * d.groups[1] >= 25, `${d.groups}`);
  assertEquals(d.row, d.groups[0] * 64);
  let threw = false;
  try {
    planDispatch(64 * 65, { maxComputeWorkgroupsPerDimension: 8 });
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw, "expected RangeError for 65 workgroups with an 8×8 limit");
});
