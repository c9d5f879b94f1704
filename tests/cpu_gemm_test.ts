// The register-blocked gemm and the fused executor paths: gemmNT against
// a float64 triple loop on seeded random odd shapes (M, N not multiples of 4,
// both output layouts, bias/no bias, ReLU/no ReLU), and CpuExecutor with
// conv→relu and dense→relu fusion equal to chained forwardLayer bit for bit
// for batches 1..9. Prints its seed.

import { assertEquals } from "@std/assert";
import { gemmNT } from "../runtime/cpu/gemm.ts";
import { CpuExecutor, forwardLayer } from "../runtime/cpu/forward.ts";
import { type LayerSpec, paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { uniformFn as rng } from "../train/rng.ts";
import { conv2dGemm } from "../runtime/ops/conv/conv_im2col.ts";
import { conv2dWinograd, useWinograd, winogradWeights } from "../runtime/ops/conv/winograd3x3.ts";
import { conv2dWinograd5, winograd5Weights } from "../runtime/ops/conv/winograd5x5.ts";
import { winogradFits } from "../runtime/ops/conv/winograd_tiles.ts";
import { intsOf, testSeed } from "./helpers/system.ts";

const SEED = testSeed("cpu_gemm", 20241);

Deno.test("gemmNT equals a float64 triple loop on random odd shapes and both layouts", () => {
  const r = rng(SEED);
  const int = intsOf(r);
  for (let t = 0; t < 60; t++) {
    const M = int(1, 13), N = int(1, 13), K = int(1, 40);
    const a = new Float32Array(M * K).map(() => r() * 2 - 1);
    const b = new Float32Array(K * N).map(() => r() * 2 - 1); // (K, N)
    const bt = new Float32Array(N * K); // (N, K) rows for packing
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[j * K + k] = b[k * N + j];
    const bias = r() < 0.5 ? new Float32Array(M).map(() => r() - 0.5) : null;
    const relu = r() < 0.5;
    const transposed = r() < 0.5;
    const c = new Float32Array(M * N + 3).fill(-7);
    const off = 3;
    const [rs, cs] = transposed ? [1, M] : [N, 1];
    const aOff = 2, bOff = 5; // operands at an offset inside larger arrays
    const aBuf = new Float32Array(aOff + M * K + 1).fill(NaN);
    aBuf.set(a, aOff);
    const bBuf = new Float32Array(bOff + N * K + 1).fill(NaN);
    bBuf.set(bt, bOff);
    gemmNT(aBuf, aOff, bBuf, bOff, M, N, K, bias, relu, c, off, rs, cs);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = bias ? bias[i] : 0;
        for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
        if (relu && s < 0) s = 0;
        const got = c[off + i * rs + j * cs];
        if (!(Math.abs(got - s) <= 1e-6 * Math.abs(s) + 1e-9)) {
          throw new Error(`M=${M} N=${N} K=${K} (${i},${j}): got ${got}, expected ${s}; seed ${SEED}`);
        }
      }
    }
    assertEquals([...c.subarray(0, off)], [-7, -7, -7], "writes stay inside the output");
  }
});

Deno.test("CpuExecutor with fused conv→relu and dense→relu equals chained forwardLayer exactly", () => {
  const r = rng(SEED + 1);
  const layers: LayerSpec[] = [
    { type: "conv2d", filters: 7, kernel: 3, padding: "same" },
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
    { type: "conv2d", filters: 5, kernel: [2, 3], stride: 2, padding: "full", dilation: 1 },
    { type: "relu" },
    { type: "conv2d", filters: 6, kernel: 3, groups: 1, padding: [1, 0, 2, 1], bias: false },
    { type: "flatten" },
    { type: "dense", units: 9 },
    { type: "relu" },
    { type: "dense", units: 3, bias: false },
    { type: "softmax" },
  ];
  const input = [2, 11, 9];
  const res = resolveLayers(layers, input);
  const params = res.map((l) =>
    paramShapes(l).map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)).map(() => r() - 0.5))
  );
  const ex = new CpuExecutor(res, params);
  const per = input.reduce((a, b) => a * b, 1);
  for (const N of [1, 4, 9, 2, 5]) {
    const x = new Float32Array(N * per).map(() => r() * 2 - 1);
    let ref: Float32Array = x;
    for (let i = 0; i < res.length; i++) ref = forwardLayer(res[i], params[i], ref, N);
    assertEquals([...ex.run(x, N)], [...ref], `batch ${N}, seed ${SEED}`);
  }
});

Deno.test("maxPool2x2 fast path equals the general max pool on odd and even sizes", async () => {
  const { pool2d } = await import("../runtime/ops/pool/pool_direct.ts");
  const { isMaxPool2x2, maxPool2x2 } = await import("../runtime/ops/pool/maxpool2x2.ts");
  const r = rng(SEED + 2);
  for (const [C, H, W, N] of [[1, 2, 2, 1], [3, 7, 5, 2], [2, 12, 9, 3], [4, 1, 6, 1]]) {
    if (H < 2) continue;
    const [l] = resolveLayers([{ type: "maxpool2d", size: 2 }], [C, H, W]);
    if (l.op !== "pool") throw new Error("expected pool");
    assertEquals(isMaxPool2x2(l, l.mode), true);
    const x = new Float32Array(N * C * H * W).map(() => r() * 2 - 1);
    const n = N * l.outShape.reduce((a, b) => a * b, 1);
    assertEquals([...maxPool2x2(l, x, N, new Float32Array(n))], [
      ...pool2d(l, "max", x, N, new Float32Array(n)),
    ]);
  }
  const [same] = resolveLayers([{ type: "maxpool2d", size: 2, padding: "same" }], [1, 5, 5]);
  if (same.op !== "pool") throw new Error("expected pool");
  assertEquals(isMaxPool2x2(same, same.mode), false, "padded pools take the general path");
});

const WINOGRADS = [
  { k: 3, run: conv2dWinograd, prep: winogradWeights, maxC: 9, maxHW: 10, seed: 3, minCases: 40 },
  { k: 5, run: conv2dWinograd5, prep: winograd5Weights, maxC: 8, maxHW: 12, seed: 4, minCases: 30 },
];

for (const v of WINOGRADS) {
  Deno.test(`Winograd F(2x2,${v.k}x${v.k}) equals the im2col gemm conv on random shapes and paddings`, () => {
    const r = rng(SEED + v.seed);
    const int = intsOf(r);
    let cases = 0;
    for (let t = 0; t < 60; t++) {
      const C = int(3, v.maxC), O = int(1, 9), H = int(1, v.maxHW), W = int(1, v.maxHW), N = int(1, 3);
      const m = v.k >> 1;
      const pads = ["same", "valid", "full", [int(0, m), int(0, m), int(0, m), int(0, m)]];
      let l;
      try {
        [l] = resolveLayers(
          [{ type: "conv2d", filters: O, kernel: v.k, padding: pads[t % 4] } as LayerSpec],
          [C, H, W],
        );
      } catch {
        continue; // window larger than the padded input
      }
      if (l.op !== "conv") throw new Error("expected conv");
      assertEquals(winogradFits(l, v.k), true);
      const w = new Float32Array(O * C * v.k * v.k).map(() => r() - 0.5);
      const b = t % 3 === 0 ? null : new Float32Array(O).map(() => r() - 0.5);
      const x = new Float32Array(N * C * H * W).map(() => r() * 2 - 1);
      const n = N * l.outShape.reduce((a, d) => a * d, 1);
      const relu = t % 2 === 0;
      const ref = conv2dGemm(l, w, b, x, N, new Float32Array(n), relu);
      const got = v.run(l, v.prep(l, w), b, x, N, new Float32Array(n).fill(NaN), relu);
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(got[i] - ref[i]) <= 1e-6 * Math.abs(ref[i]) + 1e-9)) {
          throw new Error(
            `case ${t} (${C},${H},${W})→${O} pad ${pads[t % 4]}: [${i}] ${got[i]} vs ${ref[i]}; seed ${SEED}`,
          );
        }
      }
      cases++;
    }
    assertEquals(cases > v.minCases, true, `only ${cases} shapes resolved`);
  });
}

Deno.test("Winograd runs only where it pays: stride 1 and ≥ 3 input channels", () => {
  const [strided] = resolveLayers([{ type: "conv2d", filters: 4, kernel: 3, stride: 2 }], [4, 9, 9]);
  if (strided.op !== "conv") throw new Error("expected conv");
  assertEquals(useWinograd(strided), false, "strided convs stay on im2col");
  const [gray2] = resolveLayers([{ type: "conv2d", filters: 4, kernel: 3 }], [2, 9, 9]);
  if (gray2.op !== "conv") throw new Error("expected conv");
  assertEquals(useWinograd(gray2), false, "1–2 input channels stay on im2col (faster there)");
});
