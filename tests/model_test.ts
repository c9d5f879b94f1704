// The public API end to end: load from bytes and URL, predict/classify/
// summary/dispose on CPU and WebGPU, input validation, and the "auto"
// fallback (no adapter; device destroyed between two predict calls).
import { NO_WEBGPU, wrappedGpu } from "./helpers/webgpu.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { DisposedError, encodeModel, GpuError, loadModel, type ModelDesc, ModelFormatError } from "../mod.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import { paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { uniformFn as rng } from "../train/rng.ts";

function fixture(): ModelDesc {
  const inputShape = [1, 8, 8];
  const layers: ModelDesc["layers"] = [
    { type: "conv2d", filters: 4, kernel: 3, padding: "same" },
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
    { type: "dense", units: 3 },
    { type: "softmax" },
  ];
  const r = rng(7);
  const params = resolveLayers(layers, inputShape).map((l) =>
    paramShapes(l).map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => r() - 0.5))
  );
  return { inputShape, layers, params, labels: ["a", "b", "c"], normalization: { mean: [0.5], std: [0.5] } };
}

const desc = fixture();
const bytes = encodeModel(desc);
const input = (batch: number) => Float32Array.from({ length: batch * 64 }, (_, i) => Math.sin(i) * 0.8);
const reference = (x: Float32Array, batch: number) =>
  new CpuExecutor(resolveLayers(desc.layers, desc.inputShape), desc.params).run(x, batch);

Deno.test("model: cpu backend predicts like the executor, from bytes and from a file URL", async () => {
  const m = await loadModel(bytes, { backend: "cpu" });
  assertEquals(m.backend, "cpu");
  assertEquals(m.inputShape, [1, 8, 8]);
  assertEquals(m.outputShape, [3]);
  assertEquals(await m.predict(input(5), { batch: 5 }), reference(input(5), 5));
  const path = await Deno.makeTempFile({ suffix: ".tcnn" });
  await Deno.writeFile(path, bytes);
  const m2 = await loadModel(new URL(`file://${path}`), { backend: "cpu" });
  assertEquals(await m2.predict(input(1)), reference(input(1), 1));
  await Deno.remove(path);
});

Deno.test("model: classify returns sorted top-k with labels", async () => {
  const m = await loadModel(bytes, { backend: "cpu" });
  const img = { data: Uint8Array.from({ length: 16 * 16 }, (_, i) => (i * 7) & 255), width: 16, height: 16 };
  const top = await m.classify(img, { topK: 2 });
  assertEquals(top.length, 2);
  assert(top[0].probability >= top[1].probability);
  assert(["a", "b", "c"].includes(top[0].label));
  const all = await m.classify(img, { topK: 10 });
  assertEquals(all.length, 3);
  assertAlmostEquals(all.reduce((a, p) => a + p.probability, 0), 1, 1e-5);
});

Deno.test("model: summary lists layers, params and receptive field", async () => {
  const m = await loadModel(bytes, { backend: "cpu" });
  const s = m.summary();
  assertEquals(s.layers.map((l) => l.type), ["conv2d", "relu", "maxpool2d", "dense", "softmax"]);
  assertEquals(s.totalParams, 4 * 9 + 4 + 3 * 64 + 3);
  assertEquals(s.layers[2].receptiveField, [4, 4]);
  assertEquals(s.layers[3].outputShape, [3]);
  assertEquals(s.fileBytes, bytes.length);
});

Deno.test("model: bad inputs are typed errors with expected vs got", async () => {
  const m = await loadModel(bytes, { backend: "cpu" });
  await assertRejects(() => m.predict(new Float32Array(10)), TypeError, "expected batch 1");
  await assertRejects(() => m.predict([1, 2] as unknown as Float32Array), TypeError, "Float32Array");
  await assertRejects(() => m.predict(input(1), { batch: 0 }), TypeError, "positive integer");
  await assertRejects(() => m.predict(input(1), { batch: 1.5 }), TypeError, "positive integer");
  await assertRejects(() => m.predict(new Float32Array(64).fill(NaN)), TypeError, "finite");
  await assertRejects(() => m.predict(new Float32Array(64), { batch: 1e8 }), RangeError, "limit");
  await assertRejects(() => m.classify(new Uint8Array([1, 2, 3])), TypeError, "PNG");
  await assertRejects(
    () => m.classify({ data: new Uint8Array(4), width: 2, height: 2 }, { topK: 0 }),
    TypeError,
  );
  await assertRejects(() => loadModel(bytes.slice(0, 20)), ModelFormatError);
  await assertRejects(() => loadModel(bytes, { backend: "tpu" as "cpu" }), TypeError, "backend");
  await assertRejects(() => loadModel(42 as unknown as Uint8Array), TypeError, "model source");
});

Deno.test("model: a disposed model throws DisposedError", async () => {
  const m = await loadModel(bytes, { backend: "auto" });
  m.dispose();
  m.dispose(); // idempotent
  await assertRejects(() => m.predict(input(1)), DisposedError);
  await assertRejects(() => m.classify(new Uint8Array(8)), DisposedError);
  assertThrows(() => m.summary(), DisposedError);
});

Deno.test("model: auto without an adapter runs on CPU; webgpu without one is a GpuError", async () => {
  const m = await loadModel(bytes, { backend: "auto", gpu: null });
  assertEquals(m.backend, "wasm", "auto's CPU side is the wasm engine where it compiles");
  assertEquals(m.summary().cpuEngine, { name: "wasm" });
  const y = await m.predict(input(2), { batch: 2 }), want = reference(input(2), 2);
  for (let i = 0; i < want.length; i++) assertAlmostEquals(y[i], want[i], 1e-5 * (1 + Math.abs(want[i])));
  const noAdapter = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
  assertEquals((await loadModel(bytes, { gpu: noAdapter })).backend, "wasm");
  await assertRejects(() => loadModel(bytes, { backend: "webgpu", gpu: null }), GpuError, "adapter");
});

Deno.test({
  name: "model: webgpu agrees with cpu; device destroyed between two predicts falls back to CPU",
  ignore: NO_WEBGPU,
  fn: async () => {
    const seen: { device?: GPUDevice } = {};
    const spy = wrappedGpu((d) => (seen.device = d));
    const m = await loadModel(bytes, { backend: "auto", gpu: spy });
    assertEquals(m.backend, "webgpu");
    assert(seen.device, "the model acquired a device through the given GPU");
    const x = input(3);
    const want = reference(x, 3);
    const got = await m.predict(x, { batch: 3 });
    for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-4 * (1 + Math.abs(want[i])));
    seen.device?.destroy();
    const after = await m.predict(x, { batch: 3 });
    assertEquals(m.backend, "wasm");
    for (let i = 0; i < want.length; i++) {
      assertAlmostEquals(after[i], want[i], 1e-5 * (1 + Math.abs(want[i])));
    }
    m.dispose();
  },
});
