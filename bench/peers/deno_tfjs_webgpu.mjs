// Deno driver for TensorFlow.js with the WebGPU backend (Deno's navigator.gpu).
// Run from bench/: deno run -A --unstable-webgpu --config peers/deno_peer.json
//   peers/deno_tfjs_webgpu.mjs --model .cache/lenet [--quick] [--once]
// The config resolves bare npm names from bench/node_modules (never the
// project's). Prints one JSON line like node_peer.mjs.

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { args, emit, loadManifest, makeInput, timeIt } from "./common.mjs";
import { buildTfjs } from "./tfjs_model.mjs";

const a = args();
const base = a.model;
const t0 = performance.now();
try {
  const ok = await tf.setBackend("webgpu");
  if (!ok) {
    throw new Error("tfjs webgpu backend failed to initialise (no adapter?)");
  }
  await tf.ready();
  const { manifest, p } = loadManifest(base);
  const [c, h, w] = manifest.inputShape;
  const per = c * h * w;
  const m = buildTfjs(tf, manifest, p, {
    1: makeInput(1, per),
    64: makeInput(64, per),
  });
  const first = await m.run(1);
  const load_ms = performance.now() - t0;
  const out = Array.from(first).slice(0, 10);
  const head = { lib: "tfjs-webgpu", version: tf.version.tfjs, model: base, load_ms, out };
  if (a.once) {
    emit(head);
  } else {
    const quick = !!a.quick;
    const r = await timeIt(m.run, {
      iters: quick ? 20 : 100,
      iters64: quick ? 3 : 10,
      warm: quick ? 5 : 10,
      budgetMs: quick ? 4000 : 15000,
    });
    emit({ ...head, ...r });
  }
} catch (e) {
  emit({
    lib: "tfjs-webgpu",
    model: base,
    error: String(e?.stack ?? e).slice(0, 600),
  });
}
