// End to end on WebGPU: train the tiny net a few hundred steps on an mnist
// subset, export f32/f16/int8, reload each through mod.ts and compare with
// the training-time predictions: f32 agrees on every argmax and within 1e-4
// in probability; f16/int8 stay within a stated accuracy drop. Skips without
// an adapter unless REQUIRE_WEBGPU=1 (then it fails).

import { assert, assertEquals } from "@std/assert";
import { NO_WEBGPU, testDevice } from "./helpers/webgpu.ts";
import { loadDataset } from "../train/data/datasets.ts";
import { makeBatch } from "../train/data/batches.ts";
import { archConfig, loadArch } from "../train/archs.ts";
import type { TrainConfig } from "../train/backend.ts";
import { evaluate, train } from "../train/trainer.ts";
import { createWebGpuBackend } from "../train/webgpu/gpu_backend.ts";
import { toModelDesc } from "../train/export.ts";
import { encodeModel, loadModel } from "../mod.ts";

Deno.test(
  "e2e webgpu: train tiny, export f32/f16/int8, reload through mod.ts",
  { ignore: NO_WEBGPU },
  async () => {
    const device = await testDevice("train_e2e_webgpu");
    if (!device) return;
    const data = await loadDataset("mnist", { seed: 2, limit: 800 });
    const arch = await loadArch("tiny", data.inputShape, 10);
    const cfg: TrainConfig = archConfig(arch, 2);
    const be = await createWebGpuBackend(device, cfg);
    try {
      const before = await evaluate(be, data.val, data);
      const r = await train({
        backend: be,
        data,
        epochs: 2,
        batch: 8,
        schedule: { name: "cosine", lr: 0.01 },
        seed: 2,
        augment: null,
        patience: 0,
      });
      assertEquals(r.steps, 200);
      const test = await evaluate(be, data.test, data);
      console.log(
        `val loss ${before.loss.toFixed(3)} -> ${
          r.history[1].valLoss.toFixed(3)
        }; test accuracy ${test.accuracy}`,
      );
      assert(r.history[1].valLoss < before.loss * 0.6, "loss must go down");
      assert(test.accuracy > 0.6, `test accuracy ${test.accuracy}`);

      const desc = toModelDesc(cfg, await be.getState(), {
        labels: data.classes,
        normalization: data.normalization,
        meta: { test: true },
      });
      const x = makeBatch(data.test, null, 0, data.test.n, data.inputShape, data.normalization).x;
      const k = 10;
      for (const dtype of ["f32", "f16", "int8"] as const) {
        const bytes = encodeModel(desc, { dtype });
        for (const backend of ["cpu", "webgpu"] as const) {
          const model = await loadModel(bytes, { backend });
          const p = await model.predict(x, { batch: data.test.n });
          model.dispose();
          let agree = 0, correct = 0, maxDiff = 0;
          for (let i = 0; i < data.test.n; i++) {
            const z = test.logits.subarray(i * k, (i + 1) * k);
            const m = Math.max(...z);
            const e = Array.from(z, (v) => Math.exp(v - m));
            const s = e.reduce((a, b) => a + b, 0);
            let arg = 0;
            for (let j = 0; j < k; j++) {
              maxDiff = Math.max(maxDiff, Math.abs(p[i * k + j] - e[j] / s));
              if (p[i * k + j] > p[i * k + arg]) arg = j;
            }
            if (arg === test.predicted[i]) agree++;
            if (arg === data.test.labels[i]) correct++;
          }
          const acc = correct / data.test.n;
          console.log(
            `${dtype} on ${backend}: ${bytes.length} bytes, accuracy ${acc}, agreement ${
              agree / data.test.n
            }, max |dp| ${maxDiff.toExponential(2)}`,
          );
          if (dtype === "f32") {
            assertEquals(agree, data.test.n, "f32 export must reproduce every training-time argmax");
            assert(maxDiff < 1e-4, `f32 probabilities differ by ${maxDiff}`);
          } else {
            assert(acc >= test.accuracy - 0.03, `${dtype} accuracy ${acc} vs f32 ${test.accuracy}`);
            assert(agree / data.test.n >= 0.95, `${dtype} agreement ${agree / data.test.n}`);
          }
        }
      }
    } finally {
      be.dispose();
      device.destroy();
    }
  },
);
