// CLI of `deno task train`: parse flags, load data and architecture, train on
// the WebGPU (default) or CPU backend with checkpoints, export the .tcnn,
// measure every quantized export through the runtime, write the report.
// Exit status: 0 done, 1 runtime failure (message on stderr), 2 bad flags.
// Invariant: the file written to --out is the one whose accuracy the report
// states for its dtype (it is loaded back through mod.ts and evaluated).

import { dirname } from "node:path";
import { type CliConfig, parseCli, resolveDataDefaults, USAGE, UsageError } from "./cli_args.ts";
import { loadDataset } from "./data/datasets.ts";
import { makeBatch } from "./data/batches.ts";
import { archFromLayers, archStats, loadArch } from "./archs.ts";
import { applyInit, checkFreeze, initFromModel } from "./init_model.ts";
import type { TrainBackend, TrainConfig } from "./backend.ts";
import { evaluate, train } from "./trainer.ts";
import { loadCheckpoint, writeAtomic } from "./checkpoint.ts";
import { nullSink, stderrSink } from "./progress.ts";
import {
  confusionMatrix,
  perClassAccuracy,
  type QuantResult,
  renderSvg,
  type TrainReport,
} from "./report.ts";

/** Samples per runtime predict() call when measuring exports. */
const EVAL_CHUNK = 500;

/** Shell-quote argv for the report's exact command line. */
function commandLine(argv: string[]): string {
  const q = (a: string) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
  return ["deno", "task", "train", ...argv.map(q)].join(" ");
}

/** The WebGPU device to train on, or null when this machine has no adapter (says why in `why`). */
async function gpuDevice(): Promise<{ device: GPUDevice | null; why: string }> {
  // Mesa warns "XDG_RUNTIME_DIR is invalid" on every run without one: give the process a private 0700 dir
  if (!Deno.env.get("XDG_RUNTIME_DIR")) {
    Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir({ prefix: "tinycnn-xdg-" }));
  }
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    return {
      device: null,
      why: "WebGPU is not available (run with --unstable-webgpu, as `deno task train` does)",
    };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    return {
      device: null,
      why:
        "no WebGPU adapter found on this machine (a GPU, or Mesa: apt-get install mesa-vulkan-drivers and DENO_WEBGPU_BACKEND=vulkan)",
    };
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, why: "" };
}

async function makeBackend(
  kind: "auto" | "webgpu" | "cpu",
  cfg: TrainConfig,
  say: (s: string) => void,
): Promise<TrainBackend> {
  // backends load lazily: --help and flag errors never touch them
  const cpu = async () => (await import("./cpu/cpu_backend.ts")).createCpuBackend(cfg);
  if (kind === "cpu") return await cpu();
  const { device, why } = await gpuDevice();
  if (!device) {
    if (kind === "webgpu") throw new Error(`${why} — or use --backend cpu`);
    say(`${why}: training on the CPU backend`);
    return await cpu();
  }
  return await (await import("./webgpu/gpu_backend.ts")).createWebGpuBackend(device, cfg);
}

function softmaxRows(z: Float32Array, k: number): Float32Array {
  const p = new Float32Array(z.length);
  for (let o = 0; o < z.length; o += k) {
    let m = -Infinity, s = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, z[o + j]);
    for (let j = 0; j < k; j++) s += p[o + j] = Math.exp(z[o + j] - m);
    for (let j = 0; j < k; j++) p[o + j] /= s;
  }
  return p;
}

export async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\nRun with --help for the options.`);
    return 2;
  }
  try {
    return await run(cli, argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\nRun with --help for the options.`);
    return 2;
  }
}

async function run(cli: CliConfig, argv: string[]): Promise<number> {
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  const sink = cli.quiet ? nullSink : stderrSink();
  const say = (s: string) => sink.write(s + "\n");
  const command = commandLine(argv);

  const data = await loadDataset(cli.dataset, {
    dataDir: cli.data,
    seed: cli.seed,
    valFraction: cli.valFraction,
    testFraction: cli.testFraction,
    limit: cli.limit,
    labels: cli.labels,
    size: cli.size,
    channels: cli.channels,
    download: { base: Deno.env.get("TINYCNN_DATASET_BASE_URL") || undefined, progress: say },
  });
  for (const note of data.notes) say(note);
  const series = data.inputShape.length === 2;
  const dd = resolveDataDefaults(cli, data.train.n, series, cli.dataset ?? data.name);
  const out = dd.out;
  const init = cli.init ? await initFromModel(cli.init, data.inputShape, data.classes.length) : null;
  const arch = init
    ? archFromLayers(`init:${cli.init}`, init.layers, data.inputShape, data.classes.length)
    : await loadArch(dd.arch, data.inputShape, data.classes.length);
  if (init) {
    say(init.note);
    checkFreeze(cli.freeze, arch.layers);
    // the loaded weights expect the model's own preprocessing
    if (init.normalization) data.normalization = init.normalization;
  }
  const stats = archStats(arch);
  const cfg: TrainConfig = {
    inputShape: arch.inputShape,
    layers: arch.layers,
    loss: "softmax_xent",
    optimizer: cli.optimizer === "sgd"
      ? { type: "sgd", momentum: cli.momentum, weightDecay: cli.weightDecay }
      : { type: cli.optimizer, weightDecay: cli.weightDecay },
    seed: cli.seed,
    frozen: cli.freeze,
  };
  const datasetName = cli.dataset ?? data.name;
  say(
    `${datasetName}: ${data.train.n} train / ${data.val.n} val / ${data.test.n} test, input (${
      data.inputShape.join(",")
    }), ${data.classes.length} classes; arch ${arch.name}: ${stats.params} params, ${stats.macs} MACs/sample; backend ${cli.backend}; ${dd.epochs} epochs of batch ${dd.batch}${
      dd.patience ? `, early stopping after ${dd.patience} epochs without val-loss improvement` : ""
    }`,
  );
  const aug = cli.augment;
  const flip = aug.flip === "dataset" ? data.flipOk : aug.flip;
  if (flip && series) throw new UsageError("--augment flip applies to images, not series");
  const augment = aug.shift > 0 || flip || aug.noise > 0
    ? { shift: aug.shift, flip, noise: aug.noise }
    : null;

  await Deno.mkdir(dirname(out) || ".", { recursive: true });
  const ckptPath = `${out}.ckpt`;
  // what must match for --resume to be meaningful
  const runId = {
    arch: arch.layers,
    dataset: datasetName,
    limit: cli.limit ?? null,
    batch: dd.batch,
    seed: cli.seed,
    optimizer: cfg.optimizer,
    valFraction: cli.valFraction,
    init: cli.init ?? null,
    freeze: cli.freeze,
  };
  const resume = cli.resume ? await loadCheckpoint(ckptPath) : undefined;
  if (resume) say(`resuming from ${ckptPath}: epoch ${resume.epoch + 1}, step ${resume.stepInEpoch}`);

  const backend = await makeBackend(cli.backend, cfg, say);
  try {
    if (init && !resume) await applyInit(backend, init);
    const result = await train({
      backend,
      data,
      epochs: dd.epochs,
      batch: dd.batch,
      schedule: { name: cli.schedule, lr: cli.lr, warmup: cli.warmup },
      seed: cli.seed,
      augment,
      patience: dd.patience,
      checkpointPath: ckptPath,
      checkpointEvery: cli.checkpointEvery,
      resume,
      run: runId,
      progress: sink,
    });
    // summed over the epochs' own times, so a run resumed (--resume) across
    // processes reports its whole training time, not just the last process's
    const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);

    // training-time predictions on the test set
    const k = data.classes.length;
    const test = await evaluate(backend, data.test, data);
    const refProbs = softmaxRows(test.logits, k);
    const confusion = confusionMatrix(data.test.labels, test.predicted, k);
    say(`test accuracy ${(test.accuracy * 100).toFixed(2)}% (loss ${test.loss.toFixed(4)})`);

    const { toModelDesc } = await import("./export.ts");
    const { encodeModel, loadModel } = await import("../mod.ts");
    const state = await backend.getState();
    const meta = {
      dataset: datasetName,
      arch: arch.name,
      testAccuracy: test.accuracy,
      epochs: result.history.length,
      command,
      date: new Date().toISOString(),
    };
    const desc = toModelDesc(cfg, state, { labels: data.classes, normalization: data.normalization, meta });

    // every dtype: encode, load through the runtime, measure on the test set
    const per = data.inputShape.reduce((a, b) => a * b, 1);
    const testX = makeBatch(data.test, null, 0, data.test.n, data.inputShape, data.normalization).x;
    const quantized: QuantResult[] = [];
    let outBytes: Uint8Array | null = null;
    for (const dtype of ["f32", "f16", "int8"] as const) {
      const bytes = encodeModel(desc, { dtype });
      if (dtype === cli.quantize) outBytes = bytes;
      const model = await loadModel(bytes, { backend: "cpu" });
      try {
        const probs = new Float32Array(data.test.n * k);
        for (let s = 0; s < data.test.n; s += EVAL_CHUNK) {
          const n = Math.min(EVAL_CHUNK, data.test.n - s);
          probs.set(await model.predict(testX.subarray(s * per, (s + n) * per), { batch: n }), s * k);
        }
        let correct = 0, agree = 0, maxAbsDiff = 0;
        for (let i = 0; i < data.test.n; i++) {
          let arg = 0;
          for (let j = 0; j < k; j++) {
            if (probs[i * k + j] > probs[i * k + arg]) arg = j;
            maxAbsDiff = Math.max(maxAbsDiff, Math.abs(probs[i * k + j] - refProbs[i * k + j]));
          }
          if (arg === data.test.labels[i]) correct++;
          if (arg === test.predicted[i]) agree++;
        }
        quantized.push({
          dtype,
          bytes: bytes.length,
          accuracy: correct / data.test.n,
          agreement: agree / data.test.n,
          maxAbsDiff,
        });
      } finally {
        model.dispose();
      }
      const q = quantized[quantized.length - 1];
      say(
        `${dtype}: ${q.bytes} bytes, test accuracy ${
          (q.accuracy * 100).toFixed(2)
        }%, agrees with training on ${(q.agreement * 100).toFixed(2)}%, max |Δp| ${
          q.maxAbsDiff.toExponential(2)
        }`,
      );
    }
    await writeAtomic(out, outBytes!);

    const report: TrainReport = {
      command,
      date: meta.date,
      dataset: datasetName,
      layout: data.layout,
      arch: arch.name,
      backend: backend.name,
      params: stats.params,
      macsPerSample: stats.macs,
      epochs: result.history.length,
      stoppedEarly: result.stoppedEarly,
      bestEpoch: result.best?.epoch ?? null,
      trainSeconds,
      samples: { train: data.train.n, val: data.val.n, test: data.test.n },
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      classes: data.classes,
      perClassAccuracy: perClassAccuracy(confusion),
      confusion,
      quantized,
      history: result.history,
      out,
    };
    await writeAtomic(
      `${out}.report.json`,
      new TextEncoder().encode(JSON.stringify(report, null, 2) + "\n"),
    );
    await writeAtomic(`${out}.report.svg`, new TextEncoder().encode(renderSvg(report)));
    say(`wrote ${out} (${cli.quantize}), ${out}.report.json, ${out}.report.svg`);
    return 0;
  } finally {
    backend.dispose();
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  }
  Deno.exit(code);
}
