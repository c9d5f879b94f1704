// The converter's view patterns, against onnxruntime-node on a seeded batch:
// what torch.onnx writes as Reshape/Unsqueeze + an op + Reshape/Squeeze maps
// to one of our layers. PixelShuffle as a 6-D Reshape → Transpose → Reshape
// (CRD, and ONNX DepthToSpace's DCR order), a 1-D pool written as Unsqueeze
// to (N,C,L,1) → AveragePool/MaxPool (k,1) → Squeeze, and a PRelu slope in
// the per-channel shape of opsets before 7 (against its own per-channel
// reference: onnxruntime refuses that slope). Each converts to the one layer it
// is and matches onnxruntime within 1e-5 relative on cpu and wasm.

import { assert, assertEquals } from "@std/assert";
import { encodeModel, loadModel } from "../mod.ts";
import { onnxBytesToModel } from "../train/convert/from_onnx.ts";
import { fl, ints, tiny } from "./helpers/onnx_build.ts";
import { HAS_ORT, runOrt } from "./helpers/ort.ts";
import { uniformFn as rng } from "../train/rng.ts";

const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({
  name: output[0],
  opType,
  input,
  output,
  attribute,
});
/** An int64 initializer. */
const i64 = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: 7, int64Data: v });

interface Case {
  name: string;
  onnx: Uint8Array;
  shape: number[];
  /** the layer types the conversion must come to */
  layers: string[];
  /** the expected output where onnxruntime refuses the file (the legacy slope does not broadcast) */
  ref?: (x: Float32Array) => Float32Array;
}

const SLOPE = [0.1, -0.5, 2];

/** Depth→space written as Reshape (N,C,H,W) → (N, ...split, H, W), Transpose `perm`, Reshape to (N, ...out). */
function depthToSpace(what: string, perm: number[], shape: number[], split: number[], out: number[]): Case {
  const [, h, w] = shape;
  return {
    name: `${what} as Reshape → Transpose → Reshape`,
    onnx: tiny(
      [
        node("Reshape", ["x", "s6"], ["v"]),
        node("Transpose", ["v"], ["t"], [ints("perm", perm)]),
        node("Reshape", ["t", "s4"], ["y"]),
      ],
      shape,
      [i64("s6", [-1, ...split, h, w]), i64("s4", [-1, ...out])],
    ),
    shape,
    layers: ["depthtospace"],
  };
}

const CASES: Case[] = [
  depthToSpace("PixelShuffle (CRD)", [0, 1, 4, 2, 5, 3], [8, 3, 5], [2, 2, 2], [2, 6, 10]),
  depthToSpace("depth→space (DCR)", [0, 3, 4, 1, 5, 2], [12, 2, 3], [2, 2, 3], [3, 4, 6]),
  ...(["AveragePool", "MaxPool"] as const).map((op) => ({
    name: `${op} (3,1) stride (2,1) pad 1 over a series unsqueezed to (N,C,L,1)`,
    onnx: tiny(
      [
        node("Unsqueeze", ["x", "ax"], ["u"]),
        node(op, ["u"], ["p"], [
          ints("kernel_shape", [3, 1]),
          ints("strides", [2, 1]),
          ints("pads", [1, 0, 1, 0]),
        ]),
        node("Squeeze", ["p", "ax"], ["y"]),
      ],
      [4, 11],
      [i64("ax", [3])],
    ),
    shape: [4, 11],
    layers: [op === "MaxPool" ? "maxpool1d" : "avgpool1d"],
  })),
  {
    // a file upgraded from before opset 7 keeps the (C) slope, which broadcasting cannot read against W = 5
    name: "PRelu with a (C) slope against (N,C,H,W), as upgraded files from before opset 7 carry it",
    onnx: tiny([node("PRelu", ["x", "a"], ["y"])], [3, 4, 5], [fl("a", [3], SLOPE)]),
    shape: [3, 4, 5],
    layers: ["prelu"],
    ref: (x) => x.map((v, i) => (v > 0 ? v : SLOPE[Math.floor(i / 20) % 3] * v)),
  },
];

Deno.test({
  name: "converter views: PixelShuffle, unsqueezed 1-D pools and legacy PRelu map to one layer each",
  ignore: !HAS_ORT,
  async fn() {
    const r = rng(42);
    const batch = 3;
    const runs = CASES.map((c) => ({
      ...c,
      x: Float32Array.from({ length: batch * c.shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1),
    }));
    const want = await runOrt(
      runs.filter((c) => !c.ref).map((c) => ({ ...c, input: "x", shape: [batch, ...c.shape] })),
    );
    for (const c of runs) if (c.ref) want[c.name] = c.ref(c.x);
    for (const c of runs) {
      const desc = onnxBytesToModel(c.onnx);
      assertEquals(desc.layers.map((l) => l.type), c.layers, c.name);
      for (const backend of ["cpu", "wasm"] as const) {
        const m = await loadModel(encodeModel(desc), { backend });
        const got = await m.predict(c.x, { batch });
        m.dispose();
        const ref = want[c.name];
        assertEquals(got.length, ref.length, c.name);
        const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0) || 1;
        const worst = got.reduce((a, v, i) => Math.max(a, Math.abs(v - ref[i])), 0) / scale;
        assert(worst < 1e-5, `${c.name} on ${backend}: ${worst}`);
      }
    }
  },
});
