// The wasm engine through the public API: backend "wasm" runs a graph of every
// op family (convs with stride, dilation, groups and depthwise, transposed
// conv, pools, add/concat joins, upsample, dense, softmax) like the
// TypeScript kernels within the f32 tolerance, at growing and shrinking
// batches; the kernels come from the package file, a WebAssembly.Module,
// bytes or a URL; bad kernels are a WasmError for "wasm" and a TypeScript
// fallback that says why for "auto"; dispose() frees the arena. The per-op
// kernels are checked against the float64 reference on random shapes by every
// op family's test (tests/ops/check_layer.ts).

import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { encodeModel, type LayerSpec, loadModel, WasmError } from "../mod.ts";
import { paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { rng } from "./helpers/fixture_model.ts";
import { WasmExecutor } from "../runtime/wasm/executor.ts";
import { compileKernels, MAX_WASM_BYTES } from "../runtime/wasm/engine.ts";

const WASM_FILE = new URL("../runtime/wasm/tinycnn.wasm", import.meta.url);

const layers: LayerSpec[] = [
  { type: "conv2d", filters: 12, kernel: 3, padding: "same", name: "stem" },
  { type: "relu" },
  { type: "conv2d", filters: 12, kernel: 3, stride: 2, padding: 1, groups: 12 }, // depthwise, stride 2
  { type: "conv2d", filters: 16, kernel: 1, name: "pw" }, // 1×1: the gemm reads x in place
  { type: "conv2d", filters: 16, kernel: [3, 5], dilation: 2, padding: "same", groups: 4 },
  { type: "add", inputs: ["pw", 4] },
  { type: "relu" },
  { type: "maxpool2d", size: 2 },
  { type: "conv2dtranspose", filters: 6, kernel: 3, stride: 2, padding: 1, outputPadding: 1, name: "up" },
  { type: "upsample2d", scale: 2, inputs: [7] },
  { type: "concat", inputs: ["up", 9] },
  { type: "avgpool2d", size: 3, stride: 2 },
  { type: "dense", units: 7 },
  { type: "relu" },
  { type: "dense", units: 5 },
  { type: "softmax" },
];

function graphBytes(seed = 7): Uint8Array {
  const inputShape = [3, 15, 13];
  const rand = rng(seed);
  const params = resolveLayers(layers, inputShape).map((l) =>
    paramShapes(l).map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rand() - 0.5))
  );
  return encodeModel({ inputShape, layers, params });
}

const input = (n: number) => Float32Array.from({ length: n * 3 * 15 * 13 }, (_, i) => Math.sin(i * 0.37));

function near(got: Float32Array, want: Float32Array, what: string): void {
  assertEquals(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assertAlmostEquals(got[i], want[i], 1e-5 * (1 + Math.abs(want[i])), what);
  }
}

Deno.test("wasm: a graph of every op family answers like the TypeScript kernels at batches 1, 5, 2", async () => {
  const bytes = graphBytes();
  const ts = await loadModel(bytes, { backend: "cpu" });
  const wasm = await loadModel(bytes, { backend: "wasm" });
  try {
    assertEquals(wasm.backend, "wasm");
    assertEquals(wasm.summary().cpuEngine, { name: "wasm" });
    assertEquals(ts.summary().cpuEngine, { name: "cpu" });
    for (const n of [1, 5, 2]) {
      near(
        await wasm.predict(input(n), { batch: n }),
        await ts.predict(input(n), { batch: n }),
        `batch ${n}`,
      );
    }
  } finally {
    ts.dispose();
    wasm.dispose();
  }
});

Deno.test("wasm: the kernels from a WebAssembly.Module, bytes or a URL; bad ones are a WasmError or a fallback", async () => {
  const bytes = graphBytes(), file = await Deno.readFile(WASM_FILE);
  const want = await (await loadModel(bytes, { backend: "cpu" })).predict(input(1));
  for (const src of [await WebAssembly.compile(file), file, file.buffer, WASM_FILE, WASM_FILE.href]) {
    const m = await loadModel(bytes, { backend: "wasm", wasm: src });
    near(await m.predict(input(1)), want, `wasm from ${Object.prototype.toString.call(src)}`);
    m.dispose();
  }
  const junk = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]);
  const e = await assertRejects(() => loadModel(bytes, { backend: "wasm", wasm: junk }), WasmError);
  assert(/compiling the wasm kernels failed/.test(e.message), e.message);
  await assertRejects(
    () => loadModel(bytes, { backend: "wasm", wasm: new URL("file:///nonexistent/tinycnn.wasm") }),
    WasmError,
    "nonexistent",
  );
  // a URL is read like a model file, never more than MAX_WASM_BYTES
  const huge = await Deno.makeTempFile({ suffix: ".wasm" });
  await Deno.writeFile(huge, new Uint8Array(MAX_WASM_BYTES + 1));
  try {
    const big = await assertRejects(
      () => loadModel(bytes, { backend: "wasm", wasm: new URL(`file://${huge}`) }),
      WasmError,
    );
    assert(
      new RegExp(`${MAX_WASM_BYTES + 1} bytes, over the MAX_WASM_BYTES limit`).test(big.message),
      big.message,
    );
  } finally {
    await Deno.remove(huge);
  }
  // a valid module that is not ours
  const empty = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
  await assertRejects(() => loadModel(bytes, { backend: "wasm", wasm: empty }), WasmError, "lacks memory");
  // auto never throws for the kernels: it runs the TypeScript ones and says why
  const auto = await loadModel(bytes, { backend: "auto", gpu: null, wasm: junk });
  assertEquals(auto.backend, "cpu");
  assert(
    /compiling the wasm kernels failed/.test(auto.summary().cpuEngine.why ?? ""),
    auto.summary().cpuEngine.why,
  );
  assertEquals(await auto.predict(input(1)), want);
  auto.dispose();
  // a wrong type is the caller's error, for every backend
  await assertRejects(
    () => loadModel(bytes, { wasm: 42 as unknown as Uint8Array }),
    TypeError,
    "wasm must be a WebAssembly.Module",
  );
});

Deno.test("wasm: the arena holds parameters + the batch's slots and scratch; dispose() frees it", async () => {
  const bytes = graphBytes();
  const { desc } = (await import("../runtime/format/decode.ts")).decodeModel(bytes);
  const resolved = resolveLayers(desc.layers, desc.inputShape);
  const exec = new WasmExecutor(await compileKernels(), resolved, desc.params);
  assertEquals(
    exec.wasmLayers.map((w, i) => (w ? resolved[i].op : null)).filter(Boolean),
    ["conv", "conv", "conv", "conv", "pool", "pool", "dense", "dense"],
    "conv, pool and dense run wasm kernels, the other ops their TypeScript ones in the same memory",
  );
  const at1 = exec.heldBytes;
  const y1 = exec.run(input(1), 1);
  const big = exec.run(input(64), 64);
  assert(exec.heldBytes > at1, `the arena grows for batch 64: ${at1} → ${exec.heldBytes}`);
  assertEquals(big.subarray(0, 5), y1, "sample 0 of a batch answers like batch 1");
  exec.dispose();
  assertEquals(exec.heldBytes, 0);
  assertEquals(exec.run(input(1), 1), y1, "a run after dispose() instantiates again");
  exec.dispose();
});
