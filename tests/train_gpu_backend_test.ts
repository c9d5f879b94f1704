// The WebGPU training backend end to end on tiny nets: eval predict vs the
// runtime CPU forward on the same (seeded) initial weights, loss going down
// on a fixed batch, getState/setState round trip reproducing a step exactly,
// and input validation. Tolerance for GPU vs CPU forward: 1e-4 relative.
// REQUIRE_WEBGPU=1 → a missing adapter fails instead of skipping.

import { assert, assertEquals, assertRejects } from "@std/assert";
import type { TrainConfig } from "../train/backend.ts";
import { createWebGpuBackend } from "../train/webgpu/gpu_backend.ts";
import { initParams } from "../train/init.ts";
import { resolveTrainLayers } from "../train/layers.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import type { LayerSpec, ResolvedLayer } from "../runtime/format/spec.ts";
import { DataRng } from "../train/data/prng.ts";
import { gpuTest } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("train_gpu_backend", 7);

const NET: LayerSpec[] = [
  { type: "conv2d", filters: 4, kernel: 3, stride: 2, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", size: 2, padding: "same" },
  { type: "conv2d", filters: 6, kernel: [2, 3], groups: 2, padding: 1 },
  { type: "tanh" },
  { type: "flatten" },
  { type: "dense", units: 5 },
];

function data(rng: DataRng, n: number, per: number, k: number) {
  const x = new Float32Array(n * per).map(() => rng.next() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  return { x, y };
}

gpuTest(
  "WebGPU training backend: predict, learning, state round trip, validation",
  "train_gpu_backend",
  async (device, t) => {
    console.log(`train_gpu_backend_test seed ${SEED}`);
    const rng = new DataRng(SEED);
    const cfg: TrainConfig = {
      inputShape: [2, 9, 7],
      layers: NET,
      loss: "softmax_xent",
      optimizer: { type: "adam" },
      seed: SEED,
    };
    const be = await createWebGpuBackend(device, cfg);
    const { x, y } = data(rng, 6, 2 * 9 * 7, 5);

    await t.step("predict equals the runtime CPU forward on initParams", async () => {
      const layers = resolveTrainLayers(NET, cfg.inputShape) as ResolvedLayer[];
      const want = new CpuExecutor(layers, initParams(layers, SEED)).run(x, 6);
      const got = await be.predict(x, 6);
      assertEquals(got.length, want.length);
      for (let i = 0; i < got.length; i++) {
        assert(
          Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])),
          `out ${i}: ${got[i]} vs ${want[i]}`,
        );
      }
    });

    await t.step("loss goes down on a fixed batch; state round trip repeats a step", async () => {
      const first = await be.step(x, y, 6, 0.01);
      let last = first;
      for (let k = 0; k < 30; k++) last = await be.step(x, y, 6, 0.01);
      assert(
        Number.isFinite(first.loss) && last.loss < 0.5 * first.loss,
        `loss ${first.loss} → ${last.loss}`,
      );
      const s = await be.getState();
      assertEquals(s.step, 31);
      const a = await be.step(x, y, 6, 0.01);
      await be.setState(s);
      const b = await be.step(x, y, 6, 0.01);
      assertEquals(b.loss, a.loss);
      assertEquals(b.correct, a.correct);
      // a smaller batch (new plan) after a larger one
      const r = await be.step(x.subarray(0, 2 * 9 * 7 * 3), y.subarray(0, 3), 3, 0.01);
      assert(Number.isFinite(r.loss) && r.correct >= 0 && r.correct <= 3);
    });

    await t.step("validation errors", async () => {
      await assertRejects(() => be.step(x, y, 5, 0.01), TypeError);
      await assertRejects(() => be.step(x, Int32Array.from(y).fill(9), 6, 0.01), RangeError);
      await assertRejects(() => be.predict(x.subarray(1), 6), TypeError);
    });
    be.dispose();
  },
);
