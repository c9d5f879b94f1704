// The checks train() makes of its options before it reads a file or builds a
// layer, with the same ranges as the CLI's flags (cli_args.ts reads
// OPTION_RANGES too). Invariants: an unknown key, a value of the wrong type
// or out of its range is a TypeError / RangeError naming the option, the
// value got (quoted, bounded) and what was expected; `data` must be a Dataset
// as loadDataset returns it, checked by shape, not trusted.

import { quote } from "../runtime/quote.ts";
import { SCHEDULE_NAMES } from "./schedule.ts";
import { checkClassNames, type Dataset } from "./data/sets.ts";

/** [min, max, integer] of each numeric option (train()'s key; the CLI flag is its kebab-case). */
export const OPTION_RANGES = {
  epochs: [1, 100_000, true],
  batch: [1, 65_536, true],
  lr: [1e-12, 100, false],
  momentum: [0, 0.999999, false],
  weightDecay: [0, 1, false],
  labelSmoothing: [0, 0.5, false],
  warmup: [0, 1e9, true],
  patience: [0, 100_000, true],
  seed: [0, 0xffffffff, true],
  freeze: [0, 1000, true],
  checkpointEvery: [0, 1e9, true],
} as const satisfies Record<string, readonly [number, number, boolean]>;

/** The values each choice option takes (train()'s key; the CLI's flags read these too). */
export const OPTION_CHOICES = {
  optimizer: ["sgd", "adam", "adamw"],
  schedule: SCHEDULE_NAMES,
  backend: ["auto", "webgpu", "cpu"],
  quantize: ["f32", "f16", "int8"],
} as const satisfies Record<string, readonly string[]>;

const STRINGS = ["checkpoint", "command", "out"];
const BOOLEANS = ["resume"];
const OTHER = ["data", "arch", "augment", "init", "runInfo", "onProgress", "signal"];
const KEYS = [
  ...Object.keys(OPTION_RANGES),
  ...Object.keys(OPTION_CHOICES),
  "nesterov",
  ...STRINGS,
  ...BOOLEANS,
  ...OTHER,
];

/** [min, max, integer] of augment's fields (as `--augment shift:N,noise:S,erase:P`). */
const AUGMENT_RANGES: Record<string, readonly [number, number, boolean]> = {
  shift: [0, 8, true],
  noise: [0, 10, false],
  erase: [0, 1, false],
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A number option in [min, max] (an integer where asked): RangeError / TypeError naming it. */
function checkNumber(
  name: string,
  v: unknown,
  [min, max, integer]: readonly [number, number, boolean],
): void {
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new TypeError(`${name} must be ${integer ? "an integer" : "a finite number"}, got ${quote(v)}`);
  }
  if (v < min || v > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${v}`);
}

/** `data`: a Dataset with consistent splits (what loadDataset returns), else TypeError saying so. */
function checkData(data: unknown): void {
  const need = 'data must be a Dataset from loadDataset() (e.g. data: await loadDataset("mnist"))';
  if (!isObject(data)) throw new TypeError(`${need}, got ${quote(data)}`);
  const d = data as Partial<Dataset>;
  const shape = d.inputShape;
  if (
    !Array.isArray(shape) || shape.length < 1 || shape.length > 3 ||
    !shape.every((s) => Number.isInteger(s) && s >= 1)
  ) {
    throw new TypeError(`${need}: inputShape must be 1 to 3 positive integers, got ${quote(shape)}`);
  }
  if (!Array.isArray(d.classes) || d.classes.length < 2) {
    throw new TypeError(`${need}: classes must list 2 or more names, got ${quote(d.classes)}`);
  }
  checkClassNames(d.classes, (i) => `data.classes[${i}]`);
  const per = shape.reduce((a, b) => a * b, 1);
  for (const split of ["train", "val", "test"] as const) {
    const s = d[split];
    if (
      !isObject(s) || !Number.isInteger(s.n) || s.n < (split === "train" ? 1 : 0) ||
      !(s.x instanceof Uint8Array || s.x instanceof Float32Array) || s.x.length !== s.n * per ||
      !(s.labels instanceof Uint8Array) || s.labels.length !== s.n
    ) {
      throw new TypeError(
        `${need}: data.${split} must hold n samples: x of n × ${per} values (Uint8Array or Float32Array), labels a Uint8Array of n`,
      );
    }
  }
  if (!isObject(d.normalization)) throw new TypeError(`${need}: normalization is missing`);
}

/**
 * Check train()'s options: every key known, every value of its type and in
 * its range. Throws TypeError or RangeError naming the option.
 *
 * @example
 * ```ts
 * import { checkTrainOptions } from "./train_options.ts";
 * let msg = "";
 * try { checkTrainOptions({ data: "mnist" }); } catch (e) { msg = (e as Error).message; }
 * if (!msg.startsWith("data must be a Dataset")) throw new Error(msg);
 * ```
 */
export function checkTrainOptions(o: unknown): void {
  if (!isObject(o)) throw new TypeError(`train() takes an options object ({ data, ... }), got ${quote(o)}`);
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) {
      throw new TypeError(`unknown option ${quote(k, 40)}; train() takes ${KEYS.join(", ")}`);
    }
  }
  checkData(o.data);
  for (const [k, range] of Object.entries(OPTION_RANGES)) {
    if (o[k] !== undefined) checkNumber(k, o[k], range);
  }
  for (const [k, allowed] of Object.entries(OPTION_CHOICES)) {
    if (o[k] !== undefined && !(allowed as readonly string[]).includes(o[k] as string)) {
      throw new TypeError(`${k} must be one of ${allowed.join(", ")}, got ${quote(o[k])}`);
    }
  }
  for (const k of STRINGS) {
    if (o[k] !== undefined && typeof o[k] !== "string") {
      throw new TypeError(`${k} must be a string, got ${quote(o[k])}`);
    }
  }
  for (const k of BOOLEANS) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") {
      throw new TypeError(`${k} must be a boolean, got ${quote(o[k])}`);
    }
  }
  // the option belongs to SGD alone
  if (
    o.nesterov !== undefined && (typeof o.nesterov !== "boolean" || (o.nesterov && o.optimizer !== "sgd"))
  ) {
    throw new TypeError(
      `nesterov must be a boolean and needs optimizer "sgd", got ${quote(o.nesterov)} with ${
        quote(o.optimizer ?? "adam")
      }`,
    );
  }
  const { arch, augment, init, runInfo, onProgress, signal } = o;
  if (arch !== undefined && typeof arch !== "string" && !(isObject(arch) && Array.isArray(arch.layers))) {
    throw new TypeError(`arch must be a name, a .json path or { layers: [...] }, got ${quote(arch)}`);
  }
  if (augment !== undefined && augment !== null) {
    if (!isObject(augment)) throw new TypeError(`augment must be an object or null, got ${quote(augment)}`);
    for (const k of Object.keys(augment)) {
      if (k === "flip") {
        if (typeof augment.flip !== "boolean") throw new TypeError(`augment.flip must be a boolean`);
      } else if (AUGMENT_RANGES[k]) checkNumber(`augment.${k}`, augment[k], AUGMENT_RANGES[k]);
      else throw new TypeError(`unknown augment field ${quote(k, 40)}; it takes shift, flip, noise, erase`);
    }
  }
  if (init !== undefined && typeof init !== "string" && !(init instanceof Uint8Array)) {
    throw new TypeError(`init must be a .tcnn path or its bytes (Uint8Array), got ${quote(init)}`);
  }
  if (runInfo !== undefined && !isObject(runInfo)) {
    throw new TypeError(`runInfo must be an object, got ${quote(runInfo)}`);
  }
  if (
    onProgress !== undefined && typeof onProgress !== "function" &&
    !(isObject(onProgress) && typeof onProgress.write === "function")
  ) {
    throw new TypeError(`onProgress must be a function or a sink with write(), got ${quote(onProgress)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${quote(signal)}`);
  }
}
