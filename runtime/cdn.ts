// Entry of the browser/CDN bundle (dist/tinycnn.min.js, built by
// examples/build_bundle.ts): the inference API of mod.ts only. Export-time
// code (encodeModel, f16/int8 quantizers) stays out of the bundle; Deno users
// get it from mod.ts. Invariant: every name here is also exported by mod.ts
// with the same meaning: mod.ts re-exports this file (tests/bundle_test.ts checks it).

export {
  type BackendChoice,
  type ClassifyOptions,
  type LayerSummary,
  loadModel,
  type LoadOptions,
  Model,
  type ModelSummary,
  type Prediction,
  type PredictOptions,
  type Routing,
} from "./model.ts";
export { DisposedError, GpuError, ModelFormatError } from "./errors.ts";
export { type DecodedModel, decodeModel, type DecodeOptions, type DType } from "./format_decode.ts";
export type { ChannelNormalization, ModelDesc, Normalization, SeriesNormalization } from "./model_desc.ts";
export type { LayerSpec, Padding, Pair } from "./spec.ts";
export type { Budget } from "./budget.ts";
export type { ModelSource } from "./source.ts";
export type { ImageInput, PixelsInput } from "./image.ts";
export type { SeriesInput } from "./series.ts";
export { decodePng, type PngLimits, type RawImage } from "./png.ts";
