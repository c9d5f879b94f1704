// The inference API shared by both builds — everything but loadModel, which
// each build takes from its own loader (load.ts with WebGPU, load_cpu.ts
// without). Re-exported by cdn.ts, cdn_cpu.ts and so mod.ts and cpu.ts.

export {
  type BackendChoice,
  type BackendName,
  type ClassifyOptions,
  type LayerSummary,
  type LoadOptions,
  Model,
  type ModelSummary,
  type Prediction,
  type PredictOptions,
  type Routing,
} from "./model.ts";
export { DisposedError, GpuError, ModelFormatError, WasmError } from "./errors.ts";
export { type DecodedModel, decodeModel, type DecodeOptions, type DType } from "./format/decode.ts";
export type {
  ChannelNormalization,
  ModelDesc,
  Normalization,
  SeriesNormalization,
} from "./format/model_desc.ts";
export type {
  ActivationType,
  ChannelMode,
  LayerLinks,
  LayerOp,
  LayerSpec,
  Padding,
  PadMode,
  Pair,
} from "./format/spec.ts";
export type { ColumnAct, ElementwiseAct } from "./ops/activation/table.ts";
export type { InputRange } from "./input/input_range.ts";
export type { Budget } from "./format/budget.ts";
export type { ModelSource } from "./input/source.ts";
export type { WasmSource } from "./wasm/engine.ts";
export type { ImageInput, PixelsInput } from "./input/image.ts";
export type { SeriesInput } from "./input/series.ts";
export { decodePng, type PngLimits, type RawImage } from "./input/png.ts";
