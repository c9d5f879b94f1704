// The pieces both Winograd kernels share (runtime/cpu/winograd_tiles.ts):
// gemm64 against a float64 triple loop on seeded random odd shapes and
// offsets (M, N not multiples of 4; nothing written outside the result),
// gatherTile against direct indexing with zero padding on every side, and
// storeBlock's bias, ReLU and right/bottom-edge clipping. Prints its seed.

import { assertEquals } from "@std/assert";
import { gatherTile, gemm64, storeBlock, winogradScratch } from "../runtime/ops/conv/winograd_tiles.ts";
import { Scratch } from "../runtime/cpu/scratch.ts";
import { uniformFn as rng } from "../train/rng.ts";
import { intsOf, testSeed } from "./helpers/system.ts";

const SEED = testSeed("cpu_winograd_tiles", 7741);

Deno.test("gemm64 equals a float64 triple loop on random odd shapes and offsets", () => {
  const r = rng(SEED);
  const int = intsOf(r);
  for (let t = 0; t < 60; t++) {
    const M = int(1, 11), N = int(1, 11), K = int(1, 30);
    const aOff = int(0, 5), bOff = int(0, 5), cOff = int(0, 5);
    const a = new Float64Array(aOff + M * K).map(() => r() * 2 - 1);
    const bt = new Float64Array(bOff + N * K).map(() => r() * 2 - 1); // (N, K)
    const c = new Float64Array(cOff + M * N + 4).fill(-7);
    gemm64(a, aOff, bt, bOff, M, N, K, c, cOff);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[aOff + i * K + k] * bt[bOff + j * K + k];
        const got = c[cOff + i * N + j];
        if (Math.abs(got - s) > 1e-12 * (1 + Math.abs(s))) {
          throw new Error(`M=${M} N=${N} K=${K}: c[${i},${j}] = ${got}, expected ${s}`);
        }
      }
    }
    for (let i = 0; i < cOff; i++) assertEquals(c[i], -7, "wrote before cOff");
    for (let i = cOff + M * N; i < c.length; i++) assertEquals(c[i], -7, "wrote past the result");
  }
});

Deno.test("gatherTile reads the s×s tile with zeros outside the plane", () => {
  const inH = 5, inW = 7, xc = 3;
  const x = new Float32Array(xc + inH * inW).map((_, i) => i + 1);
  for (const s of [4, 6]) {
    for (let iy0 = -s; iy0 <= inH; iy0++) {
      for (let ix0 = -s; ix0 <= inW; ix0++) {
        const d = new Float64Array(s * s).fill(NaN);
        gatherTile(x, xc, iy0, ix0, inH, inW, s, d);
        for (let r = 0; r < s; r++) {
          for (let c = 0; c < s; c++) {
            const iy = iy0 + r, ix = ix0 + c;
            const want = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? x[xc + iy * inW + ix] : 0;
            assertEquals(d[s * r + c], want, `s=${s} tile (${iy0},${ix0}) cell (${r},${c})`);
          }
        }
      }
    }
  }
});

Deno.test("storeBlock adds the bias, applies ReLU and clips at the right and bottom edges", () => {
  const outH = 3, outW = 3, yo = 2;
  for (const relu of [false, true]) {
    const y = new Float32Array(yo + outH * outW + 2).fill(-9);
    for (let oy = 0; oy < outH; oy += 2) {
      for (let ox = 0; ox < outW; ox += 2) storeBlock(y, yo, oy, ox, outH, outW, 0.5, relu, 1, -2, 3, -4);
    }
    // every cell is the block value at its position within its block, + bias
    const cell = [[1.5, -1.5], [3.5, -3.5]];
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const v = cell[i % 2][j % 2];
        assertEquals(y[yo + i * outW + j], relu ? Math.max(v, 0) : v, `relu=${relu} (${i},${j})`);
      }
    }
    assertEquals([y[0], y[1], y[y.length - 2], y[y.length - 1]], [-9, -9, -9, -9], "wrote outside the plane");
  }
});

Deno.test("winogradScratch grows to fit, is reused, and goes with its Scratch's release", () => {
  const s = new Scratch();
  const a = winogradScratch(s, 16, 10, 3, 5);
  assertEquals(a.V.length >= 16 * 10 * 3 && a.M.length >= 16 * 5 * 10, true);
  const b = winogradScratch(s, 16, 2, 2, 2);
  assertEquals(b.V === a.V && b.M === a.M, true, "a smaller request reuses the buffers");
  const c = winogradScratch(s, 36, 10, 3, 5);
  assertEquals(c.V.length >= 36 * 10 * 3 && c.M.length >= 36 * 5 * 10, true);
  s.release();
  assertEquals(s.bytes, 0);
  assertEquals(winogradScratch(s, 16, 2, 2, 2).V === c.V, false, "released arrays are not handed out again");
});
