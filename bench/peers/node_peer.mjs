// Node driver for the inference peers: TensorFlow.js CPU, TensorFlow.js wasm,
// onnxruntime-node, onnxruntime-web (wasm) and ConvNetJS, all single-threaded.
// Usage: node bench/peers/node_peer.mjs --lib tfjs-cpu --model bench/.cache/lenet [--quick] [--once]
// --once: load + one batch-1 inference only (cold-start mode). Prints one JSON line.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { args, emit, loadManifest, makeInput, timeIt } from "./common.mjs";
import { buildTfjs } from "./tfjs_model.mjs";
import { buildConvnet } from "./convnet_model.mjs";

const require = createRequire(import.meta.url);
const a = args();
const lib = a.lib;
const base = a.model;
const t0 = performance.now();

async function setup() {
  const { manifest, p } = loadManifest(base);
  const [c, h, w] = manifest.inputShape;
  const per = c * h * w;
  const xs = { 1: makeInput(1, per), 64: makeInput(64, per) };
  if (lib === "tfjs-cpu" || lib === "tfjs-wasm") {
    const tf = await import("@tensorflow/tfjs");
    if (lib === "tfjs-wasm") {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      const dir = require.resolve("@tensorflow/tfjs-backend-wasm/package.json")
        .replace(/package\.json$/, "dist/");
      wasm.setWasmPaths(dir);
      wasm.setThreadsCount?.(1);
    }
    await tf.setBackend(lib === "tfjs-cpu" ? "cpu" : "wasm");
    await tf.ready();
    const m = buildTfjs(tf, manifest, p, xs);
    return { version: tf.version.tfjs, run: m.run, ...m };
  }
  if (lib === "ort-node" || lib === "ort-web") {
    const ort = lib === "ort-node" ? require("onnxruntime-node") : await import("onnxruntime-web");
    if (lib === "ort-web") {
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.simd = true;
    }
    const sess = await ort.InferenceSession.create(`${base}.onnx`, {
      executionProviders: [lib === "ort-node" ? "cpu" : "wasm"],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
    const feeds = {};
    for (const n of [1, 64]) {
      feeds[n] = {
        [sess.inputNames[0]]: new ort.Tensor("float32", xs[n], [n, c, h, w]),
      };
    }
    const outName = sess.outputNames[0];
    const run = async (n) => (await sess.run(feeds[n]))[outName].data;
    const pkg = lib === "ort-node" ? "onnxruntime-node" : "onnxruntime-web";
    const version = JSON.parse(
      readFileSync(
        new URL(`../node_modules/${pkg}/package.json`, import.meta.url),
      ),
    ).version;
    return { version, run };
  }
  if (lib === "convnetjs") {
    const convnetjs = require("convnetjs");
    const m = buildConvnet(convnetjs, manifest, p, xs);
    return { version: require("convnetjs/package.json").version, run: m.run };
  }
  throw new Error(`unknown --lib ${lib}`);
}

try {
  const m = await setup();
  const first = await m.run(1);
  const load_ms = performance.now() - t0;
  const out = Array.from(first).slice(0, 10);
  if (a.once) {
    emit({ lib, version: m.version, model: base, load_ms, out });
  } else {
    const quick = !!a.quick;
    const slow = lib === "convnetjs" || lib === "tfjs-cpu";
    const r = await timeIt(m.run, {
      iters: quick ? 40 : 200,
      iters64: quick ? 3 : slow ? 6 : 15,
      warm: quick ? 5 : 20,
      budgetMs: quick ? 3000 : 12000,
    });
    emit({ lib, version: m.version, model: base, load_ms, out, ...r });
  }
} catch (e) {
  emit({ lib, model: base, error: String(e?.stack ?? e).slice(0, 600) });
}
