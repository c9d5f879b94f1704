// Golden forward tests from the CNN literature, with expected values written
// out literally (hand-checked cells in comments):
// (1) the CS231n "convolution demo" geometry: a 5×5×3 input zero-padded by 1
//     to 7×7×3, two 3×3×3 filters, stride 2, biases 1 and 0 → 3×3×2;
// (2) a 1-D convolution (second-difference kernel) followed by max pooling,
//     with valid and same padding, where the max picks different positions.
import { assertEquals } from "@std/assert";
import { type LayerSpec, resolveLayers } from "../runtime/format/spec.ts";
import { CpuExecutor, forwardLayer } from "../runtime/cpu/forward.ts";

const f32 = (v: number[]) => new Float32Array(v);

Deno.test("golden: CS231n conv demo, 7x7x3 padded input, two 3x3x3 filters, stride 2", () => {
  // x is (3,5,5), CHW; padding 1 makes it 7×7 with a zero border
  const x = f32([
    // channel 0
    ...[1, 0, 2, 1, 0],
    ...[0, 2, 1, 0, 2],
    ...[2, 1, 0, 2, 1],
    ...[1, 0, 2, 2, 0],
    ...[0, 1, 1, 0, 2],
    // channel 1
    ...[2, 1, 0, 0, 1],
    ...[1, 0, 2, 1, 0],
    ...[0, 2, 1, 2, 2],
    ...[1, 1, 0, 0, 1],
    ...[2, 0, 1, 2, 0],
    // channel 2
    ...[0, 1, 1, 2, 0],
    ...[2, 0, 0, 1, 1],
    ...[1, 1, 2, 0, 0],
    ...[0, 2, 1, 1, 2],
    ...[1, 0, 0, 2, 1],
  ]);
  // w is (2,3,3,3): filter W0 then W1, each channel a 3×3 block
  const w = f32([
    // W0
    ...[1, 0, -1, 0, 1, 0, -1, 0, 1],
    ...[0, 1, 1, -1, 0, 0, 1, -1, 0],
    ...[-1, 1, 0, 0, 0, 1, 1, 0, -1],
    // W1
    ...[0, -1, 0, 1, 1, -1, 0, 0, 1],
    ...[1, 0, 0, 0, -1, 1, -1, 1, 0],
    ...[0, 0, -1, 1, 0, 0, 0, 1, 1],
  ]);
  const b = f32([1, 0]);
  // Hand checks (window = padded rows 2i..2i+2, cols 2j..2j+2):
  // out0[0,0]: ch0 window [[0,0,0],[0,1,0],[0,0,2]]·W0c0 = 1·1 + 2·1 = 3;
  //            ch1 [[0,0,0],[0,2,1],[0,1,0]]·W0c1 = 2·0 + 1·0 + 1·(−1) = −1;
  //            ch2 [[0,0,0],[0,0,1],[0,2,0]]·W0c2 = 1·1 + 2·0 = 1;  3 − 1 + 1 + b0(1) = 4
  // out0[1,1]: ch0 [[2,1,0],[1,0,2],[0,2,2]]·W0c0 = 2 + 2 = 4;
  //            ch1 [[0,2,1],[2,1,2],[1,0,0]]·W0c1 = 2 + 1 − 2 + 1 = 2;
  //            ch2 [[0,0,1],[1,2,0],[2,1,1]]·W0c2 = 2 − 1 = 1;  4 + 2 + 1 + 1 = 8
  // out1[0,2]: ch0 [[0,0,0],[1,0,0],[0,2,0]]·W1c0 = 1·1 = 1;
  //            ch1 [[0,0,0],[0,1,0],[1,0,0]]·W1c1 = −1 − 1 = −2;
  //            ch2 [[0,0,0],[2,0,0],[1,1,0]]·W1c2 = 2 + 1 = 3;  1 − 2 + 3 + b1(0) = 2
  const expected = [
    // output channel 0 (W0, bias 1)
    ...[4, -1, 3],
    ...[2, 8, -2],
    ...[3, 1, 5],
    // output channel 1 (W1, bias 0)
    ...[5, 5, 2],
    ...[6, 2, 3],
    ...[-6, 1, 4],
  ];
  const [l] = resolveLayers([{ type: "conv2d", filters: 2, kernel: 3, stride: 2, padding: 1 }], [3, 5, 5]);
  assertEquals(l.outShape, [2, 3, 3]);
  assertEquals([...forwardLayer(l, [w, b], x, 1)], expected);
  // batch of 2 (second sample = 2·x, so outputs are 2·(out − b) + b)
  const x2 = new Float32Array(150);
  x2.set(x);
  x2.set(x.map((v) => 2 * v), 75);
  const y2 = forwardLayer(l, [w, b], x2, 2);
  assertEquals([...y2.subarray(0, 18)], expected);
  assertEquals([...y2.subarray(18)], expected.map((v, i) => (i < 9 ? 2 * (v - 1) + 1 : 2 * v)));
});

Deno.test("golden: 1-D conv (second difference) + max pool", () => {
  // x is (1,8); kernel [1,-2,1] (cross-correlation), bias -1
  const x = f32([3, 1, 4, 1, 5, 9, 2, 6]);
  const w = f32([1, -2, 1]);
  const b = f32([-1]);
  // valid: y[i] = x[i] − 2x[i+1] + x[i+2] − 1
  //   y0 = 3 − 2 + 4 − 1 = 4;   y1 = 1 − 8 + 1 − 1 = −7;  y2 = 4 − 2 + 5 − 1 = 6
  //   y3 = 1 − 10 + 9 − 1 = −1; y4 = 5 − 18 + 2 − 1 = −12; y5 = 9 − 4 + 6 − 1 = 10
  // maxpool size 2 (stride 2): max(4,−7)=4, max(6,−1)=6, max(−12,10)=10
  const specs: LayerSpec[] = [
    { type: "conv1d", filters: 1, kernel: 3 },
    { type: "maxpool1d", size: 2 },
  ];
  const ls = resolveLayers(specs, [1, 8]);
  assertEquals(ls.map((l) => l.outShape), [[1, 6], [1, 3]]);
  const conv = forwardLayer(ls[0], [w, b], x, 1);
  assertEquals([...conv], [4, -7, 6, -1, -12, 10]);
  assertEquals([...forwardLayer(ls[1], [], conv, 1)], [4, 6, 10]);
  assertEquals([...new CpuExecutor(ls, [[w, b], []]).run(x, 1)], [4, 6, 10]);

  // same padding (one zero each side): ends are 0 − 6 + 1 − 1 = −6 and 2 − 12 + 0 − 1 = −11
  // → [−6, 4, −7, 6, −1, −12, 10, −11]; maxpool 3 stride 2 (valid): windows
  // [−6,4,−7]→4, [−7,6,−1]→6, [−1,−12,10]→10 (8 → floor((8−3)/2)+1 = 3 outputs)
  const ls2 = resolveLayers([
    { type: "conv1d", filters: 1, kernel: 3, padding: "same" },
    { type: "maxpool1d", size: 3, stride: 2 },
  ], [1, 8]);
  const conv2 = forwardLayer(ls2[0], [w, b], x, 1);
  assertEquals([...conv2], [-6, 4, -7, 6, -1, -12, 10, -11]);
  assertEquals([...forwardLayer(ls2[1], [], conv2, 1)], [4, 6, 10]);

  // stride 2 + dilation 2 conv: taps x[2o], x[2o+2], x[2o+4]; 8 → floor((8−5)/2)+1 = 2
  //   o0: 3 − 8 + 5 − 1 = −1;  o1: 4 − 10 + 2 − 1 = −5
  const [ld] = resolveLayers([{ type: "conv1d", filters: 1, kernel: 3, stride: 2, dilation: 2 }], [1, 8]);
  assertEquals([...forwardLayer(ld, [w, b], x, 1)], [-1, -5]);
});

Deno.test("golden: pooling on a 4x4 plane (max, avg, l2)", () => {
  const x = f32([
    ...[1, 3, 2, 0],
    ...[4, -2, 1, 5],
    ...[0, 6, -1, -3],
    ...[2, 1, 4, 4],
  ]);
  const run = (
    type: "maxpool2d" | "avgpool2d" | "l2pool2d",
  ) => [...forwardLayer(resolveLayers([{ type, size: 2 }], [1, 4, 4])[0], [], x, 1)];
  // windows: [1,3,4,−2], [2,0,1,5], [0,6,2,1], [−1,−3,4,4]
  assertEquals(run("maxpool2d"), [4, 5, 6, 4]);
  assertEquals(run("avgpool2d"), [1.5, 2, 2.25, 1]);
  // l2: sqrt(1+9+16+4)=√30, sqrt(4+0+1+25)=√30, sqrt(0+36+4+1)=√41, sqrt(1+9+16+16)=√42
  assertEquals(
    run("l2pool2d"),
    [Math.sqrt(30), Math.sqrt(30), Math.sqrt(41), Math.sqrt(42)].map(Math.fround),
  );
});
