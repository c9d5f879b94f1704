// CLI of `deno task train`: parse flags, load data and architecture, train on
// the WebGPU (default) or CPU backend with checkpoints, export the .tcnn,
// measure every quantized export through the runtime, write the report.
// Exit status: 0 done, 1 runtime failure (message on stderr), 2 bad flags.
// Invariant: the file written to --out is the one whose accuracy the report
// states for its dtype (it is loaded back through mod.ts and evaluated).

import { dirname } from "node:path";
import { parseCli, USAGE, UsageError } from "./cli_args.ts";
import { loadDataset } from "./data/datasets.ts";
import { makeBatch } from "./data/batches.ts";
import { archStats, loadArch } from "./archs.ts";
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

async function makeBackend(kind: "webgpu" | "cpu", cfg: TrainConfig): Promise<TrainBackend> {
  // backends load lazily: --help and flag errors never touch them
  if (kind === "cpu") return (await import("./cpu/cpu_backend.ts")).createCpuBackend(cfg);
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    throw new Error(
      "WebGPU is not available (run with --unstable-webgpu, as `deno task train` does) — or use --backend cpu",
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new Error("no WebGPU adapter found on this machine — use --backend cpu to train on the CPU");
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
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
    limit: cli.limit,
  });
  const arch = await loadArch(cli.arch, data.inputShape, data.classes.length);
  const stats = archStats(arch);
  const cfg: TrainConfig = {
    inputShape: arch.inputShape,
    layers: arch.layers,
    loss: "softmax_xent",
    optimizer: cli.optimizer === "sgd"
      ? { type: "sgd", momentum: cli.momentum, weightDecay: cli.weightDecay }
      : { type: cli.optimizer, weightDecay: cli.weightDecay },
    seed: cli.seed,
  };
  say(
    `${cli.dataset}: ${data.train.n} train / ${data.val.n} val / ${data.test.n} test; arch ${arch.name}: ${stats.params} params, ${stats.macs} MACs/sample; backend ${cli.backend}`,
  );

  await Deno.mkdir(dirname(cli.out) || ".", { recursive: true });
  const ckptPath = `${cli.out}.ckpt`;
  // what must match for --resume to be meaningful
  const run = {
    arch: arch.layers,
    dataset: cli.dataset,
    limit: cli.limit ?? null,
    batch: cli.batch,
    seed: cli.seed,
    optimizer: cfg.optimizer,
    valFraction: cli.valFraction,
  };
  const resume = cli.resume ? await loadCheckpoint(ckptPath) : undefined;
  if (resume) say(`resuming from ${ckptPath}: epoch ${resume.epoch + 1}, step ${resume.stepInEpoch}`);

  const backend = await makeBackend(cli.backend, cfg);
  try {
    const result = await train({
      backend,
      data,
      epochs: cli.epochs,
      batch: cli.batch,
      schedule: { name: cli.schedule, lr: cli.lr, warmup: cli.warmup },
      seed: cli.seed,
      augment: cli.augment > 0 ? { shift: cli.augment, flip: data.flipOk } : null,
      patience: cli.patience,
      checkpointPath: ckptPath,
      checkpointEvery: cli.checkpointEvery,
      resume,
      run,
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
      dataset: cli.dataset,
      arch: arch.name,
      testAccuracy: test.accuracy,
      epochs: result.history.length,
      command,
      date: new Date().toISOString(),
    };
    const desc = toModelDesc(cfg, state, { labels: data.classes, normalization: data.normalization, meta });

    // every dtype: encode, load through the runtime, measure on the test set
    const [, h, w] = data.inputShape;
    const testX = makeBatch(data.test, null, 0, data.test.n, h, w, data.normalization).x;
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
          probs.set(await model.predict(testX.subarray(s * h * w, (s + n) * h * w), { batch: n }), s * k);
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
    await writeAtomic(cli.out, outBytes!);

    const report: TrainReport = {
      command,
      date: meta.date,
      dataset: cli.dataset,
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
      out: cli.out,
    };
    await writeAtomic(
      `${cli.out}.report.json`,
      new TextEncoder().encode(JSON.stringify(report, null, 2) + "\n"),
    );
    await writeAtomic(`${cli.out}.report.svg`, new TextEncoder().encode(renderSvg(report)));
    say(`wrote ${cli.out} (${cli.quantize}), ${cli.out}.report.json, ${cli.out}.report.svg`);
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
