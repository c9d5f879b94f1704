// The .tcnn weight file codec, whole: decodeModel (format_decode.ts), encodeModel
// (format_encode.ts), header validation (format_header.ts) and the f16/int8
// helpers. docs/FORMAT.md is the normative byte-level spec. This module only
// re-exports; code that needs just the loader (the CDN bundle) imports
// format_decode.ts, which never pulls in the encoder or the quantizers.

export type { DType } from "./header.ts";
export {
  type DecodedModel,
  decodeModel,
  type DecodeOptions,
  DEFAULT_MAX_BYTES,
  MAGIC,
  MAX_HEADER_BYTES,
  MIN_FILE_BYTES,
  VERSION_MAJOR,
  VERSION_MINOR,
} from "./decode.ts";
export { encodeModel, type EncodeOptions } from "./encode.ts";
export { dequantizeInt8, quantizeInt8 } from "./int8.ts";
export { decodeF16, encodeF16, f16BitsToF32, f32ToF16Bits } from "./f16.ts";
