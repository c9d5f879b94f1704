// Training-throughput driver for the peers (same contract as bench/train_bench.ts):
// times optimisation steps of a bench model on seeded random 28×28 data and
// extrapolates to one 60k-sample epoch. Libraries: convnetjs (SGD momentum,
// batch 64, its per-sample trainer), tfjs-cpu (Adam, batch 64) under Node;
// tfjs-webgpu under Deno (run with --config peers/deno_peer.json from bench/).
// Usage: node bench/peers/train_peer.mjs --lib convnetjs|tfjs-cpu --model bench/.cache/small [--budget 20]
// Prints one JSON line {lib, arch, batch, samples_s, epoch_s, step_ms} or {error}.

import { args, emit, loadManifest, makeInput, rng, stats } from "./common.mjs";
import { buildTfjs } from "./tfjs_model.mjs";
import { buildConvnet } from "./convnet_model.mjs";

const a = args();
const lib = a.lib;
const base = a.model;
const batch = 64;
const budgetMs = Number(a.budget ?? 20) * 1000;
const maxSteps = Number(a.steps ?? 10);
const arch = base.split("/").pop();

async function stepper() {
  const { manifest, p } = loadManifest(base);
  const [c, h, w] = manifest.inputShape;
  const per = c * h * w;
  const x = makeInput(batch, per, 7);
  const r = rng(9);
  const labels = Array.from(
    { length: batch },
    () => Math.floor(r() * manifest.outputSize),
  );
  if (lib === "convnetjs") {
    const { createRequire } = await import("node:module");
    const convnetjs = createRequire(import.meta.url)("convnetjs");
    const m = buildConvnet(convnetjs, manifest, p, { [batch]: x });
    const trainer = new convnetjs.SGDTrainer(m.net, {
      method: "sgd",
      learning_rate: 0.01,
      momentum: 0.9,
      batch_size: batch,
      l2_decay: 0,
    });
    const vols = m.vols[batch];
    return {
      version: "0.3.0",
      step: () => vols.forEach((v, i) => trainer.train(v, labels[i])),
    };
  }
  let tf;
  if (lib === "tfjs-webgpu") {
    tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-webgpu");
    if (!(await tf.setBackend("webgpu"))) {
      throw new Error("tfjs webgpu backend failed to initialise");
    }
  } else {
    tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
  }
  await tf.ready();
  const m = buildTfjs(tf, manifest, p, { [batch]: x }, { trainable: true });
  const xs = m.inputs[batch];
  const ys = tf.oneHot(tf.tensor1d(labels, "int32"), manifest.outputSize);
  const opt = tf.train.adam(1e-3);
  return {
    version: tf.version.tfjs,
    step: async () => {
      const loss = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, m.logits(xs)),
        true,
        m.vars,
      );
      await loss.data();
      loss.dispose();
    },
  };
}

try {
  const s = await stepper();
  await s.step(); // warm-up
  const t = [];
  const t0 = performance.now();
  while (
    t.length < maxSteps && (t.length < 2 || performance.now() - t0 < budgetMs)
  ) {
    const t1 = performance.now();
    await s.step();
    t.push(performance.now() - t1);
  }
  const st = stats(t);
  const samples_s = batch * 1000 / st.median;
  emit({
    lib: `${lib}-train`,
    version: s.version,
    arch,
    batch,
    samples_s,
    epoch_s: 60000 / samples_s,
    step_ms: st,
  });
} catch (e) {
  emit({
    lib: `${lib}-train`,
    arch,
    error: String(e?.stack ?? e).slice(0, 500),
  });
}
