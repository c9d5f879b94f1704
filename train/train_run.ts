// train(): one training run as a library call. It checks every option,
// resolves the data defaults and the architecture (named, custom layers or
// initialised from a model), picks the backend (WebGPU, else the CPU with the
// reason said), runs the loop with checkpoints and progress, then encodes
// every dtype, loads each back through the runtime and measures it on the
// test split. Invariants: the returned model is the file whose accuracy the
// report states for its dtype; an AbortSignal stops at the next step with a
// checkpoint written (when a checkpoint path is given) and rejects with the
// signal's reason.

import { checkLoss } from "./ops/loss/spec.ts";
import { archFromLayers, archStats, loadArch, type ResidualBlock } from "./archs.ts";
import type { InputRange } from "../runtime/input/input_range.ts";
import type { OptimizerConfig, TrainBackend, TrainConfig, TrainLayerSpec } from "./backend.ts";
import { type Checkpoint, type EpochRecord, loadCheckpoint } from "./checkpoint.ts";
import { makeBatch } from "./data/batches.ts";
import type { Dataset } from "./data/sets.ts";
import { resolveDataDefaults } from "./defaults.ts";
import { applyInit, checkFreeze, initFromModel } from "./init_model.ts";
import { nullSink, type ProgressSink } from "./progress.ts";
import { confusionMatrix, perClassAccuracy, type QuantResult, type TrainReport } from "./report.ts";
import type { ScheduleName } from "./schedule.ts";
import { evaluate as evaluateBackend, train as runLoop } from "./trainer.ts";
import { encodeModel } from "../mod.ts";
import { toModelDesc } from "./export.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import { acquireDevice } from "../runtime/webgpu/device.ts";
import { TRAINING_DEVICE } from "./webgpu/gpu_backend.ts";
import { portablePath } from "./fs_util.ts";
import { checkTrainOptions } from "./train_options.ts";

import { argmax, predictAll } from "./evaluate.ts";

/** What {@link train} takes; everything but `data` has a default that scales with the data. */
export interface TrainOptions {
  /** from {@link loadDataset} */
  data: Dataset;
  /** a built-in name (tiny, small, lenet, edge, fcn, tcn, resnet-s), a JSON file path, or the layers (graph links and residual blocks allowed) with an optional inputRange; default small/fcn */
  arch?: string | { name?: string; layers: (TrainLayerSpec | ResidualBlock)[]; inputRange?: InputRange };
  /** default: enough for ~600 optimizer steps (at least 2) */
  epochs?: number;
  /** default 64, or about n/16 (at least 8) for a small training set */
  batch?: number;
  /** "sgd" | "adam" | "adamw" (default "adam") */
  optimizer?: "sgd" | "adam" | "adamw";
  /** base learning rate (default 0.002; 0.05 for sgd) */
  lr?: number;
  /** SGD momentum (default 0.9) */
  momentum?: number;
  /** SGD with Nesterov momentum: step g + μ·v instead of v (default false) */
  nesterov?: boolean;
  /** L2 (sgd/adam) or decoupled (adamw) weight decay (default 0; 0.0005 for adamw) */
  weightDecay?: number;
  /** label smoothing s in [0, 0.5] of the softmax cross-entropy: targets (1 − s)·onehot + s/K (default 0) */
  labelSmoothing?: number;
  /** "constant" | "step" | "cosine" (default "cosine") */
  schedule?: ScheduleName;
  /** linear warm-up steps (default 0) */
  warmup?: number;
  /** early stopping after this many epochs without a validation-loss improvement; 0 = off */
  patience?: number;
  /** random shift (cells), horizontal flip (images), Gaussian noise (std), random-erasing probability (images) */
  augment?: { shift?: number; flip?: boolean; noise?: number; erase?: number } | null;
  /** "auto" (default: WebGPU when an adapter exists, else CPU), "webgpu" or "cpu" */
  backend?: "auto" | "webgpu" | "cpu";
  /** seed of init, data order and augmentation (default 1) */
  seed?: number;
  /** fine-tune from a model (path or .tcnn bytes): its layers, weights and normalisation; a new head when K differs */
  init?: string | Uint8Array;
  /** with `init`: keep the first N layers fixed */
  freeze?: number;
  /** dtype of the returned model (default "f32") */
  quantize?: "f32" | "f16" | "int8";
  /** checkpoint file (atomic, every epoch and every `checkpointEvery` steps) */
  checkpoint?: string;
  /** steps between checkpoints inside an epoch (default 100; 0 = epoch ends only) */
  checkpointEvery?: number;
  /** continue from `checkpoint` */
  resume?: boolean;
  /** extra run identity stored in the checkpoint (the CLI keeps its flags there) */
  runInfo?: Record<string, unknown>;
  /** recorded in the report and the model's meta */
  command?: string;
  /** recorded in the report */
  out?: string;
  /** progress lines (or a sink that can redraw a bar on a terminal) */
  onProgress?: ((text: string) => void) | ProgressSink;
  /** stops at the next step (a checkpoint is written when `checkpoint` is set) */
  signal?: AbortSignal;
}

/** What {@link train} returns. */
export interface TrainOutput {
  /** the encoded .tcnn in the requested dtype */
  model: Uint8Array;
  /** what the run measured */
  report: TrainReport;
  /** one record per epoch */
  history: EpochRecord[];
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
  const device = await acquireDevice({ gpu, ...TRAINING_DEVICE });
  if (!device) {
    return {
      device: null,
      why:
        "no WebGPU adapter found on this machine (a GPU, or Mesa: apt-get install mesa-vulkan-drivers and DENO_WEBGPU_BACKEND=vulkan)",
    };
  }
  return { device, why: "" };
}

async function makeBackend(
  kind: "auto" | "webgpu" | "cpu",
  cfg: TrainConfig,
  say: (s: string) => void,
): Promise<TrainBackend> {
  // backends load lazily: flag errors never touch them
  const cpu = async () => (await import("./cpu/cpu_backend.ts")).createCpuBackend(cfg);
  if (kind === "cpu") return await cpu();
  const { device, why } = await gpuDevice();
  if (!device) {
    if (kind === "webgpu") throw new Error(`${why} — or use backend "cpu"`);
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

function sinkOf(p: TrainOptions["onProgress"]): ProgressSink {
  if (!p) return nullSink;
  if (typeof p === "function") {
    // progress bars end lines with "\r" on terminals only; a callback gets whole lines
    let buf = "";
    return {
      isTTY: false,
      write(s) {
        buf += s;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) (p(buf.slice(0, i)), buf = buf.slice(i + 1));
      },
    };
  }
  return p;
}

async function resolveArch(o: TrainOptions, data: Dataset, archName: string) {
  const k = data.classes.length;
  if (o.init !== undefined) {
    const init = await initFromModel(o.init, data.inputShape, k);
    const name = typeof o.init === "string" ? `init:${o.init}` : "init";
    return { arch: archFromLayers(name, init.layers, data.inputShape, k), init };
  }
  if (typeof o.arch === "object") {
    const a = o.arch;
    return {
      arch: archFromLayers(a.name ?? "custom", a.layers, data.inputShape, k, a.inputRange),
      init: null,
    };
  }
  return { arch: await loadArch(archName, data.inputShape, k), init: null };
}

/**
 * Train a model on a dataset and return the encoded `.tcnn`, the report and
 * the per-epoch history.
 *
 * @example
 * ```ts ignore
 * import { loadDataset, train } from "./train/mod.ts";
 * const data = await loadDataset("synthetic-control");
 * const { model, report } = await train({ data, epochs: 5, backend: "cpu", quantize: "int8" });
 * console.log(report.testAccuracy, model.length);
 * await Deno.writeFile("control.tcnn", model);
 * ```
 */
export async function train(o: TrainOptions): Promise<TrainOutput> {
  checkTrainOptions(o);
  const data = o.data;
  const sink = sinkOf(o.onProgress);
  const say = (s: string) => sink.write(s + "\n");
  const series = data.inputShape.length === 2;
  const dd = resolveDataDefaults(
    {
      arch: typeof o.arch === "string" ? o.arch : undefined,
      batch: o.batch,
      epochs: o.epochs,
      patience: o.patience,
    },
    data.train.n,
    series,
    data.name,
  );
  const { arch, init } = await resolveArch(o, data, dd.arch);
  const freeze = o.freeze ?? 0;
  if (freeze && !init) throw new TypeError("freeze needs init (the layers to keep come from that model)");
  // the loaded weights expect the model's own preprocessing
  const normalization = init?.normalization ?? data.normalization;
  const dataN = { ...data, normalization };
  if (init) {
    say(init.note);
    checkFreeze(freeze, arch.layers);
  }
  const stats = archStats(arch);
  const optimizer: OptimizerConfig = (o.optimizer ?? "adam") === "sgd"
    ? {
      type: "sgd",
      momentum: o.momentum ?? 0.9,
      nesterov: o.nesterov ?? false,
      weightDecay: o.weightDecay ?? 0,
    }
    : { type: o.optimizer ?? "adam", weightDecay: o.weightDecay ?? (o.optimizer === "adamw" ? 5e-4 : 0) };
  const cfg: TrainConfig = {
    inputShape: arch.inputShape,
    layers: arch.layers,
    loss: "softmax_xent",
    labelSmoothing: o.labelSmoothing ?? 0,
    optimizer,
    seed: o.seed ?? 1,
    frozen: freeze,
  };
  checkLoss(cfg.loss, cfg.labelSmoothing);
  const backendChoice = o.backend ?? "auto";
  say(
    `${data.name}: ${data.train.n} train / ${data.val.n} val / ${data.test.n} test, input (${
      data.inputShape.join(",")
    }), ${data.classes.length} classes; arch ${arch.name}: ${stats.params} params, ${stats.macs} MACs/sample; backend ${backendChoice}; ${dd.epochs} epochs of batch ${dd.batch}${
      dd.patience ? `, early stopping after ${dd.patience} epochs without val-loss improvement` : ""
    }`,
  );
  const a = o.augment ?? null;
  if (a?.flip && series) throw new TypeError("flip augmentation applies to images, not series");
  if ((a?.erase ?? 0) > 0 && series) throw new TypeError("erase augmentation applies to images, not series");
  if (a?.erase !== undefined && !(a.erase >= 0 && a.erase <= 1)) {
    throw new RangeError(`augment.erase is a probability in [0, 1], got ${a.erase}`);
  }
  const augment = a && ((a.shift ?? 0) > 0 || a.flip || (a.noise ?? 0) > 0 || (a.erase ?? 0) > 0)
    ? { shift: a.shift ?? 0, flip: a.flip ?? false, noise: a.noise ?? 0, erase: a.erase ?? 0 }
    : null;
  // what must match for a resume to be meaningful
  const runId = {
    arch: arch.layers,
    dataset: data.name,
    samples: [data.train.n, data.val.n, data.test.n],
    batch: dd.batch,
    seed: cfg.seed,
    optimizer,
    init: typeof o.init === "string" ? o.init : o.init ? "bytes" : null,
    freeze,
  };
  let resume: Checkpoint | undefined;
  if (o.resume) {
    if (!o.checkpoint) throw new TypeError("resume needs a checkpoint path");
    resume = await loadCheckpoint(o.checkpoint);
    say(`resuming from ${o.checkpoint}: epoch ${resume.epoch + 1}, step ${resume.stepInEpoch}`);
  }

  const backend = await makeBackend(backendChoice, cfg, say);
  try {
    if (init && !resume) await applyInit(backend, init);
    const lr = o.lr ?? ((o.optimizer ?? "adam") === "sgd" ? 0.05 : 0.002);
    const result = await runLoop({
      backend,
      data: dataN,
      epochs: dd.epochs,
      batch: dd.batch,
      schedule: { name: o.schedule ?? "cosine", lr, warmup: o.warmup ?? 0 },
      seed: cfg.seed,
      augment,
      patience: dd.patience,
      checkpointPath: o.checkpoint,
      checkpointEvery: o.checkpointEvery ?? 100,
      resume,
      run: runId,
      saved: o.runInfo,
      progress: sink,
      signal: o.signal,
    });
    // summed over the epochs' own times, so a run resumed across processes
    // reports its whole training time, not just the last process's
    const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);

    // training-time predictions on the test set
    const k = data.classes.length;
    const test = await evaluateBackend(backend, data.test, dataN);
    const refProbs = softmaxRows(test.logits, k);
    const confusion = confusionMatrix(data.test.labels, test.predicted, k);
    say(`test accuracy ${(test.accuracy * 100).toFixed(2)}% (loss ${test.loss.toFixed(4)})`);

    const state = await backend.getState();
    const date = new Date().toISOString();
    const meta = {
      dataset: data.name,
      arch: arch.name,
      testAccuracy: test.accuracy,
      epochs: result.history.length,
      ...(o.command ? { command: o.command } : {}),
      date,
    };
    const desc = toModelDesc(cfg, state, {
      labels: data.classes,
      normalization,
      meta,
      ...(arch.inputRange ? { inputRange: arch.inputRange } : {}),
    });

    // every dtype: encode, load through the runtime, measure on the test set
    const quantized: QuantResult[] = [];
    const dtypeOut = o.quantize ?? "f32";
    let outBytes: Uint8Array | null = null;
    const testX = makeBatch(data.test, null, 0, data.test.n, data.inputShape, normalization).x;
    for (const dtype of ["f32", "f16", "int8"] as const) {
      const bytes = encodeModel(desc, { dtype });
      if (dtype === dtypeOut) outBytes = bytes;
      const { probs } = await predictAll(bytes, testX, data.test.n);
      let correct = 0, agree = 0, maxAbsDiff = 0;
      for (let i = 0; i < data.test.n; i++) {
        const arg = argmax(probs, i * k, k);
        for (let j = 0; j < k; j++) {
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(probs[i * k + j] - refProbs[i * k + j]));
        }
        if (arg === data.test.labels[i]) correct++;
        if (arg === test.predicted[i]) agree++;
      }
      const q = {
        dtype,
        bytes: bytes.length,
        accuracy: correct / data.test.n,
        agreement: agree / data.test.n,
        maxAbsDiff,
      };
      quantized.push(q);
      say(
        `${dtype}: ${q.bytes} bytes, test accuracy ${
          (q.accuracy * 100).toFixed(2)
        }%, agrees with training on ${(q.agreement * 100).toFixed(2)}%, max |Δp| ${
          q.maxAbsDiff.toExponential(2)
        }`,
      );
    }
    const report: TrainReport = {
      command: o.command ?? "",
      date,
      dataset: data.name,
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
      out: portablePath(o.out ?? ""),
      layers: resolveLayers(desc.layers, desc.inputShape).map((l, index) => ({
        index,
        type: l.spec.type,
        ...(l.spec.name !== undefined ? { name: l.spec.name } : {}),
        inputs: l.inputs,
        outputShape: l.outShape,
      })),
    };
    return { model: outBytes!, report, history: result.history };
  } finally {
    backend.dispose();
  }
}
