// CPU training backend: a tiny fixed network whose first losses and final
// weights after 20 SGD steps are pinned to checked-in literals; seed
// reproducibility; exact getState/setState round trip and bit-identical
// resume (with dropout, batchnorm and Adam); eval-mode predict; optimizer
// formulas against hand-computed updates; input validation.

import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import type { TrainConfig } from "../train/backend.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { optimizerUpdate, resolveOptimizer } from "../train/ops/optimizer/cpu.ts";
import { Rng } from "../train/rng.ts";

const TINY: TrainConfig = {
  inputShape: [1, 6, 6],
  layers: [
    { type: "conv2d", filters: 2, kernel: 3 },
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
    { type: "flatten" },
    { type: "dense", units: 3 },
  ],
  loss: "softmax_xent",
  optimizer: { type: "sgd", momentum: 0.9 },
  seed: 1,
};

function tinyData(): { x: Float32Array; y: Int32Array } {
  const r = new Rng(7);
  return { x: new Float32Array(4 * 36).map(() => r.next()), y: Int32Array.from([0, 1, 2, 1]) };
}

const EXPECTED_LOSSES = [
  1.7776502035927995,
  1.1980857398620772,
  0.9909020091422813,
  1.004958577858143,
  1.028508321093488,
];
const EXPECTED_PARAMS = [
  [
    [
      1.4969663619995117,
      0.3506193161010742,
      -0.623202383518219,
      -0.24552813172340393,
      0.9968535304069519,
      -0.3718857169151306,
      -0.4084615409374237,
      -0.20230701565742493,
      -0.7219375371932983,
      -0.6954411864280701,
      -0.33270972967147827,
      -0.6791529655456543,
      -0.47340431809425354,
      -0.40342387557029724,
      -1.064102053642273,
      -0.2856946885585785,
      -1.0018961429595947,
      0.03584403917193413,
    ],
    [-0.4157649874687195, -1.133866310119629],
  ],
  [],
  [],
  [],
  [
    [
      -0.6673504114151001,
      1.113041639328003,
      0.112965889275074,
      -0.19630172848701477,
      0.018835578113794327,
      -0.2705189287662506,
      -0.5011904239654541,
      0.6269858479499817,
      0.5506669282913208,
      -0.49433889985084534,
      0.15172912180423737,
      0.0469011589884758,
      0.39103683829307556,
      0.5546066164970398,
      -0.2865789234638214,
      0.8919206261634827,
      0.1668751835823059,
      -0.9340484738349915,
      -1.4163862466812134,
      -0.5163717865943909,
      0.3110230267047882,
      0.5110577344894409,
      0.1723015308380127,
      0.15666335821151733,
    ],
    [-0.34884798526763916, 0.34228870272636414, 0.006559445057064295],
  ],
];

Deno.test("cpu backend: tiny conv→relu→maxpool→dense net, 20 SGD steps match checked-in losses and weights", async () => {
  const be = createCpuBackend(TINY);
  const { x, y } = tinyData();
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) losses.push((await be.step(x, y, 4, 0.1)).loss);
  losses.slice(0, 5).forEach((l, i) => assertAlmostEquals(l, EXPECTED_LOSSES[i], 1e-6, `loss ${i}`));
  assert(losses[19] < losses[0] * 0.5, `loss should fall: ${losses[0]} → ${losses[19]}`);
  const s = await be.getState();
  assertEquals(s.step, 20);
  s.params.forEach((layer, i) =>
    layer.forEach((t, j) => {
      assertEquals(t.length, EXPECTED_PARAMS[i][j].length);
      t.forEach((v, k) => assertAlmostEquals(v, EXPECTED_PARAMS[i][j][k], 1e-6, `param ${i}.${j}[${k}]`));
    })
  );
  be.dispose();
});

const RICH: TrainConfig = {
  ...TINY,
  optimizer: { type: "adamw", weightDecay: 0.05 },
  seed: 42,
  inputShape: [2, 7, 7],
  layers: [
    { type: "conv2d", filters: 4, kernel: 3, stride: 2, padding: "same" },
    { type: "batchnorm" },
    { type: "relu" },
    { type: "dropout", rate: 0.3 },
    { type: "flatten" },
    { type: "dense", units: 5 },
  ],
};

function richBatch(k: number): { x: Float32Array; y: Int32Array } {
  const r = Rng.derive(9, k);
  return {
    x: new Float32Array(3 * 98).map(() => r.normal()),
    y: Int32Array.from({ length: 3 }, () => r.int(5)),
  };
}

Deno.test("cpu backend: same seed → bit-identical weights; state round trip and resume are exact", async () => {
  const a = createCpuBackend(RICH), b = createCpuBackend(RICH);
  for (let k = 0; k < 6; k++) {
    const { x, y } = richBatch(k);
    const ra = await a.step(x, y, 3, 0.01);
    const rb = await b.step(x, y, 3, 0.01);
    assertEquals(ra, rb);
  }
  const sa = await a.getState();
  assertEquals(sa, await b.getState());
  assert(sa.running[1][1].some((v) => v !== 1), "batchnorm running variance was updated");
  assertEquals(sa.slots[0][0].length, 2, "adamw keeps m and v");

  // resume: a fresh backend restored from a's state continues exactly like a
  const c = createCpuBackend({ ...RICH, seed: 42 });
  await c.setState(sa);
  assertEquals(await c.getState(), sa);
  for (let k = 6; k < 9; k++) {
    const { x, y } = richBatch(k);
    assertEquals(await a.step(x, y, 3, 0.01), await c.step(x, y, 3, 0.01));
  }
  assertEquals(await a.getState(), await c.getState());
  // getState is a snapshot: mutating it does not touch the backend
  const snap = await a.getState();
  snap.params[0][0][0] += 1;
  assert((await a.getState()).params[0][0][0] !== snap.params[0][0][0]);

  // predict is eval mode: deterministic (no dropout) and batch-independent (running stats)
  const { x } = richBatch(100);
  const p1 = await a.predict(x, 3);
  assertEquals(p1, await a.predict(x, 3));
  assertEquals(p1.subarray(5, 10), await a.predict(x.slice(98, 196), 1));
  a.dispose();
  await assertRejects(() => a.predict(x, 3));
});

Deno.test("cpu backend: bad inputs and states are rejected with typed errors", async () => {
  const be = createCpuBackend(TINY);
  const { x, y } = tinyData();
  await assertRejects(() => be.step(x.subarray(1), y, 4, 0.1), TypeError);
  await assertRejects(() => be.step(x, Int32Array.from([0, 1, 5, 1]), 4, 0.1), RangeError);
  await assertRejects(() => be.step(x, y, 4, NaN), RangeError);
  const s = await be.getState();
  s.params[0][0] = new Float32Array(3);
  await assertRejects(() => be.setState(s), TypeError);
  assertThrows(() => createCpuBackend({ ...TINY, optimizer: { type: "sgd", momentum: 1.5 } }), RangeError);
  assertThrows(() => createCpuBackend({ ...TINY, layers: [{ type: "dropout", rate: 1 }] }), RangeError);
});

Deno.test("optimizers: one update matches the hand-computed formulas", () => {
  const g = Float64Array.from([0.5, -2]);
  // SGD + L2: p − lr(g + wd·p)
  let p = Float32Array.from([1, -1]);
  optimizerUpdate(resolveOptimizer({ type: "sgd", weightDecay: 0.1 }), p, g, [], 0.5, 1);
  assertEquals(Array.from(p), [Math.fround(1 - 0.5 * 0.6), Math.fround(-1 - 0.5 * (-2 + 0.1 * -1))]);
  // SGD momentum 0.9, second step with v = 1: v' = 0.9 + g; nesterov step = g + 0.9 v'
  for (const nesterov of [false, true]) {
    p = Float32Array.from([1, -1]);
    const v = Float32Array.from([1, 1]);
    optimizerUpdate(resolveOptimizer({ type: "sgd", momentum: 0.9, nesterov }), p, g, [v], 0.1, 2);
    const v0 = 0.9 + 0.5, v1 = 0.9 - 2;
    assertEquals(Array.from(v), [Math.fround(v0), Math.fround(v1)]);
    const s0 = nesterov ? 0.5 + 0.9 * Math.fround(v0) : Math.fround(v0);
    const s1 = nesterov ? -2 + 0.9 * Math.fround(v1) : Math.fround(v1);
    assertEquals(Array.from(p), [Math.fround(1 - 0.1 * s0), Math.fround(-1 - 0.1 * s1)]);
  }
  // Adam, first step: m̂ = g, v̂ = g², so p moves by lr·g/(|g| + eps) ≈ lr·sign(g)
  p = Float32Array.from([1, -1]);
  const m = new Float32Array(2), v = new Float32Array(2);
  optimizerUpdate(resolveOptimizer({ type: "adam" }), p, g, [m, v], 0.01, 1);
  assertAlmostEquals(p[0], 0.99, 1e-6);
  assertAlmostEquals(p[1], -0.99, 1e-6);
  assertAlmostEquals(m[0], 0.05, 1e-7);
  assertAlmostEquals(v[1], 0.004, 1e-7);
  // AdamW decouples the decay: p(1 − lr·wd) then the Adam step; Adam+L2 folds it into g
  p = Float32Array.from([1, -1]);
  optimizerUpdate(
    resolveOptimizer({ type: "adamw", weightDecay: 0.5 }),
    p,
    g,
    [new Float32Array(2), new Float32Array(2)],
    0.01,
    1,
  );
  assertAlmostEquals(p[0], 1 * (1 - 0.005) - 0.01, 1e-6);
  assertAlmostEquals(p[1], -1 * (1 - 0.005) + 0.01, 1e-6);
  p = Float32Array.from([1, -1]);
  optimizerUpdate(
    resolveOptimizer({ type: "adam", weightDecay: 10 }),
    p,
    g,
    [new Float32Array(2), new Float32Array(2)],
    0.01,
    1,
  );
  // g + wd·p = [10.5, −12]: still ≈ lr·sign
  assertAlmostEquals(p[0], 0.99, 1e-6);
  assertAlmostEquals(p[1], -0.99, 1e-6);
});
