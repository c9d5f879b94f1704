// The converter's view patterns, against onnxruntime-node on a seeded batch:
// what torch.onnx writes as Reshape/Unsqueeze + an op + Reshape/Squeeze maps
// to one of our layers. PixelShuffle and PixelUnshuffle as a 6-D Reshape →
// Transpose → Reshape (CRD, and ONNX's DCR order), a 1-D pool written as Unsqueeze
// to (N,C,L,1) → AveragePool/MaxPool (k,1) → Squeeze, and a PRelu slope in
// Tile of a computed value, and the per-channel shape of opsets before 7 (against its own per-channel
// reference: onnxruntime refuses that slope). Each converts to the one layer it
// is and matches onnxruntime within 1e-5 relative on cpu and wasm.

import { assert, assertEquals } from "@std/assert";
import { encodeModel, loadModel } from "../mod.ts";
import { onnxBytesToModel } from "../train/convert/from_onnx.ts";
import { scaleError } from "../train/convert/scale_error.ts";
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

/** Reshape (N, ...shape) → (N, ...view), Transpose `perm`, Reshape to (N, ...out): what must become `layer`. */
function viewed(
  what: string,
  layer: string,
  perm: number[],
  shape: number[],
  view: number[],
  out: number[],
): Case {
  const nodes = [
    node("Reshape", ["x", "s6"], ["v"]),
    node("Transpose", ["v"], ["t"], [ints("perm", perm)]),
    node("Reshape", ["t", "s4"], ["y"]),
  ];
  const onnx = tiny(nodes, shape, [i64("s6", [-1, ...view]), i64("s4", [-1, ...out])]);
  return { name: `${what} as Reshape → Transpose → Reshape`, onnx, shape, layers: [layer] };
}

/** Depth→space: an image (C, H, W) viewed with its channels split as `split`. */
const depthToSpace = (what: string, perm: number[], shape: number[], split: number[], out: number[]) =>
  viewed(what, "depthtospace", perm, shape, [...split, shape[1], shape[2]], out);

/** Space→depth of a (3, 2b, 3b) image: its rows and columns split as (2, b, 3, b). */
const spaceToDepth = (what: string, perm: number[], b: number) =>
  viewed(what, "spacetodepth", perm, [3, 2 * b, 3 * b], [3, 2, b, 3, b], [3 * b * b, 2, 3]);

const CASES: Case[] = [
  depthToSpace("PixelShuffle (CRD)", [0, 1, 4, 2, 5, 3], [8, 3, 5], [2, 2, 2], [2, 6, 10]),
  depthToSpace("depth→space (DCR)", [0, 3, 4, 1, 5, 2], [12, 2, 3], [2, 2, 3], [3, 4, 6]),
  spaceToDepth("PixelUnshuffle (CRD)", [0, 1, 3, 5, 2, 4], 2),
  spaceToDepth("space→depth (DCR)", [0, 3, 5, 1, 2, 4], 3),
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
    name: "Tile of a computed value, repeats (1, 2, 1, 3)",
    onnx: tiny([node("Relu", ["x"], ["r"]), node("Tile", ["r", "reps"], ["y"])], [2, 3, 4], [
      i64("reps", [1, 2, 1, 3]),
    ]),
    shape: [2, 3, 4],
    layers: ["relu", "tile"],
  },
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
        const { worst } = scaleError(got, ref);
        assert(worst < 1e-5, `${c.name} on ${backend}: ${worst}`);
      }
    }
  },
});
