// Builds float batches from sample sets. Invariants: output x is
// (B, ...inputShape); u8 images become x = (p/255 - mean[c]) / std[c] per
// channel c; f32 series are copied as stored (z-normalised at load);
// augmentation only touches a private copy of each sample, never the
// dataset; noise is added after normalisation. Labels are Int32 (B).

import type { ChannelNormalization, Normalization } from "../../runtime/format/model_desc.ts";
import type { SampleSet } from "./sets.ts";
import { type AugmentOptions, augmentSample } from "./augment.ts";
import type { DataRng } from "./prng.ts";

export interface Batch {
  /** (B, ...inputShape) */
  x: Float32Array;
  labels: Int32Array;
  batch: number;
}

/**
 * Gather samples `order[start .. start+count)` of `set` into a batch.
 * With `aug` and `rng`, each sample is augmented before normalisation.
 */
export function makeBatch(
  set: SampleSet,
  order: ArrayLike<number> | null,
  start: number,
  count: number,
  shape: readonly number[],
  norm: Normalization,
  aug?: { opts: AugmentOptions; rng: DataRng },
): Batch {
  const per = shape.reduce((a, b) => a * b, 1);
  const c = shape[0], plane = per / c;
  const x = new Float32Array(count * per);
  const labels = new Int32Array(count);
  const f32 = set.x instanceof Float32Array;
  const sample = f32 ? new Float32Array(per) : new Uint8Array(per);
  const tmp = f32 ? new Float32Array(plane) : new Uint8Array(plane);
  const ch = f32 ? null : norm as ChannelNormalization;
  if (ch && !("mean" in ch)) {
    throw new TypeError("u8 image samples need a per-channel mean/std normalisation");
  }
  const noise = aug?.opts.noise ?? 0;
  for (let b = 0; b < count; b++) {
    const j = order ? order[start + b] : start + b;
    if (j === undefined || j >= set.n) {
      throw new RangeError(`sample index ${j} out of range, set has ${set.n}`);
    }
    sample.set(set.x.subarray(j * per, (j + 1) * per));
    if (aug && (aug.opts.shift > 0 || aug.opts.flip || (aug.opts.erase ?? 0) > 0)) {
      augmentSample(sample, tmp, shape, aug.opts, aug.rng);
    }
    const o = b * per;
    if (ch) {
      for (let k = 0; k < c; k++) {
        const mean = ch.mean[k], inv = 1 / ch.std[k], base = k * plane;
        for (let i = 0; i < plane; i++) x[o + base + i] = (sample[base + i] / 255 - mean) * inv;
      }
    } else {
      x.set(sample, o);
    }
    if (noise > 0) { for (let i = 0; i < per; i++) x[o + i] += noise * aug!.rng.normal(); }
    labels[b] = set.labels[j];
  }
  return { x, labels, batch: count };
}
