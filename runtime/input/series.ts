// Turns a raw series into a model input for 1-D models whose per-sample input
// is (C,L): checks the length and values, then applies the preprocessing the
// model recorded — per-sample z-normalisation ({zscore: true}: each channel
// becomes (v - mean)/std over its L values, a constant channel all zeros) or
// per-channel (v - mean[c]) / std[c]. Output is (C,L) Float32Array, channels
// contiguous (the input is read channel-major too: C runs of L values).
// Bad input → TypeError saying what was expected.

import type { Normalization } from "../format/model_desc.ts";

/** A raw series: C·L values, channel after channel. */
export type SeriesInput = Float32Array | Float64Array | number[];

/** Whether a value passed to classify() is a series rather than an image. */
export function isSeries(v: unknown): v is SeriesInput {
  return v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v);
}

/**
 * z-normalise each of the `c` channels (runs of `l` values) of `x` in place.
 * Population std; a channel whose std is below 1e-8 is only centred.
 */
export function zscoreInPlace(x: Float32Array, c: number, l: number): void {
  for (let ch = 0; ch < c; ch++) {
    const o = ch * l;
    let sum = 0;
    for (let i = 0; i < l; i++) sum += x[o + i];
    const mean = sum / l;
    let sq = 0;
    for (let i = 0; i < l; i++) sq += (x[o + i] - mean) ** 2;
    const std = Math.sqrt(sq / l);
    const inv = std < 1e-8 ? 0 : 1 / std;
    for (let i = 0; i < l; i++) x[o + i] = (x[o + i] - mean) * inv;
  }
}

/**
 * Prepare a series for a model whose per-sample input is (C,L).
 *
 * @example
 * ```ts
 * import { seriesToInput } from "./series.ts";
 * const x = seriesToInput([1, 2, 3], [1, 3], { zscore: true });
 * console.log(Array.from(x).map((v) => v.toFixed(3))); // ["-1.225", "0.000", "1.225"]
 * ```
 */
export function seriesToInput(input: SeriesInput, shape: number[], norm?: Normalization): Float32Array {
  if (shape.length !== 2) {
    throw new TypeError(`a series needs a 1-D model with input (C,L), this model takes (${shape.join(",")})`);
  }
  const [c, l] = shape;
  if (!isSeries(input)) {
    throw new TypeError(`series must be a Float32Array, Float64Array or number[], got ${typeof input}`);
  }
  if (input.length !== c * l) {
    throw new TypeError(
      `series has ${input.length} values, expected ${c * l} (${c} channel${c > 1 ? "s" : ""} × ${l})`,
    );
  }
  const x = new Float32Array(c * l);
  for (let i = 0; i < x.length; i++) {
    const v = input[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TypeError(`series[${i}] is ${v}; expected a finite number`);
    }
    x[i] = v;
  }
  if (norm && "zscore" in norm) zscoreInPlace(x, c, l);
  else if (norm) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < l; i++) x[ch * l + i] = (x[ch * l + i] - norm.mean[ch]) / norm.std[ch];
    }
  }
  return x;
}
