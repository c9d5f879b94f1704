// `deno task convert`: the committed PyTorch ONNX fixtures (a residual net, a
// MobileNet-style block with its BatchNormalization nodes, a 1-D dilated net
// (opset 11), an encoder–decoder with ConvTranspose + Resize + Concat, an
// Inception-style concat, a MobileNetV3-style squeeze-excitation block; made by tests/fixtures/onnx/make_fixtures.py)
// and the op-family nets (asymmetric pads of every mode, batchnorm epsilon,
// PReLU + log_softmax, the unary family, scalar/per-channel arithmetic, LRN +
// channel shuffle, 1-D pads; tests/fixtures/onnx-families/make_families.py)
// convert and match PyTorch's outputs within 1e-4 relative on the CPU, wasm and
// WebGPU; ours → ONNX → ours is exact and ours → ONNX → onnxruntime-node
// agrees with ours; every refusal names the node, its op type and what is
// unsupported, and the CLI then writes nothing.

import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { decodeModel, encodeModel, loadModel, type ModelDesc } from "../mod.ts";
import { onnxBytesToModel, UnsupportedOnnxError } from "../train/convert/from_onnx.ts";
import { modelToOnnx } from "../train/convert/to_onnx.ts";
import { onnx } from "../train/convert/onnx_proto.ts";
import { fl, ints, str, tiny } from "./helpers/onnx_build.ts";
import { convert } from "../train/convert/main.ts";
import { checkAgainstOrt, ConversionMismatchError } from "../train/convert/check_ort.ts";
import { scaleError } from "../train/convert/scale_error.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";
import { missingPart } from "./helpers/system.ts";
import { type OrtCase, runOrt } from "./helpers/ort.ts";
import { ACTIVATIONS } from "../runtime/ops/activation/table.ts";
import { ACT_TEST_PARAMS, ACT_TEST_POSITIVE } from "./helpers/activation_params.ts";
import { resolveLayers } from "../runtime/format/spec.ts";

const DIR = new URL("./fixtures/onnx/", import.meta.url);
/** The op-family nets (tests/fixtures/onnx-families/make_families.py). */
const FAMILIES = new URL("./fixtures/onnx-families/", import.meta.url);
type Index = Record<string, { input: number[]; output: number[]; opset: number }>;
const readIndex = async (dir: URL): Promise<Index> =>
  JSON.parse(await Deno.readTextFile(new URL("index.json", dir)));
const INDEX: Index = await readIndex(DIR);
const FAMILY_INDEX: Index = await readIndex(FAMILIES);
const f32 = async (name: string, dir = DIR) =>
  new Float32Array((await Deno.readFile(new URL(name, dir))).buffer);

/** max |got − want| / max |want| (train/convert/scale_error.ts), after the lengths agree. */
function worstRel(got: Float32Array, want: Float32Array): number {
  assertEquals(got.length, want.length);
  return scaleError(got, want).worst;
}

/** Each model converted and run on the CPU (batch 2) is within `tol` (of the output's scale) of onnxruntime-node. */
async function matchesOrt(models: OrtCase[], tol: number): Promise<void> {
  const want = await runOrt(models);
  for (const m of models) {
    const model = await loadModel(encodeModel(onnxBytesToModel(m.onnx)), { backend: "cpu" });
    const w = worstRel(await model.predict(m.x, { batch: 2 }), want[m.name]);
    model.dispose();
    assert(w < tol, `${m.name}: ours vs onnxruntime-node ${w}`);
  }
}

async function fixture(name: string, dir = DIR, index = INDEX) {
  const desc = onnxBytesToModel(await Deno.readFile(new URL(`${name}.onnx`, dir)));
  return {
    desc,
    x: await f32(`${name}.input.bin`, dir),
    want: await f32(`${name}.output.bin`, dir),
    n: index[name].input[0],
  };
}

for (
  const [name, dir, index] of [
    ...Object.keys(INDEX).map((n) => [n, DIR, INDEX] as const),
    ...Object.keys(FAMILY_INDEX).map((n) => [n, FAMILIES, FAMILY_INDEX] as const),
  ]
) {
  Deno.test(`convert ${name}.onnx (opset ${index[name].opset}): matches PyTorch on the CPU, wasm${NO_WEBGPU ? "" : " and WebGPU"}`, async () => {
    const { desc, x, want, n } = await fixture(name, dir, index);
    const errs: string[] = [];
    for (const backend of NO_WEBGPU ? ["cpu", "wasm"] as const : ["cpu", "wasm", "webgpu"] as const) {
      const m = await loadModel(encodeModel(desc), { backend });
      const w = worstRel(await m.predict(x, { batch: n }), want);
      errs.push(`${backend} ${w.toExponential(2)}`);
      assert(w < 1e-4, `${name} on ${backend}: worst relative error ${w}`);
      m.dispose();
    }
    console.log(`${name}: ${desc.layers.length} layers; max relative error vs PyTorch: ${errs.join(", ")}`);
  });
}

Deno.test("convert: ours → ONNX → ours is exact for every fixture (graphs, ConvTranspose, Resize, pads)", async () => {
  for (const name of Object.keys(INDEX)) {
    const { desc, x, n } = await fixture(name);
    const back = onnxBytesToModel(modelToOnnx(desc));
    const a = await loadModel(encodeModel(desc), { backend: "cpu" });
    const b = await loadModel(encodeModel(back), { backend: "cpu" });
    assertEquals(await b.predict(x, { batch: n }), await a.predict(x, { batch: n }), name);
    a.dispose();
    b.dispose();
  }
});

const ORT = new URL("../bench/node_modules/onnxruntime-node/package.json", import.meta.url);
const hasOrt = await Deno.stat(ORT).then(() => true, () => false);
if (!hasOrt) {
  missingPart(
    "convert_onnx",
    "ORT",
    "no bench/node_modules/onnxruntime-node",
    "npm ci --prefix bench --ignore-scripts",
  );
}

Deno.test({
  name:
    "convert: ours → ONNX runs in onnxruntime-node and agrees with ours (fixtures, shipped models, every activation)",
  ignore: !hasOrt,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tinycnn-ort-" });
    try {
      const cases: { name: string; desc: ModelDesc; x: Float32Array; n: number }[] = [];
      for (const name of Object.keys(INDEX)) cases.push({ name, ...(await fixture(name)) });
      for (const w of ["mnist", "fashion-mnist", "synthetic-control"]) {
        const desc = decodeModel(await Deno.readFile(new URL(`../weights/${w}.tcnn`, import.meta.url))).desc;
        const per = desc.inputShape.reduce((a, b) => a * b, 1);
        cases.push({
          name: w,
          desc,
          x: Float32Array.from({ length: 3 * per }, (_, i) => Math.sin(i) * 0.5),
          n: 3,
        });
      }
      for (const [name, desc] of [...activationModels(), ...channelModels()]) {
        const per = desc.inputShape.reduce((a, b) => a * b, 1);
        cases.push({
          name,
          desc,
          // both signs, never 0 (1/x); sqrt and log on positive inputs only
          x: Float32Array.from(
            { length: 3 * per },
            (_, i) => ACT_TEST_POSITIVE.has(name.slice(4)) ? Math.abs(i - 10.5) * 0.37 : (i - 10.5) * 0.37,
          ),
          n: 3,
        });
      }
      for (const c of cases) {
        await Deno.writeFile(`${dir}/${c.name}.onnx`, modelToOnnx(c.desc));
        await Deno.writeFile(`${dir}/${c.name}.bin`, new Uint8Array(c.x.buffer));
      }
      const script = `
        const ort = require(${
        JSON.stringify(new URL("../bench/node_modules/onnxruntime-node", import.meta.url).pathname)
      });
        const fs = require("fs");
        (async () => {
          const out = {};
          for (const [name, shape] of ${
        JSON.stringify(cases.map((c) => [c.name, [c.n, ...c.desc.inputShape]]))
      }) {
            const s = await ort.InferenceSession.create(${JSON.stringify(dir)} + "/" + name + ".onnx");
            const b = fs.readFileSync(${JSON.stringify(dir)} + "/" + name + ".bin");
            const x = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
            const r = await s.run({ input: new ort.Tensor("float32", x, shape) });
            out[name] = Array.from(r.output.data);
          }
          console.log(JSON.stringify(out));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const p = await new Deno.Command("node", { args: ["-e", script], stdout: "piped", stderr: "piped" })
        .output();
      assert(p.success, new TextDecoder().decode(p.stderr));
      const got = JSON.parse(new TextDecoder().decode(p.stdout));
      const errs: string[] = [];
      for (const c of cases) {
        const m = await loadModel(encodeModel(c.desc), { backend: "cpu" });
        const w = worstRel(Float32Array.from(got[c.name]), await m.predict(c.x, { batch: c.n }));
        errs.push(`${c.name} ${w.toExponential(1)}`);
        assert(w < 1e-4, `${c.name}: onnxruntime-node vs ours, worst relative error ${w}`);
        m.dispose();
      }
      console.log(`ours → ONNX → onnxruntime-node: ${errs.join(", ")}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** One single-activation model over (7) per entry of the activation table, softmax and logsoftmax. */
function activationModels(): [string, ModelDesc][] {
  return [...Object.keys(ACTIVATIONS), "softmax", "logsoftmax"].map((act) => [
    `act-${act}`,
    {
      inputShape: [7],
      layers: [{ type: act, ...ACT_TEST_PARAMS[act] } as ModelDesc["layers"][number]],
      params: [[]],
    },
  ]);
}

/** One per-channel layer (scale, prelu) over (7), an lrn over (7, 1, 1), one pad layer of each mode over (1, 7) or (1, 7, 1). */
function channelModels(): [string, ModelDesc][] {
  const a = Float32Array.from({ length: 7 }, (_, i) => 0.3 * i - 1);
  return [
    ["scale", { inputShape: [7], layers: [{ type: "scale" }], params: [[a, a.map((v) => v / 2)]] }],
    ["prelu", { inputShape: [7], layers: [{ type: "prelu" }], params: [[a]] }],
    ["lrn", {
      inputShape: [7, 1, 1],
      layers: [{ type: "lrn", size: 3, alpha: 0.5, beta: 0.75, bias: 2 }],
      params: [[]],
    }],
    ["instancenorm", {
      inputShape: [3, 5],
      layers: [{ type: "instancenorm", epsilon: 0.0625 }], // exact in float32: the round trip compares it
      params: [[Float32Array.of(0.5, 1, 2), Float32Array.of(-1, 0, 1)]],
    }],
    ["depthtospace", {
      inputShape: [8, 1, 3],
      layers: [{ type: "depthtospace", block: 2, mode: "CRD" }],
      params: [[]],
    }],
    ["spacetodepth", { inputShape: [1, 4, 6], layers: [{ type: "spacetodepth", block: 2 }], params: [[]] }],
    ["logsoftmax-last-axis", {
      inputShape: [2, 3, 4],
      layers: [{ type: "logsoftmax", axis: 2 }],
      params: [[]],
    }],
    ["softmax-mid-axis", { inputShape: [2, 3, 4], layers: [{ type: "softmax", axis: 1 }], params: [[]] }],
    ["channelslice", {
      inputShape: [5, 2, 1],
      layers: [{ type: "channelslice", start: 1, count: 3 }],
      params: [[]],
    }],
    ["maxpool-dilated", {
      inputShape: [1, 6, 5],
      layers: [{ type: "maxpool2d", size: [2, 2], stride: [1, 2], padding: [1, 0, 0, 1], dilation: [2, 3] }],
      params: [[]],
    }],
    ["shuffle", { inputShape: [6, 2, 1], layers: [{ type: "shuffle", groups: 3 }], params: [[]] }],
    ["pad1d-constant", {
      inputShape: [1, 7],
      layers: [{ type: "pad1d", padding: [2, 3], mode: "constant", value: -1.5 }],
      params: [[]],
    }],
    ["pad2d-reflect", {
      inputShape: [1, 7, 1],
      layers: [{ type: "pad2d", padding: [3, 2, 0, 0], mode: "reflect" }],
      params: [[]],
    }],
    ["pad2d-edge", {
      inputShape: [1, 7, 1],
      layers: [{ type: "pad2d", padding: [1, 4, 2, 1], mode: "edge" }],
      params: [[]],
    }],
  ];
}

Deno.test("convert: scale, prelu and pad layers go out to ONNX and back to the same layer", () => {
  for (const [name, desc] of channelModels()) {
    const back = onnxBytesToModel(modelToOnnx(desc));
    assertEquals(back.layers, desc.layers, name);
    assertEquals(back.params, desc.params, name);
  }
});

Deno.test("convert: every activation of the table goes out to ONNX and back to the same layer", () => {
  // identity alone aliases the input in ONNX (no layer is left to convert), so it is checked through ORT only
  for (const [name, desc] of activationModels().filter(([n]) => n !== "act-identity")) {
    const back = onnxBytesToModel(modelToOnnx(desc));
    const want = resolveLayers(desc.layers, desc.inputShape)[0] as {
      act: string;
      alpha: number;
      beta: number;
    };
    const got = resolveLayers(back.layers, back.inputShape)[0] as {
      act: string;
      alpha: number;
      beta: number;
    };
    assertEquals([got.act, Math.fround(got.alpha), Math.fround(got.beta)], [
      want.act,
      Math.fround(want.alpha),
      Math.fround(want.beta),
    ], name);
  }
});

/** A one-Resize model of `mode` at spatial scale `k`. */
const resize = (name: string, mode: string, k: number) =>
  tiny([{ name, opType: "Resize", input: ["x", "", "s"], output: ["y"], attribute: [str("mode", mode)] }], [
    3,
    4,
    4,
  ], [fl("s", [4], [1, 1, k, k])]);

Deno.test("convert: every refusal names the node, its op type and what is unsupported", () => {
  const cases: [Uint8Array, RegExp][] = [
    [
      tiny([{ name: "es", opType: "Einsum", input: ["x"], output: ["y"] }], [3, 4, 4]),
      /node "es" \(Einsum\): this op is not supported/,
    ],
    [
      tiny([{ name: "m", opType: "Mul", input: ["x", "k"], output: ["y"] }], [3, 4, 4], [
        fl("k", [3], [2, 3, 4]),
      ]),
      // ONNX broadcasting aligns a (3) constant with the last axis (4), not the channels
      /node "m" \(Mul\): a constant of shape \(3\) against \(N,3,4,4\): only a scalar or one value per channel/,
    ],
    [
      tiny([{
        name: "sm",
        opType: "Softmax",
        input: ["x"],
        output: ["y"],
        attribute: [{ name: "axis", type: 2, i: 0 }],
      }], [3, 4, 4]),
      /node "sm" \(Softmax\): axis 0 over \(N,3,4,4\): only a per-sample axis is supported/,
    ],
    [
      tiny(
        [{ name: "pad", opType: "Pad", input: ["x", "p"], output: ["y"], attribute: [str("mode", "wrap")] }],
        [3, 5, 5],
        [{ name: "p", dims: [8], dataType: 7, int64Data: [0, 0, 1, 1, 0, 0, 1, 1] }],
        19,
      ),
      /node "pad" \(Pad\): mode "wrap" is not supported/,
    ],
    [resize("rs", "cubic", 2), /node "rs" \(Resize\): mode cubic is not supported/],
    [resize("rs2", "nearest", 1.5), /node "rs2" \(Resize\): scales 1.5,1.5 must be integers/],
    [
      tiny([{ name: "add", opType: "Add", input: ["x", "c"], output: ["y"] }], [3, 4, 4], [
        fl("c", [4, 4], new Array(16).fill(2)),
      ]),
      /node "add" \(Add\): a constant of shape \(4,4\) against \(N,3,4,4\): only a scalar or one value per channel/,
    ],
    [
      tiny([{ name: "dv", opType: "Div", input: ["c", "x"], output: ["y"] }], [3, 4, 4], [fl("c", [1], [2])]),
      /node "dv" \(Div\): dividing a constant by a computed value/,
    ],
    [
      tiny(
        [{ name: "g", opType: "Gelu", input: ["x"], output: ["y"], attribute: [str("approximate", "tanh")] }],
        [
          3,
          4,
        ],
        [],
        20,
      ),
      /node "g" \(Gelu\): approximate "tanh" is not supported/,
    ],
    [
      tiny([{ name: "rsh", opType: "Reshape", input: ["x", "s"], output: ["y"] }], [3, 4, 4], [{
        name: "s",
        dims: [4],
        dataType: 7,
        int64Data: [0, 3, 2, 8],
      }]),
      /node "rsh" \(Reshape\): reshape .* is not supported \(only flattening\)/,
    ],
    [
      tiny([{ name: "cv", opType: "Conv", input: ["x", "w"], output: ["y"] }], [3, 4, 4]),
      /node "cv" \(Conv\): input "w" is not produced before this node/,
    ],
    [
      tiny([{
        name: "cat",
        opType: "Concat",
        input: ["x", "x"],
        output: ["y"],
        attribute: [{ name: "axis", type: 2, i: 2 }],
      }], [3, 4, 4]),
      /node "cat" \(Concat\): axis 2 is not supported/,
    ],
    [
      tiny(
        [{
          name: "ap",
          opType: "AveragePool",
          input: ["x"],
          output: ["y"],
          attribute: [ints("kernel_shape", [2, 2]), ints("dilations", [2, 2])],
        }],
        [3, 6, 6],
        [],
        19,
      ),
      /node "ap" \(AveragePool\): dilations are supported for MaxPool only/,
    ],
  ];
  for (const [bytes, re] of cases) {
    const e = assertThrows(() => onnxBytesToModel(bytes), UnsupportedOnnxError);
    assert(re.test(e.message), `${e.message} !~ ${re}`);
  }
  // a symbolic input size needs --input-shape
  const sym = tiny(
    [{ name: "r", opType: "Relu", input: ["x"], output: ["y"] }],
    [3, "H", "W"] as unknown as number[],
  );
  assertThrows(() => onnxBytesToModel(sym), TypeError, "give --input-shape");
  assertEquals(onnxBytesToModel(sym, { inputShape: [3, 8, 8] }).inputShape, [3, 8, 8]);
});

Deno.test("convert CLI: int8, labels and normalisation recorded; a refused model writes nothing; .tcnn → .onnx", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-convert-" });
  try {
    const src = new URL("residual.onnx", DIR).pathname;
    await Deno.writeTextFile(`${dir}/labels.txt`, "a\nb\nc\nd\ne\n");
    const r = await convert([
      src,
      "--out",
      `${dir}/r.tcnn`,
      "--quantize",
      "int8",
      "--labels",
      `${dir}/labels.txt`,
      "--normalize",
      "0.5,0.25",
    ]);
    const d = decodeModel(r.bytes);
    assertEquals(d.dtype, "int8");
    assertEquals(d.desc.labels, ["a", "b", "c", "d", "e"]);
    assertEquals(d.desc.normalization, { mean: [0.5], std: [0.25] });
    const refused = `${dir}/refused.onnx`;
    await Deno.writeFile(
      refused,
      tiny([{ name: "es", opType: "Einsum", input: ["x"], output: ["y"] }], [3, 4, 4]),
    );
    const p = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../train/convert/main.ts", import.meta.url).pathname,
        refused,
        "--out",
        `${dir}/no.tcnn`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(p.code, 1);
    assert(new TextDecoder().decode(p.stderr).includes(`node "es" (Einsum): this op is not supported`));
    assert(!(await Deno.stat(`${dir}/no.tcnn`).then(() => true, () => false)), "nothing written");
    await Deno.writeFile(`${dir}/r.tcnn`, r.bytes);
    const back = await convert([`${dir}/r.tcnn`, "--out", `${dir}/r.onnx`]);
    assert(onnx.ModelProto.decode(back.bytes).graph!.node!.length > 10);
    await assertRejects(() => convert([`${dir}/r.tcnn`, "--out", `${dir}/r.tcnn`]), Error, "exists");
    // a fully convolutional net (global pooling before its Gemm) can declare the sizes it runs at
    const any = await convert([src, "--out", `${dir}/any.tcnn`, "--input-range", "1,6,6:1,96,96"]);
    const m = await loadModel(any.bytes, { backend: "cpu" });
    assertEquals(m.summary().inputRange, { min: [1, 6, 6], max: [1, 96, 96] });
    assertEquals((await m.predict(new Float32Array(40 * 30), { shape: [1, 40, 30] })).length, 5);
    m.dispose();
    const flat = new URL("dilated_1d.onnx", DIR).pathname; // flatten → Gemm: weights depend on the length
    await assertRejects(
      () => convert([flat, "--out", `${dir}/no2.tcnn`, "--input-range", "2,16:2,64"]),
      Error,
      "depend on the input size",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("convert: damaged ONNX bytes (truncated, bit-flipped, random) are typed errors or valid models, never a crash", async () => {
  const good = await Deno.readFile(new URL("residual.onnx", DIR));
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const damaged: Uint8Array[] = [new Uint8Array(0), good.slice(0, 100), good.slice(0, good.length - 7)];
  for (let k = 0; k < 40; k++) {
    const b = good.slice();
    for (let j = 0; j < 3; j++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
    damaged.push(b);
  }
  for (let k = 0; k < 10; k++) damaged.push(Uint8Array.from({ length: 200 }, () => Math.floor(rnd() * 256)));
  let refused = 0;
  for (const b of damaged) {
    try {
      const desc = onnxBytesToModel(b);
      // a flip in a weight's bytes still converts: the model must then be valid as a whole
      (await loadModel(encodeModel(desc), { backend: "cpu" })).dispose();
    } catch (e) {
      assert(
        e instanceof TypeError || e instanceof RangeError || e instanceof UnsupportedOnnxError,
        String(e),
      );
      refused++;
    }
  }
  console.log(
    `damaged ONNX: ${refused} of ${damaged.length} refused with a typed error, the rest converted to valid models`,
  );
  assert(refused >= 13);
});

Deno.test("convert: shape ops after pooling — Squeeze (axes input, opset 13), Reshape [0, -1], Unsqueeze → Flatten — all reach the same dense", async () => {
  const w = fl("w", [2, 3], [1, 2, 3, -1, 0.5, 0]);
  const i64 = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: 7, int64Data: v });
  const gap = { name: "gap", opType: "GlobalAveragePool", input: ["x"], output: ["p"] };
  const gemm = (src: string) => ({
    name: "fc",
    opType: "Gemm",
    input: [src, "w"],
    output: ["y"],
    attribute: [{ name: "transB", type: 2, i: 1 }],
  });
  const variants = [
    tiny([gap, { name: "sq", opType: "Squeeze", input: ["p", "ax"], output: ["f"] }, gemm("f")], [3, 4, 4], [
      w,
      i64("ax", [2, 3]),
    ]),
    tiny([gap, { name: "rs", opType: "Reshape", input: ["p", "s"], output: ["f"] }, gemm("f")], [3, 4, 4], [
      w,
      i64("s", [0, -1]),
    ]),
    tiny(
      [
        gap,
        { name: "un", opType: "Unsqueeze", input: ["p", "ax"], output: ["u"] },
        {
          name: "fl",
          opType: "Flatten",
          input: ["u"],
          output: ["f"],
          attribute: [{ name: "axis", type: 2, i: 1 }],
        },
        gemm("f"),
      ],
      [3, 4, 4],
      [w, i64("ax", [4])],
    ),
  ];
  const x = Float32Array.from({ length: 2 * 48 }, (_, i) => (i % 7) - 3);
  // per sample: channel means m, then y = W·m
  const want = new Float32Array(4);
  for (let n = 0; n < 2; n++) {
    const m = [0, 1, 2].map((c) =>
      x.subarray(n * 48 + c * 16, n * 48 + c * 16 + 16).reduce((a, b) => a + b, 0) / 16
    );
    want[2 * n] = m[0] + 2 * m[1] + 3 * m[2];
    want[2 * n + 1] = -m[0] + 0.5 * m[1];
  }
  for (const [k, bytes] of variants.entries()) {
    const desc = onnxBytesToModel(bytes);
    const m = await loadModel(encodeModel(desc), { backend: "cpu" });
    const got = await m.predict(x, { batch: 2 });
    assert(worstRel(got, want) < 1e-6, `variant ${k}: ${got} vs ${want}`);
    m.dispose();
  }
});

Deno.test("convert bounds memory before it allocates: files over 2 GiB are refused unread, tensors over 2^28 elements before their data", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-convert-big-" });
  try {
    // a sparse file: its size is what the converter checks, nothing is read
    const big = `${dir}/big.onnx`;
    await Deno.writeFile(big, new Uint8Array(0));
    await Deno.truncate(big, 2 ** 31 + 1);
    await assertRejects(
      () => convert([big, "--out", `${dir}/big.tcnn`]),
      RangeError,
      "over the 2147483648-byte limit",
    );
    // a weight declared (32768, 32768): refused from its dims, no 8 GiB Float64Array is made
    const huge = tiny([{ name: "mm", opType: "MatMul", input: ["x", "w"], output: ["y"] }], [4], [
      { name: "w", dims: [32768, 32768], dataType: 1, rawData: new Uint8Array(16) },
    ]);
    assertThrows(() => onnxBytesToModel(huge), RangeError, "exceed 2^28");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("convert CLI: --report tells how each op mapped; the result is checked against onnxruntime-web", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-report-" });
  try {
    const src = new URL("./fixtures/onnx-families/scalar_arithmetic.onnx", import.meta.url).pathname;
    const r = await convert([src, "--out", `${dir}/m.tcnn`, "--report"]);
    assert(/^ONNX op\s+nodes\s+mapped as$/m.test(r.summary), r.summary);
    assert(/^Conv\s+1\s+1 → conv2d$/m.test(r.summary), r.summary);
    assert(/^Sub\s+2\s+2 merged into the layer before$/m.test(r.summary), r.summary);
    assert(/^Constant\s+6\s+6 folded \(constant\)$/m.test(r.summary), r.summary);
    assert(/matches onnxruntime-web within \d\.\de-\d+ \(batch 2\)/.test(r.summary), r.summary);
    assert(
      (await convert([src, "--out", `${dir}/n.tcnn`, "--no-check"])).summary.includes(
        "not checked (--no-check)",
      ),
    );
    // a conversion that went wrong (a weight changed after mapping) is refused, saying by how much
    const onnxBytes = await Deno.readFile(src);
    const desc = onnxBytesToModel(onnxBytes);
    desc.params[0][0] = desc.params[0][0].map((v) => v * 1.01);
    await assertRejects(
      () => checkAgainstOrt(onnxBytes, desc),
      ConversionMismatchError,
      "disagrees with onnxruntime-web by",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "convert: ReduceMean/Sum/Max over the spatial axes, the channels or both match onnxruntime-node",
  ignore: !hasOrt,
  async fn() {
    const i64 = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: 7, int64Data: v });
    const cases: [string, string, number[], number, number[]][] = [
      ["mean-hw", "ReduceMean", [2, 3], 1, [3, 4, 5]],
      ["sum-hw", "ReduceSum", [-2, -1], 0, [3, 4, 5]],
      ["max-hw", "ReduceMax", [2, 3], 1, [3, 4, 5]],
      ["mean-c", "ReduceMean", [1], 1, [3, 4, 5]],
      ["sum-c-series", "ReduceSum", [1], 0, [3, 6]],
      ["mean-all", "ReduceMean", [1, 2, 3], 0, [3, 4, 5]],
      ["mean-flat", "ReduceMean", [1], 1, [7]],
      ["max-l", "ReduceMax", [2], 0, [3, 6]],
      ["mean-h", "ReduceMean", [2], 0, [3, 4, 5]],
      ["sum-w-c", "ReduceSum", [1, 3], 1, [3, 4, 5]],
      ["max-w", "ReduceMax", [-1], 1, [2, 3, 4]],
    ];
    const models = cases.map(([name, op, axes, keep, shape]) => {
      // ReduceSum takes its axes as an input from opset 13, the others as an attribute until 18
      const asInput = op === "ReduceSum";
      const onnxBytes = tiny(
        [{
          name,
          opType: op,
          input: asInput ? ["x", "axes"] : ["x"],
          output: ["y"],
          attribute: [{ name: "keepdims", type: 2, i: keep }, ...(asInput ? [] : [ints("axes", axes)])],
        }],
        shape,
        asInput ? [i64("axes", axes)] : [],
      );
      const per = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: 2 * per }, (_, i) => Math.sin(1.7 * i) * 2);
      return { name, onnx: onnxBytes, input: "x", x, shape: [2, ...shape] };
    });
    await matchesOrt(models, 1e-5);
    assertThrows(
      () =>
        onnxBytesToModel(
          tiny([{
            name: "mc",
            opType: "ReduceMax",
            input: ["x"],
            output: ["y"],
            attribute: [ints("axes", [1])],
          }], [
            3,
            4,
          ]),
        ),
      UnsupportedOnnxError,
      'node "mc" (ReduceMax): a max over the channels is not supported',
    );
  },
});

Deno.test({
  name: "convert: Pow by 1, 0.5, −1, 2, 3 and a Tile of constants match onnxruntime-node",
  ignore: !hasOrt,
  async fn() {
    const models = [1, 0.5, -1, 2, 3].map((p) => {
      const onnxBytes = tiny(
        [{ name: `pow${p}`, opType: "Pow", input: ["x", "e"], output: ["y"] }],
        [3, 4],
        [fl("e", [], [p])],
      );
      // positive inputs away from 0: x^0.5 and x^−1 are then finite
      const x = Float32Array.from({ length: 24 }, (_, i) => 0.25 + (i % 7) * 0.4);
      return { name: `pow${p}`, onnx: onnxBytes, input: "x", x, shape: [2, 3, 4] };
    });
    // Add(x, Tile(c, [3, 1, 1])): the tiled constant is one value per channel
    models.push({
      name: "tile",
      onnx: tiny(
        [
          { name: "t", opType: "Tile", input: ["c", "r"], output: ["ct"] },
          { name: "a", opType: "Add", input: ["x", "ct"], output: ["y"] },
        ],
        [3, 2, 2],
        [fl("c", [1, 1, 1], [0.5]), { name: "r", dims: [3], dataType: 7, int64Data: [3, 1, 1] }],
      ),
      input: "x",
      x: Float32Array.from({ length: 24 }, (_, i) => i * 0.1),
      shape: [2, 3, 2, 2],
    });
    await matchesOrt(models, 1e-6);
  },
});
