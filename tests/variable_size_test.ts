// Variable input sizes (format 1.1 inputRange): a fully convolutional model
// runs at three sizes on the CPU and on WebGPU exactly as the layers resolved
// at that size do; the range survives encode/decode; sizes outside it, other
// channels, fixed-size models and size-dependent weights are typed errors;
// the budget applies per size; classify runs an image at its own size and a
// series at its own length.

import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { decodeModel, encodeModel, loadModel, type ModelDesc, ModelFormatError } from "../mod.ts";
import { type LayerSpec, resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import { imageToInput } from "../runtime/input/image.ts";
import { initParams } from "../train/init.ts";
import { DataRng } from "../train/data/prng.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";
import { zeroPng } from "./helpers/attack_payloads.ts";

const SEED = testSeed("variable_size", 5);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

const LAYERS: LayerSpec[] = [
  { type: "conv2d", filters: 4, kernel: 3, padding: "same", name: "stem" },
  { type: "relu" },
  { type: "conv2d", filters: 4, kernel: 3, padding: "same" },
  { type: "add", inputs: ["stem", 2] },
  { type: "conv2d", filters: 6, kernel: 3, stride: 2 },
  { type: "relu" },
  { type: "globalavgpool" },
  { type: "dense", units: 3 },
  { type: "softmax" },
];

function model(): ModelDesc {
  const rng = new DataRng(SEED);
  const r = resolveLayers(LAYERS, [1, 12, 12]);
  return {
    inputShape: [1, 12, 12],
    inputRange: { min: [1, 5, 5], max: [1, 64, 64] },
    layers: LAYERS,
    params: initParams(r, SEED).map((ts) => ts.map((t) => t.map(() => rng.next() - 0.5))),
    labels: ["a", "b", "c"],
  };
}

function reference(desc: ModelDesc, shape: number[], x: Float32Array, n: number) {
  return new CpuExecutor(resolveLayers(desc.layers, shape), desc.params).run(x, n);
}

function close(got: Float32Array, want: Float32Array, tol: number, what: string) {
  assertEquals(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    assert(
      Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])),
      `${what}[${i}]: ${got[i]} vs ${want[i]}`,
    );
  }
}

Deno.test("variable size: the range round-trips (file 1.1) and three sizes run on the CPU as resolved at each size", async () => {
  const desc = model();
  const bytes = encodeModel(desc);
  assertEquals(new DataView(bytes.buffer).getUint16(6, true), 1);
  assertEquals(decodeModel(bytes).desc.inputRange, desc.inputRange);
  const m = await loadModel(bytes, { backend: "cpu" });
  assertEquals(m.summary().inputRange, desc.inputRange);
  const rng = new DataRng(SEED + 1);
  for (const [shape, n] of [[[1, 5, 5], 1], [[1, 12, 12], 2], [[1, 37, 20], 3]] as [number[], number][]) {
    const x = new Float32Array(n * prod(shape)).map(() => rng.next());
    const got = await m.predict(x, { batch: n, shape });
    assertEquals(got, reference(desc, shape, x, n), `cpu at ${shape}`);
  }
  m.dispose();
});

Deno.test({
  name: "variable size: three sizes on WebGPU equal the CPU at each size (and a 9th size evicts the first)",
  ignore: NO_WEBGPU,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const desc = model();
    const m = await loadModel(encodeModel(desc), { backend: "webgpu" });
    const rng = new DataRng(SEED + 2);
    for (const [shape, n] of [[[1, 5, 5], 1], [[1, 12, 12], 2], [[1, 37, 20], 3]] as [number[], number][]) {
      const x = new Float32Array(n * prod(shape)).map(() => rng.next());
      close(
        await m.predict(x, { batch: n, shape }),
        reference(desc, shape, x, n),
        1e-4,
        `webgpu at ${shape}`,
      );
      assertEquals(m.backend, "webgpu");
    }
    for (let s = 6; s < 16; s++) {
      const x = new Float32Array(s * s).map(() => rng.next());
      close(
        await m.predict(x, { shape: [1, s, s] }),
        reference(desc, [1, s, s], x, 1),
        1e-4,
        `webgpu at ${s}`,
      );
    }
    m.dispose();
  },
});

Deno.test("variable size: typed errors — outside the range, other channels, fixed models, size-dependent weights, budget", async () => {
  const desc = model();
  const m = await loadModel(encodeModel(desc), { backend: "cpu" });
  await assertRejects(
    () => m.predict(new Float32Array(16), { shape: [1, 4, 4] }),
    RangeError,
    "must be in [5, 64]",
  );
  await assertRejects(
    () => m.predict(new Float32Array(65 * 5), { shape: [1, 65, 5] }),
    RangeError,
    "inputRange",
  );
  await assertRejects(
    () => m.predict(new Float32Array(50), { shape: [2, 5, 5] }),
    TypeError,
    "rank and channels",
  );
  await assertRejects(
    () => m.predict(new Float32Array(24), { shape: [1, 5, 5] }),
    TypeError,
    "expected batch 1 × (1×5×5)",
  );
  // the budget is checked at the size asked for
  const small = await loadModel(encodeModel(desc), { backend: "cpu", maxMacs: 40_000 });
  await small.predict(new Float32Array(25), { shape: [1, 5, 5] });
  await assertRejects(
    () => small.predict(new Float32Array(64 * 64), { shape: [1, 64, 64] }),
    RangeError,
    "maxMacs",
  );
  // a fixed-size model takes only its own shape
  const { inputRange: _, ...fixed } = desc;
  const f = await loadModel(encodeModel(fixed), { backend: "cpu" });
  await assertRejects(
    () => f.predict(new Float32Array(25), { shape: [1, 5, 5] }),
    TypeError,
    "has no inputRange",
  );
  assertEquals((await f.predict(new Float32Array(144), { shape: [1, 12, 12] })).length, 3);
  // weights that depend on the size cannot have a range
  const dense: ModelDesc = {
    inputShape: [1, 4, 4],
    inputRange: { min: [1, 4, 4], max: [1, 8, 8] },
    layers: [{ type: "flatten" }, { type: "dense", units: 2 }],
    params: [[], [new Float32Array(32), new Float32Array(2)]],
  };
  assertThrows(() => encodeModel(dense), ModelFormatError, "depend on the input size");
  assertThrows(
    () => encodeModel({ ...desc, inputRange: { min: [1, 13, 5], max: [1, 64, 64] } }),
    ModelFormatError,
    "min ≤ 12 ≤ max",
  );
  assertThrows(
    () => encodeModel({ ...desc, inputRange: { min: [1, 2, 2], max: [1, 64, 64] } }),
    ModelFormatError,
    "does not fit the layers",
  );
  m.dispose();
  small.dispose();
  f.dispose();
});

Deno.test("variable size: classify runs an image at its own size (clamped to the range), a series at its own length", async () => {
  const desc = model();
  const m = await loadModel(encodeModel(desc), { backend: "cpu" });
  const rng = new DataRng(SEED + 3);
  for (const [w, h, run] of [[20, 9, [1, 9, 20]], [100, 3, [1, 5, 64]]] as [number, number, number[]][]) {
    const img = {
      data: new Uint8Array(w * h).map(() => rng.int(256)),
      width: w,
      height: h,
      channels: 1 as const,
    };
    const top = await m.classify(img, { topK: 3 });
    const want = await m.predict(await imageToInput(img, run), { shape: run });
    for (const p of top) assertEquals(p.probability, want[p.index], `image ${w}×${h} runs at ${run}`);
  }
  // a 1-D fully convolutional model: each series at its own length
  const series: ModelDesc = {
    inputShape: [2, 16],
    inputRange: { min: [2, 3], max: [2, 4096] },
    layers: [{ type: "conv1d", filters: 3, kernel: 3, padding: "causal" }, { type: "globalavgpool" }, {
      type: "dense",
      units: 2,
    }],
    params: [[new Float32Array(18).fill(0.1), new Float32Array(3)], [], [
      Float32Array.of(1, -1, 0.5, 2, 0, 1),
      new Float32Array(2),
    ]],
  };
  const s = await loadModel(encodeModel(series), { backend: "cpu" });
  const x = Array.from({ length: 2 * 40 }, (_, i) => Math.sin(i));
  const top = await s.classify(x, { topK: 2 });
  const y = await s.predict(Float32Array.from(x), { shape: [2, 40] });
  const e = [...y].map((v) => Math.exp(v - Math.max(...y)));
  assert(Math.abs(top[0].probability - Math.max(...e) / (e[0] + e[1])) < 1e-6);
  m.dispose();
  s.dispose();
});

Deno.test("variable size: a size inside inputRange that a layer cannot take is a RangeError naming the size and the layer", async () => {
  // a U-Net-style skip: pool by 2, upsample by 2, add to the pre-pool map — even sides only
  const desc: ModelDesc = {
    inputShape: [1, 28, 28],
    inputRange: { min: [1, 16, 16], max: [1, 32, 32] },
    layers: [
      { type: "conv2d", filters: 2, kernel: 3, padding: 1, name: "a" },
      { type: "maxpool2d", size: 2 },
      { type: "upsample2d", scale: 2 },
      { type: "add", inputs: ["a", 2] },
      { type: "globalavgpool" },
    ],
    params: [[new Float32Array(18).fill(0.1), new Float32Array(2)], [], [], [], []],
  };
  const m = await loadModel(encodeModel(desc), { backend: "cpu" });
  assertEquals((await m.predict(new Float32Array(26 * 26), { shape: [1, 26, 26] })).length, 2);
  const e = await assertRejects(
    () => m.predict(new Float32Array(27 * 27), { shape: [1, 27, 27] }),
    RangeError,
  );
  assert(
    /input size \(1,27,27\) is inside the model's inputRange, but its layers cannot take it: .*layer 3/.test(
      e.message,
    ),
    e.message,
  );
  m.dispose();
});

Deno.test("variable size: a PNG the budget cannot take is refused from its header, before any decoding", async () => {
  const desc: ModelDesc = {
    inputShape: [1, 28, 28],
    inputRange: { min: [1, 8, 8], max: [1, 4096, 4096] },
    layers: [{ type: "conv2d", filters: 8, kernel: 3, padding: "same" }, { type: "globalavgpool" }],
    params: [[new Float32Array(72).fill(0.1), new Float32Array(8)], []],
  };
  // 8 channels at 4096² are 512 MiB of activations; the budget allows 64 MiB
  const m = await loadModel(encodeModel(desc), { backend: "cpu", maxActivationBytes: 64 * 2 ** 20 });
  // a 4096² header over image data that is not zlib at all: decoding would fail with a TypeError
  const png = await zeroPng(4096, 4096, 1);
  const idat = png.findIndex((_, i) =>
    png[i] === 73 && png[i + 1] === 68 && png[i + 2] === 65 && png[i + 3] === 84
  );
  png.fill(0xff, idat + 4, idat + 12);
  const e = await assertRejects(() => m.classify(png), RangeError);
  assert(/maxActivationBytes/.test(e.message), e.message);
  // at a size the budget allows the same header is decoded, and the broken data is what gets refused
  const small = await zeroPng(64, 64, 1);
  const at = small.findIndex((_, i) => small[i] === 73 && small[i + 1] === 68 && small[i + 2] === 65);
  small.fill(0xff, at + 4, at + 12);
  await assertRejects(() => m.classify(small), TypeError, "PNG");
  m.dispose();
});
