/**
 * tinycnn runtime: load a `.tcnn` model and run inference on WebGPU or on a
 * pure-TypeScript CPU fallback. Web standards only — runs in Deno, browsers,
 * Node ≥ 20, Bun and Cloudflare Workers. Never imports train/.
 *
 * @example Classify an image in an edge function
 * ```ts ignore
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel(new URL("./weights/fashion-mnist.tcnn", import.meta.url));
 * const png = await Deno.readFile("shoe.png");
 * console.log(await model.classify(png, { topK: 3 })); // [{ label: "Sneaker", index: 7, probability: 0.97 }, …]
 * ```
 * @module
 */

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
} from "./runtime/model.ts";
export { DisposedError, GpuError, ModelFormatError } from "./runtime/errors.ts";
export {
  type DecodedModel,
  decodeModel,
  type DType,
  encodeModel,
  type EncodeOptions,
} from "./runtime/format.ts";
export type { ModelDesc, Normalization } from "./runtime/model_desc.ts";
export type { LayerSpec, Padding } from "./runtime/spec.ts";
export type { ImageInput, PixelsInput } from "./runtime/image.ts";
export { decodePng, type RawImage } from "./runtime/png.ts";
