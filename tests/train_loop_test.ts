// The trainer loop: loss goes down, schedules, early stopping, and a run
// interrupted mid-epoch then resumed from its checkpoint ends bit-identical to
// an uninterrupted one. Uses a small in-test softmax-regression backend (a
// deterministic stand-in for a real TrainBackend) plus the real CPU backend
// when it is present.

import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import type { BackendState, StepResult, TrainBackend } from "../train/backend.ts";
import { loadDataset } from "../train/data/datasets.ts";
import {
  checkResumable,
  emptyMeta,
  epochOrder,
  evaluate,
  firstDifference,
  train,
  xentStats,
} from "../train/trainer.ts";
import { lrAt } from "../train/schedule.ts";
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint } from "../train/checkpoint.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { archConfig, loadArch } from "../train/archs.ts";

/** Softmax regression on flattened input, plain SGD: a deterministic TrainBackend for loop tests. */
export function linearBackend(features: number, classes: number): TrainBackend {
  const W = new Float32Array(classes * features);
  const b = new Float32Array(classes);
  let steps = 0;
  const logits = (x: Float32Array, n: number) => {
    const out = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < classes; k++) {
        let s = b[k];
        for (let f = 0; f < features; f++) s += W[k * features + f] * x[i * features + f];
        out[i * classes + k] = s;
      }
    }
    return out;
  };
  return {
    name: "cpu",
    step(x, labels, n, lr): Promise<StepResult> {
      const z = logits(x, n);
      const st = xentStats(z, labels, n, classes);
      for (let i = 0; i < n; i++) {
        const o = i * classes;
        let m = -Infinity;
        for (let k = 0; k < classes; k++) m = Math.max(m, z[o + k]);
        let s = 0;
        for (let k = 0; k < classes; k++) s += Math.exp(z[o + k] - m);
        for (let k = 0; k < classes; k++) {
          const g = (Math.exp(z[o + k] - m) / s - (k === labels[i] ? 1 : 0)) / n;
          b[k] -= lr * g;
          for (let f = 0; f < features; f++) W[k * features + f] -= lr * g * x[i * features + f];
        }
      }
      steps++;
      return Promise.resolve({ loss: st.lossSum / n, correct: st.correct });
    },
    predict: (x, n) => Promise.resolve(logits(x, n)),
    getState: (): Promise<BackendState> =>
      Promise.resolve({ params: [[W.slice(), b.slice()]], slots: [[]], running: [[]], step: steps }),
    setState(s) {
      W.set(s.params[0][0]);
      b.set(s.params[0][1]);
      steps = s.step;
      return Promise.resolve();
    },
    dispose() {},
  };
}

/** Wrap a backend so that it throws after `n` steps (a simulated kill). */
function dieAfter(inner: TrainBackend, n: number): TrainBackend {
  let k = 0;
  return {
    ...inner,
    name: inner.name,
    step(x, l, b, lr) {
      if (k++ >= n) throw new Error("simulated kill");
      return inner.step(x, l, b, lr);
    },
  };
}

const data = await loadDataset("mnist", { seed: 1, limit: 600 });
const opts = {
  data,
  epochs: 3,
  batch: 32,
  schedule: { name: "cosine" as const, lr: 0.05, warmup: 5 },
  seed: 9,
  augment: { shift: 1, flip: false },
  patience: 0,
};

Deno.test("loop: loss goes down and accuracy beats chance (linear backend)", async () => {
  const be = linearBackend(784, 10);
  const before = await evaluate(be, data.val, data);
  const r = await train({ ...opts, backend: be });
  const after = await evaluate(be, data.val, data);
  console.log(`val loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, acc ${after.accuracy}`);
  assertEquals(r.history.length, 3);
  assertEquals(r.steps, 3 * Math.ceil(600 / 32));
  assert(after.loss < before.loss * 0.5, `loss ${before.loss} -> ${after.loss}`);
  assert(r.history[2].trainLoss < r.history[0].trainLoss);
  assert(after.accuracy > 0.6, `accuracy ${after.accuracy}`);
});

Deno.test("loop: real CPU backend, tiny arch, 225 steps: loss goes down", async () => {
  const arch = await loadArch("tiny", data.inputShape, 10);
  const be = createCpuBackend(archConfig(arch, 4));
  try {
    const before = await evaluate(be, data.val, data);
    const r = await train({
      ...opts,
      backend: be,
      batch: 8,
      schedule: { name: "cosine", lr: 0.01, warmup: 10 },
    });
    assertEquals(r.steps, 225);
    const after = await evaluate(be, data.val, data);
    console.log(
      `cpu tiny: val loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, accuracy ${
        after.accuracy.toFixed(3)
      }`,
    );
    assert(after.loss < before.loss * 0.6, `loss ${before.loss} -> ${after.loss}`);
    assert(r.history[2].trainLoss < r.history[0].trainLoss);
    assert(after.accuracy > 0.6, `accuracy ${after.accuracy}`);
  } finally {
    be.dispose();
  }
});

Deno.test("loop: killed mid-epoch and resumed ends bit-identical to an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ref = linearBackend(784, 10);
    const rRef = await train({ ...opts, backend: ref });
    const ckpt = `${dir}/run.ckpt`;
    // 19 steps per epoch; checkpoint every 5 steps; die at step 19+12=31 (epoch 2, step 12)
    await assertRejects(
      () =>
        train({
          ...opts,
          backend: dieAfter(linearBackend(784, 10), 31),
          checkpointPath: ckpt,
          checkpointEvery: 5,
        }),
      Error,
      "simulated kill",
    );
    const c = await loadCheckpoint(ckpt);
    assertEquals([c.epoch, c.stepInEpoch], [1, 10]);
    assertEquals(c.order, epochOrder(data.train.n, opts.seed, 1));
    const be = linearBackend(784, 10);
    const r = await train({ ...opts, backend: be, checkpointPath: ckpt, checkpointEvery: 5, resume: c });
    const a = await ref.getState(), b = await be.getState();
    assertEquals(b.params, a.params);
    assertEquals(b.step, a.step);
    assertEquals(r.history.map((h) => h.valLoss), rRef.history.map((h) => h.valLoss));
    const done = await loadCheckpoint(ckpt);
    assertEquals([done.epoch, done.stepInEpoch, done.history.length], [3, 0, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loop: resume refuses a checkpoint of a different run", async () => {
  const be = linearBackend(784, 10);
  const s = await be.getState();
  const c = decodeCheckpoint(
    encodeCheckpoint({ ...emptyMeta({ batch: 64 }), state: s, epoch: 1 }),
    "x",
  );
  await assertRejects(
    () => train({ ...opts, backend: be, resume: c, run: { batch: 32 } }),
    TypeError,
    "batch",
  );
});

Deno.test("resume identity: key order does not count, a field added later counts as its old default", () => {
  const sgd = { type: "sgd", momentum: 0.9, weightDecay: 5e-4 };
  // a checkpoint written before --nesterov existed, fields in another order
  const saved = { batch: 128, optimizer: { weightDecay: 5e-4, type: "sgd", momentum: 0.9 } };
  checkResumable(saved, { batch: 128, optimizer: { ...sgd, nesterov: false } }, "old.ckpt");
  assertEquals(firstDifference({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), null);
  assertEquals(firstDifference({ a: [1, 2] }, { a: [1, 3] }), ".a[1]: 2 vs 3");
  // the old default is the only value a missing field stands for
  assertThrows(
    () => checkResumable(saved, { batch: 128, optimizer: { ...sgd, nesterov: true } }, "old.ckpt"),
    TypeError,
    "old.ckpt: cannot resume, the checkpoint's run differs from this one at optimizer.nesterov: false vs true",
  );
  assertThrows(
    () =>
      checkResumable(
        saved,
        { batch: 128, optimizer: { ...sgd, momentum: 0.8, nesterov: false } },
        "old.ckpt",
      ),
    TypeError,
    "optimizer.momentum: 0.9 vs 0.8",
  );
  assertEquals(saved.optimizer, { weightDecay: 5e-4, type: "sgd", momentum: 0.9 }, "saved is not changed");
  // Adam has no nesterov: neither side names it, and neither an old nor a new checkpoint differs for it
  const adam = { batch: 128, optimizer: { type: "adam", weightDecay: 0 } };
  checkResumable(adam, { batch: 128, optimizer: { type: "adam", weightDecay: 0 } }, "adam.ckpt");
  checkResumable({ ...adam, optimizer: { ...adam.optimizer, nesterov: false } }, adam, "adam.ckpt");
});

Deno.test("loop: early stopping stops after `patience` epochs without improvement and restores the best", async () => {
  // lr so large that training diverges in loss after the first epoch
  const be = linearBackend(784, 10);
  const r = await train({
    ...opts,
    backend: be,
    epochs: 8,
    patience: 2,
    schedule: { name: "constant", lr: 40 },
  });
  assert(r.stoppedEarly, JSON.stringify(r.history.map((h) => h.valLoss)));
  assert(r.history.length < 8);
  const best = Math.min(...r.history.map((h) => h.valLoss));
  assertEquals(r.best?.valLoss, best);
  const now = await evaluate(be, data.val, data);
  assertAlmostEquals(now.loss, best, 1e-6);
});

Deno.test("checkpoint: encode/decode round-trips and rejects damage", () => {
  const state: BackendState = {
    params: [[Float32Array.from([1, 2, 3])], []],
    slots: [[[Float32Array.from([4]), Float32Array.from([5, 6])]], []],
    running: [[], [Float32Array.from([7, 8])]],
    step: 12,
  };
  const c = {
    state,
    epoch: 2,
    stepInEpoch: 3,
    order: Uint32Array.from([2, 0, 1]),
    epochLossSum: 1.5,
    epochCorrect: 4,
    epochSamples: 9,
    history: [],
    best: { valLoss: 0.5, epoch: 1 },
    badEpochs: 1,
    run: { arch: "tiny" },
  };
  const bytes = encodeCheckpoint(c);
  assertEquals(decodeCheckpoint(bytes, "c"), c);
  let threw = 0;
  for (const bad of [bytes.subarray(0, bytes.length - 4), bytes.subarray(0, 20), new Uint8Array(30)]) {
    try {
      decodeCheckpoint(bad, "c");
    } catch (e) {
      assert(e instanceof TypeError || e instanceof RangeError);
      threw++;
    }
  }
  assertEquals(threw, 3);
});

Deno.test("schedule: warm-up, cosine and step values", () => {
  const base = { lr: 1, totalSteps: 100, stepsPerEpoch: 10 };
  assertAlmostEquals(lrAt({ ...base, name: "constant", warmup: 4 }, 0), 0.25);
  assertAlmostEquals(lrAt({ ...base, name: "constant", warmup: 4 }, 3), 1);
  assertAlmostEquals(lrAt({ ...base, name: "cosine" }, 0), 1);
  assertAlmostEquals(lrAt({ ...base, name: "cosine" }, 50), 0.5);
  assertAlmostEquals(lrAt({ ...base, name: "cosine" }, 100), 0);
  assertAlmostEquals(lrAt({ ...base, name: "step", stepEpochs: 3, gamma: 0.5 }, 29), 1);
  assertAlmostEquals(lrAt({ ...base, name: "step", stepEpochs: 3, gamma: 0.5 }, 30), 0.5);
  assertAlmostEquals(lrAt({ ...base, name: "step", stepEpochs: 3, gamma: 0.5 }, 60), 0.25);
});
