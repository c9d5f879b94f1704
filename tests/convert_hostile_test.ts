// Hostile ONNX graphs against the converter and the format check: joins that
// read the model input (as layer 0, twice) convert and run; nodes with more
// inputs than their op takes, zero or negative input dims, graphs over the
// node and layer limits are refused by name with typed errors; deep graphs
// convert without recursion; every refusal quotes names bounded and escaped.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { decodeModel, encodeModel, loadModel } from "../mod.ts";
import { MAX_ONNX_NODES, onnxBytesToModel, UnsupportedOnnxError } from "../train/convert/from_onnx.ts";
import { fl, tiny } from "./helpers/onnx_build.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";

const node = (name: string, opType: string, input: string[], output: string[]) => ({
  name,
  opType,
  input,
  output,
});

/** A chain of `n` nodes of `op` from x to y. */
function chain(n: number, op: string): object[] {
  return Array.from(
    { length: n },
    (_, i) => node(`n${i}`, op, [i ? `t${i - 1}` : "x"], [i === n - 1 ? "y" : `t${i}`]),
  );
}

Deno.test("convert: joins reading the model input — Add(x, x), Concat(x, x), Mul(x, x) as layer 0 — run on every backend", async () => {
  const x = Float32Array.from({ length: 2 * 3 * 4 * 4 }, (_, i) => (i % 7) - 3);
  const want: Record<string, (v: number) => number[]> = {
    Add: (v) => [2 * v],
    Mul: (v) => [v * v],
  };
  for (const op of ["Add", "Mul", "Concat"]) {
    const desc = onnxBytesToModel(tiny([{ ...node("j", op, ["x", "x"], ["y"]), attribute: [] }], [3, 4, 4]));
    assertEquals(desc.layers.length, 1, op);
    assertEquals(desc.layers[0].inputs, ["input", "input"]);
    const bytes = encodeModel(desc);
    assertEquals(decodeModel(bytes).desc.layers[0].inputs, ["input", "input"], "the format check takes it");
    for (const backend of NO_WEBGPU ? ["cpu"] as const : ["cpu", "webgpu"] as const) {
      const m = await loadModel(bytes, { backend });
      const y = await m.predict(x, { batch: 2 });
      if (op === "Concat") {
        assertEquals(y.length, 2 * x.length);
        // per sample: x then x again along channels
        assertEquals([...y.subarray(0, 48)], [...x.subarray(0, 48)]);
        assertEquals([...y.subarray(48, 96)], [...x.subarray(0, 48)]);
      } else assertEquals([...y], [...x].flatMap(want[op]), `${op} on ${backend}`);
      m.dispose();
    }
  }
});

Deno.test("convert: a node with more inputs than its op takes is refused by name, never read as fewer", () => {
  const cases: [object[], RegExp][] = [
    [
      [node("r", "Relu", ["x"], ["r"]), node("a3", "Add", ["x", "r", "r"], ["y"])],
      /node "a3" \(Add\): takes at most 2 inputs, got 3/,
    ],
    [[node("m3", "Mul", ["x", "x", "x"], ["y"])], /node "m3" \(Mul\): takes at most 2 inputs, got 3/],
    [[node("r2", "Relu", ["x", "x"], ["y"])], /node "r2" \(Relu\): takes at most 1 inputs, got 2/],
  ];
  for (const [nodes, re] of cases) {
    const e = assertThrows(() => onnxBytesToModel(tiny(nodes, [3, 4, 4])), UnsupportedOnnxError);
    assert(re.test(e.message), `${e.message} !~ ${re}`);
  }
  const conv4 = tiny([node("c4", "Conv", ["x", "w", "b", "b"], ["y"])], [1, 4, 4], [
    fl("w", [1, 1, 1, 1], [1]),
    fl("b", [1], [0]),
  ]);
  assertThrows(
    () => onnxBytesToModel(conv4),
    UnsupportedOnnxError,
    'node "c4" (Conv): takes at most 3 inputs, got 4',
  );
  // on the constant-folding path as well: Add of three initializers does not fold as the first two
  const constAdd = tiny([node("k3", "Add", ["c", "c", "c"], ["k"]), node("r", "Relu", ["x"], ["y"])], [
    1,
    4,
    4,
  ], [
    fl("c", [1], [1]),
  ]);
  assertThrows(
    () => onnxBytesToModel(constAdd),
    UnsupportedOnnxError,
    'node "k3" (Add): takes at most 2 inputs, got 3',
  );
});

Deno.test("convert: zero and negative input dims are refused with the input's name", () => {
  for (const d of [0, -4]) {
    const bytes = tiny([node("r", "Relu", ["x"], ["y"])], [3, d, 4]);
    assertThrows(
      () => onnxBytesToModel(bytes),
      TypeError,
      `input "x": dimension 2 is ${d}, expected a size ≥ 1`,
    );
  }
  // a symbolic dim still asks for --input-shape, naming the input
  assertThrows(
    () => onnxBytesToModel(tiny([node("r", "Relu", ["x"], ["y"])], [3, "H", 4])),
    TypeError,
    'input "x"',
  );
});

Deno.test("convert: deep graphs — 20,000 folded nodes convert without recursion; too many layers or nodes are RangeErrors", () => {
  // 20,000 Identity / Dropout nodes alias one value: one relu layer at the end
  const nodes = [...chain(20_000, "Identity").slice(0, -1), node("last", "Relu", ["t19998"], ["y"])];
  const desc = onnxBytesToModel(tiny(nodes, [3, 4, 4]));
  assertEquals(desc.layers.map((l) => l.type), ["relu"]);
  // 25,000 computing nodes: more layers than the format holds
  assertThrows(
    () => onnxBytesToModel(tiny(chain(25_000, "Relu"), [3, 4, 4])),
    RangeError,
    "over the format's 1024",
  );
  // more nodes than the converter reads: refused before any node is looked at
  const many = tiny(Array.from({ length: MAX_ONNX_NODES + 1 }, () => ({ opType: "Identity" })), [3]);
  assertThrows(() => onnxBytesToModel(many), RangeError, `over the converter's limit ${MAX_ONNX_NODES}`);
});

Deno.test("convert: refusals quote names and op types bounded and escaped (no ESC, ≤ 300 characters of input)", () => {
  const evil = `\x1b[31m\u202e${"A".repeat(100_000)}`;
  const e = assertThrows(
    () => onnxBytesToModel(tiny([node(evil, `LRN\n${"B".repeat(1_000_000)}`, ["x"], ["y"])], [3, 4, 4])),
    UnsupportedOnnxError,
  );
  assert(e.message.length < 600, `${e.message.length} characters`);
  // deno-lint-ignore no-control-regex
  assert(!/[\x00-\x1f\u202e]/.test(e.message), e.message.slice(0, 120));
  assert(e.message.startsWith('node "\\u001b[31m\\u202eAAA'), e.message.slice(0, 60));
  assert(/more characters\) \(LRN\\nBBB/.test(e.message), e.message.slice(0, 300));
  assertEquals(e.node, evil, "the error keeps the whole name for programs");
});
