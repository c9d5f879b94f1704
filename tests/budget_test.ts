// Compute and memory budgets (runtime/format/budget.ts): small valid files that
// would explode at inference — 1 GiB of activations, tens of GB of im2col
// scratch, 51 G multiply-adds — are refused by loadModel with a RangeError
// naming the layer, before any backend allocates; a 1.9 G-MAC 224×224 model
// is admitted; predict() refuses a batch over maxActivationBytes and says
// what fits; header numbers that do not survive float32 are ModelFormatErrors.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { encodeModel, loadModel, ModelFormatError } from "../mod.ts";
import type { LayerSpec } from "../runtime/format/spec.ts";
import { modelCost } from "../runtime/format/budget.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import { edit } from "./helpers/tcnn_edit.ts";
import { fixtureModelBytes } from "./helpers/fixture_model.ts";

/** A model with zero weights (the file stays small; the shape is what matters). */
function model(inputShape: number[], layers: LayerSpec[]): Uint8Array {
  const resolved = resolveLayers(layers, inputShape);
  const params = resolved.map((l) => {
    if (l.op === "conv") {
      const w = new Float32Array(l.outC * (l.inC / l.groups) * l.kh * l.kw);
      return l.bias ? [w, new Float32Array(l.outC)] : [w];
    }
    if (l.op === "dense") return l.bias ? [new Float32Array(l.inF * l.outF), new Float32Array(l.outF)] : [];
    return [];
  });
  return encodeModel({ inputShape, layers, params }, { dtype: "int8" });
}

const BOMBS: [string, number[], LayerSpec[], RegExp][] = [
  [
    "1 GiB of activations",
    [1, 4096, 4096],
    [{ type: "conv2d", filters: 16, kernel: 1 }],
    /model needs .* for one sample, over the maxActivationBytes limit of 512\.0 MiB; its activations need/,
  ],
  [
    "5.4 GB of im2col scratch",
    [64, 512, 512],
    [{ type: "conv2d", filters: 1, kernel: 9, padding: "same" }],
    /over the maxActivationBytes limit of 512\.0 MiB; layer 0 \(conv2d\) needs 5184\.0 MiB of scratch/,
  ],
  [
    "51 G multiply-adds",
    [16, 1024, 1024],
    [{ type: "conv2d", filters: 64, kernel: 7, padding: "same" }],
    /model needs 5\d{10} multiply-adds per sample, over the maxMacs limit of 4000000000; layer 0 \(conv2d\) alone/,
  ],
];

for (const [what, shape, layers, re] of BOMBS) {
  Deno.test(`budget: a ${what} model file is refused at load, naming the layer`, async () => {
    const bytes = model(shape, layers);
    assert(bytes.length < 300_000, `${bytes.length} B`);
    const t0 = performance.now();
    const e = await assertRejects(() => loadModel(bytes, { backend: "cpu" }), RangeError);
    console.log(`${what}: ${bytes.length} B file refused in ${(performance.now() - t0).toFixed(1)} ms`);
    assert(re.test(e.message), e.message);
  });
}

Deno.test("budget: a 224×224 model of 1.9 G multiply-adds is admitted (ResNet-18 needs 1.8 G)", async () => {
  const bytes = model([3, 224, 224], [
    { type: "conv2d", filters: 64, kernel: 3, padding: "same" },
    { type: "relu" },
    { type: "conv2d", filters: 64, kernel: 3, padding: "same" },
    { type: "globalavgpool" },
    { type: "dense", units: 10 },
  ]);
  const cost = modelCost(resolveLayers(decodeLayers(bytes), [3, 224, 224]));
  assert(cost.macs > 1.8e9 && cost.macs < 4e9, `${cost.macs}`);
  const m = await loadModel(bytes, { backend: "cpu" });
  assertEquals(m.outputShape, [10]);
  m.dispose();
});

function decodeLayers(bytes: Uint8Array): LayerSpec[] {
  let layers: LayerSpec[] = [];
  edit(bytes, (p) => (layers = p.header.layers as unknown as LayerSpec[]));
  return layers;
}

Deno.test("budget: predict() refuses a batch over maxActivationBytes and says what fits; custom limits apply", async () => {
  const bytes = fixtureModelBytes();
  const m = await loadModel(bytes, { backend: "cpu", maxActivationBytes: 1 << 20 });
  const per = m.inputShape.reduce((a, b) => a * b, 1);
  await m.predict(new Float32Array(per), { batch: 1 });
  const e = await assertRejects(() => m.predict(new Float32Array(per * 5000), { batch: 5000 }), RangeError);
  assert(
    /batch 5000 needs .* over the maxActivationBytes limit of .*; use batches of at most \d+/.test(e.message),
    e.message,
  );
  m.dispose();
  await assertRejects(
    () => loadModel(bytes, { backend: "cpu", maxMacs: 10 }),
    RangeError,
    "over the maxMacs limit of 10",
  );
  await assertRejects(
    () => loadModel(bytes, { backend: "cpu", maxMacs: -1 }),
    TypeError,
    "maxMacs must be a positive",
  );
});

Deno.test("header numbers that do not survive float32 are ModelFormatErrors", async () => {
  const good = fixtureModelBytes();
  const withStd = edit(good, (p) => {
    const n = p.header.normalization as { std: number[] };
    n.std[0] = 1e-300; // 0 in float32: a division by zero
  });
  const e = await assertRejects(() => loadModel(withStd, { backend: "cpu" }), ModelFormatError);
  assert(/normalization\.std\[0\] must be a finite number > 0 \(a normal float32/.test(e.message), e.message);
  const big = edit(good, (p) => {
    const n = p.header.normalization as { mean: number[] };
    n.mean[0] = 1e39; // Infinity in float32
  });
  await assertRejects(() => loadModel(big, { backend: "cpu" }), ModelFormatError, "within float32 range");
});
