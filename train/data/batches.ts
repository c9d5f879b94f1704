// Builds normalised float batches from u8 image sets. Invariants: output x is
// (B,1,H,W) with x = (p/255 - mean)/std; labels are Int32 (B); augmentation
// only touches a private copy of each image, never the dataset.

import type { ImageSet } from "./datasets.ts";
import { augmentImage, type AugmentOptions } from "./augment.ts";
import type { DataRng } from "./prng.ts";

export interface Batch {
  /** (B,1,H,W) */
  x: Float32Array;
  labels: Int32Array;
  batch: number;
}

/**
 * Gather samples `order[start .. start+count)` of `set` into a batch.
 * With `aug` and `rng`, each image is augmented before normalisation.
 */
export function makeBatch(
  set: ImageSet,
  order: ArrayLike<number> | null,
  start: number,
  count: number,
  h: number,
  w: number,
  norm: { mean: number[]; std: number[] },
  aug?: { opts: AugmentOptions; rng: DataRng },
): Batch {
  const hw = h * w;
  const x = new Float32Array(count * hw);
  const labels = new Int32Array(count);
  const img = new Uint8Array(hw);
  const tmp = new Uint8Array(hw);
  const mean = norm.mean[0], inv = 1 / norm.std[0];
  for (let b = 0; b < count; b++) {
    const j = order ? order[start + b] : start + b;
    if (j === undefined || j >= set.n) {
      throw new RangeError(`sample index ${j} out of range, set has ${set.n}`);
    }
    img.set(set.pixels.subarray(j * hw, (j + 1) * hw));
    if (aug) augmentImage(img, tmp, h, w, aug.opts, aug.rng);
    const o = b * hw;
    for (let i = 0; i < hw; i++) x[o + i] = (img[i] / 255 - mean) * inv;
    labels[b] = set.labels[j];
  }
  return { x, labels, batch: count };
}
