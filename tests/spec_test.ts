// Layer specs: shape rules (valid/same/full/explicit, stride, dilation,
// groups), parameter counts, receptive fields, and typed rejections.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { type LayerSpec, paramCount, receptiveFields, resolveLayers } from "../runtime/format/spec.ts";

const shapes = (layers: LayerSpec[], input: number[]) => resolveLayers(layers, input).map((l) => l.outShape);

Deno.test("spec: conv2d padding modes and strides follow the output-size formula", () => {
  assertEquals(shapes([{ type: "conv2d", filters: 4, kernel: 3 }], [1, 28, 28]), [[4, 26, 26]]);
  assertEquals(shapes([{ type: "conv2d", filters: 4, kernel: 3, padding: "same" }], [1, 28, 28]), [[
    4,
    28,
    28,
  ]]);
  assertEquals(shapes([{ type: "conv2d", filters: 4, kernel: 3, padding: "full" }], [1, 28, 28]), [[
    4,
    30,
    30,
  ]]);
  // same with stride: ceil(in / stride)
  assertEquals(
    shapes([{ type: "conv2d", filters: 2, kernel: 3, stride: 2, padding: "same" }], [3, 7, 9]),
    [[2, 4, 5]],
  );
  // CS231n: 5x5 input padded by 1, 3x3 kernel, stride 2 → 3x3
  assertEquals(shapes([{ type: "conv2d", filters: 2, kernel: 3, stride: 2, padding: 1 }], [3, 5, 5]), [[
    2,
    3,
    3,
  ]]);
  // explicit asymmetric padding and dilation: (7+1+2-2*2-1)/1+1 = 6 ; (9+0+0-2*2-1)+1 = 5
  assertEquals(
    shapes([{ type: "conv2d", filters: 1, kernel: 3, dilation: 2, padding: [1, 2, 0, 0] }], [1, 7, 9]),
    [[1, 6, 5]],
  );
  assertEquals(shapes([{ type: "conv2d", filters: 1, kernel: [3, 1], stride: [2, 1] }], [1, 9, 4]), [[
    1,
    4,
    4,
  ]]);
});

Deno.test("spec: conv1d, pools, dense, flatten and activations", () => {
  assertEquals(
    shapes([{ type: "conv1d", filters: 8, kernel: 5, stride: 2, padding: "same" }, {
      type: "maxpool1d",
      size: 2,
    }], [
      3,
      100,
    ]),
    [[8, 50], [8, 25]],
  );
  // overlapping pool: size 3 stride 2
  assertEquals(shapes([{ type: "maxpool2d", size: 3, stride: 2 }], [4, 13, 13]), [[4, 6, 6]]);
  assertEquals(shapes([{ type: "avgpool2d", size: 2 }, { type: "globalavgpool" }], [4, 8, 8]), [[4, 4, 4], [
    4,
  ]]);
  assertEquals(
    shapes([{ type: "flatten" }, { type: "dense", units: 10 }, { type: "softmax" }], [2, 3, 3]),
    [[18], [10], [10]],
  );
  assertEquals(shapes([{ type: "dense", units: 5 }], [2, 3, 3]), [[5]]); // implicit flatten
});

Deno.test("spec: parameter counts (lenet = 431,080)", () => {
  const lenet: LayerSpec[] = [
    { type: "conv2d", filters: 20, kernel: 5 },
    { type: "maxpool2d", size: 2 },
    { type: "conv2d", filters: 50, kernel: 5 },
    { type: "maxpool2d", size: 2 },
    { type: "dense", units: 500 },
    { type: "relu" },
    { type: "dense", units: 10 },
    { type: "softmax" },
  ];
  const l = resolveLayers(lenet, [1, 28, 28]);
  assertEquals(l.reduce((a, x) => a + paramCount(x), 0), 431080);
  const dw = resolveLayers([{ type: "conv2d", filters: 8, kernel: 3, groups: 8, bias: false }], [8, 5, 5]);
  assertEquals(paramCount(dw[0]), 8 * 9);
});

Deno.test("spec: receptive field grows by (k-1)*jump", () => {
  const l = resolveLayers([
    { type: "conv2d", filters: 1, kernel: 3 },
    { type: "maxpool2d", size: 2 },
    { type: "conv2d", filters: 1, kernel: 3 },
    { type: "conv2d", filters: 1, kernel: 3, dilation: 2 },
  ], [1, 32, 32]);
  assertEquals(receptiveFields(l).map((r) => r.rf[0]), [3, 4, 8, 16]);
});

Deno.test("spec: bad layers are rejected with typed errors naming the layer", () => {
  const bad: [LayerSpec[], number[], ErrorConstructor | RangeErrorConstructor, string][] = [
    [[{ type: "conv2d", filters: 1, kernel: 0 }], [1, 5, 5], RangeError, "kernel"],
    [[{ type: "conv2d", filters: 1, kernel: 3, stride: 0 }], [1, 5, 5], RangeError, "stride"],
    [[{ type: "conv2d", filters: 1, kernel: 7 }], [1, 5, 5], RangeError, "exceeds"],
    [[{ type: "conv2d", filters: 1.5, kernel: 3 } as LayerSpec], [1, 5, 5], TypeError, "integer"],
    [[{ type: "conv2d", filters: 3, kernel: 1, groups: 2 }], [4, 5, 5], RangeError, "groups"],
    [[{ type: "conv1d", filters: 1, kernel: 3 }], [1, 5, 5], TypeError, "(C,L)"],
    [[{ type: "maxpool2d", size: 2, padding: 2 }], [1, 5, 5], RangeError, "smaller than the window"],
    [[{ type: "warp" } as unknown as LayerSpec], [1, 5, 5], TypeError, "unknown layer type"],
    [
      [{ type: "conv2d", filters: 1, kernel: 3, padding: "mirror" as "same" }],
      [1, 5, 5],
      TypeError,
      "padding",
    ],
  ];
  for (const [layers, input, E, msg] of bad) assertThrows(() => resolveLayers(layers, input), E, msg);
  assertThrows(() => resolveLayers([{ type: "relu" }], [0, 5]), RangeError, "input shape");
  assertThrows(() => resolveLayers([{ type: "relu" }], [1, 2, 3, 4]), TypeError, "input shape");
});

Deno.test("spec: causal conv1d pads (k−1)·d on the left only; a dilated causal stack keeps the length, sees only the past", async () => {
  const { forwardLayer } = await import("../runtime/cpu/forward.ts");
  const stack: LayerSpec[] = [1, 2, 4, 8].map((d) => ({
    type: "conv1d",
    filters: 3,
    kernel: 2,
    dilation: d,
    padding: "causal",
  }));
  const r = resolveLayers(stack, [1, 40]);
  assertEquals(r.map((l) => l.outShape), [[3, 40], [3, 40], [3, 40], [3, 40]]);
  assertEquals(r.map((l) => (l.op === "conv" ? [l.pl, l.pr] : [])), [[1, 0], [2, 0], [4, 0], [8, 0]]);
  assertEquals(receptiveFields(r).at(-1)!.rf[1], 16); // 1 + Σ (k − 1)·d
  // causality: changing input step t never changes outputs before t
  const l =
    resolveLayers([{ type: "conv1d", filters: 2, kernel: 3, dilation: 2, padding: "causal" }], [1, 12])[0];
  const w = [Float32Array.from({ length: 6 }, (_, i) => i - 2.5), new Float32Array([0.1, -0.2])];
  const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
  const y0 = forwardLayer(l, w, x, 1);
  x[7] += 5;
  const y1 = forwardLayer(l, w, x, 1);
  for (let c = 0; c < 2; c++) {
    for (let t = 0; t < 12; t++) {
      const changed = y0[c * 12 + t] !== y1[c * 12 + t];
      assertEquals(changed, t >= 7 && (t - 7) % 2 === 0 && t - 7 <= 4, `channel ${c}, step ${t}`);
    }
  }
  assertThrows(
    () => resolveLayers([{ type: "conv2d", filters: 1, kernel: 3, padding: "causal" }], [1, 5, 5]),
    TypeError,
    "causal",
  );
  assertThrows(
    () => resolveLayers([{ type: "maxpool1d", size: 2, padding: "causal" }], [1, 8]),
    TypeError,
    "causal",
  );
});

Deno.test("spec: relu6 is clip(0, 6); clip bounds default to ±FLT_MAX, are finite and ordered; hardswish and identity keep the shape", () => {
  const [r6, c, open, hs, id] = resolveLayers(
    [{ type: "relu6" }, { type: "clip", min: -1, max: 2 }, { type: "clip" }, { type: "hardswish" }, {
      type: "identity",
    }],
    [3, 4],
  );
  assertEquals([r6.op === "act" && r6.act, r6.op === "act" && [r6.alpha, r6.beta]], ["clip", [0, 6]]);
  assertEquals(c.op === "act" && [c.alpha, c.beta], [-1, 2]);
  assertEquals(open.op === "act" && [open.alpha, open.beta], [-3.4028234663852886e38, 3.4028234663852886e38]);
  assertEquals([hs.outShape, id.outShape], [[3, 4], [3, 4]]);
  assertThrows(() => resolveLayers([{ type: "clip", min: 2, max: 1 }], [4]), RangeError, "exceeds max");
  assertThrows(() => resolveLayers([{ type: "clip", min: NaN }], [4]), TypeError, "finite");
  assertThrows(() => resolveLayers([{ type: "clip", max: 1e39 }], [4]), TypeError, "float32");
});

Deno.test("arch tcn: five dilated causal conv1d blocks keep the series length; receptive field 63 steps", async () => {
  const { loadArch, inferenceLayers } = await import("../train/archs.ts");
  const a = await loadArch("tcn", [1, 60], 6);
  const r = resolveLayers(inferenceLayers(a.layers), a.inputShape);
  assertEquals(r.filter((l) => l.op === "conv").map((l) => l.outShape), Array(5).fill([32, 60]));
  assertEquals(receptiveFields(r).at(-3)!.rf[1], 63); // the last conv's (then pool and dense)
  assertEquals(r.at(-1)!.outShape, [6]);
});

Deno.test("spec: upsample2d / upsample1d multiply the sizes by integer scales; modes and scales are validated", () => {
  assertEquals(shapes([{ type: "upsample2d", scale: [2, 3] }], [4, 5, 7]), [[4, 10, 21]]);
  assertEquals(shapes([{ type: "upsample1d", scale: 4, mode: "linear" }], [2, 9]), [[2, 36]]);
  const [u] = resolveLayers([{ type: "upsample2d", scale: 2, mode: "bilinear" }], [1, 3, 3]);
  assertEquals(u.op === "upsample" && u.mode, "linear");
  assertThrows(() => resolveLayers([{ type: "upsample2d", scale: 0 }], [1, 3, 3]), RangeError, "scale");
  assertThrows(
    () => resolveLayers([{ type: "upsample1d", scale: 2, mode: "bilinear" } as unknown as LayerSpec], [1, 3]),
    TypeError,
    '"linear"',
  );
  assertThrows(() => resolveLayers([{ type: "upsample2d", scale: 2 }], [1, 3]), TypeError, "(C,H,W)");
  assertThrows(
    () => resolveLayers([{ type: "upsample2d", scale: 1024 }], [1, 64, 64]),
    RangeError,
    "elements",
  );
});

Deno.test("spec: transposed conv sizes follow (in − 1)·s − p0 − p1 + d·(k − 1) + 1 + outputPadding; weights are (inC, outC/groups, kh, kw)", async () => {
  const { forwardLayer } = await import("../runtime/cpu/forward.ts");
  const { paramShapes } = await import("../runtime/format/spec.ts");
  // PyTorch: ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1) on 5×7 → 10×14
  const [l] = resolveLayers([{
    type: "conv2dtranspose",
    filters: 6,
    kernel: 3,
    stride: 2,
    padding: 1,
    outputPadding: 1,
  }], [
    4,
    5,
    7,
  ]);
  assertEquals([l.outShape, paramShapes(l)], [[6, 10, 14], [[4, 6, 3, 3], [6]]]);
  assertEquals(shapes([{ type: "conv1dtranspose", filters: 2, kernel: 4, dilation: 2, groups: 2 }], [4, 9]), [
    [2, 15],
  ]);
  // by hand: x = [1, 2] (1 channel), kernel [1, 10, 100], stride 2, padding 1 → [10, 100 + 2, 20]
  const [t] = resolveLayers([{
    type: "conv1dtranspose",
    filters: 1,
    kernel: 3,
    stride: 2,
    padding: 1,
    bias: false,
  }], [1, 2]);
  assertEquals(Array.from(forwardLayer(t, [Float32Array.of(1, 10, 100)], Float32Array.of(1, 2), 1)), [
    10,
    102,
    20,
  ]);
  assertThrows(
    () =>
      resolveLayers([{ type: "conv2dtranspose", filters: 1, kernel: 3, stride: 2, outputPadding: 2 }], [
        1,
        4,
        4,
      ]),
    RangeError,
    "outputPadding",
  );
  assertThrows(
    () =>
      resolveLayers([
        { type: "conv2dtranspose", filters: 1, kernel: 3, padding: "same" } as unknown as LayerSpec,
      ], [1, 4, 4]),
    TypeError,
    "explicit",
  );
  assertThrows(
    () => resolveLayers([{ type: "conv1dtranspose", filters: 1, kernel: 2, padding: 5 }], [1, 2]),
    RangeError,
    "no output",
  );
});

Deno.test("conv2dtranspose matches PyTorch's conv_transpose2d (stride (2,1), padding (1,0), output padding (1,0), dilation (1,2))", async () => {
  const { forwardLayer } = await import("../runtime/cpu/forward.ts");
  const [l] = resolveLayers([{
    type: "conv2dtranspose",
    filters: 3,
    kernel: 2,
    stride: [2, 1],
    padding: [1, 1, 0, 0],
    outputPadding: [1, 0],
    dilation: [1, 2],
  }], [2, 2, 3]);
  assertEquals(l.outShape, [3, 3, 5]);
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 10);
  const w = Float32Array.from({ length: 24 }, (_, i) => (i - 5) / 8);
  const y = forwardLayer(l, [w, Float32Array.of(0.5, -0.25, 0.125)], x, 1);
  // /usr/bin/python3: torch.nn.functional.conv_transpose2d(torch.arange(12.).reshape(1,2,2,3) / 10,
  //   (torch.arange(24.).reshape(2,3,2,2) - 5) / 8, torch.tensor([0.5, -0.25, 0.125]), stride=(2,1),
  //   padding=(1,0), output_padding=(1,0), dilation=(1,2))  (PyTorch 1.13)
  const torch = [
    1.175,
    1.25,
    2.075,
    1.35,
    1.45,
    1.1,
    1.125,
    1.9,
    1.3,
    1.35,
    1.4,
    1.475,
    2.6,
    1.65,
    1.75,
    0.725,
    0.9,
    2.125,
    1.0,
    1.2,
    0.95,
    1.075,
    2.55,
    1.25,
    1.4,
    1.25,
    1.425,
    3.25,
    1.6,
    1.8,
    1.4,
    1.675,
    3.3,
    1.775,
    2.075,
    1.925,
    2.15,
    4.325,
    2.325,
    2.575,
    2.225,
    2.5,
    5.025,
    2.675,
    2.975,
  ];
  y.forEach((v, i) => assert(Math.abs(v - torch[i]) < 1e-5, `y[${i}] = ${v}, PyTorch ${torch[i]}`));
});
