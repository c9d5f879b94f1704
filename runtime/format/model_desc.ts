// The in-memory description of a model: what the .tcnn decoder produces and
// the encoder consumes. Invariant: params[i] holds layer i's tensors in the
// order of spec.paramShapes (weight, then bias), as dense row-major f32.

import type { LayerSpec } from "./spec.ts";
import type { InputRange } from "../input/input_range.ts";

/** Per-input-channel normalisation applied to pixel values in [0,1]: (v - mean) / std. */
export interface ChannelNormalization {
  /** per input channel */
  mean: number[];
  /** per input channel, each > 0 */
  std: number[];
}

/**
 * Per-sample z-normalisation of a series (C,L), the UCR convention: each
 * channel of each sample becomes (v - mean(v)) / std(v) over its L values
 * (population std; a constant channel becomes all zeros).
 */
export interface SeriesNormalization {
  /** always true */
  zscore: true;
}

/** The preprocessing a model records for its inputs (see docs/FORMAT.md §3). */
export type Normalization = ChannelNormalization | SeriesNormalization;

/** A model in memory: what the decoder produces and the encoder takes. */
export interface ModelDesc {
  /** per-sample input shape: (C,H,W), (C,L) or (F) */
  inputShape: number[];
  /** the layers: a chain, or a graph whose layers name their inputs (docs/FORMAT.md §4.1) */
  layers: LayerSpec[];
  /** params[i] = tensors of layer i (empty for parameter-free layers) */
  params: Float32Array[][];
  /** class names, one per output unit */
  labels?: string[];
  /** the input preprocessing the model expects */
  normalization?: Normalization;
  /** free-form training metadata (dataset, accuracy, command, date …) */
  meta?: Record<string, unknown>;
  /** a fully convolutional model: the sizes it also runs at, between min and max (format 1.1) */
  inputRange?: InputRange;
}
