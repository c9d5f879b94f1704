// The .tcnn weight file: encode a ModelDesc to bytes and decode (validate)
// bytes back. docs/FORMAT.md is the normative byte-level spec:
//   [0,4) "TCNN" | [4,6) u16 major=1 | [6,8) u16 minor | [8,12) u32 H
//   [12,12+H) UTF-8 JSON header | zero padding to D = align8(12+H)
//   [D, D+dataLength) tensor data | last 4 bytes: CRC-32 of everything before.
// All integers little-endian. Invariants of decodeModel: it throws only
// ModelFormatError (with a byte offset where one is meaningful) for any
// content of `bytes`; it checks the whole header against the file length
// before allocating any weight array, so allocation is bounded by 4 × the
// file size; every returned weight is finite.

import { ModelFormatError } from "./errors.ts";
import { crc32 } from "./crc32.ts";
import { f16BitsToF32, f32ToF16Bits } from "./f16.ts";
import { quantizeInt8 } from "./int8.ts";
import type { ModelDesc } from "./model_desc.ts";
import { paramShapes } from "./spec.ts";
import {
  checkHeaderModel,
  checkTensorTable,
  clip,
  type DType,
  DTYPE_SIZE,
  show,
  type TensorEntry,
} from "./format_header.ts";

export type { DType } from "./format_header.ts";
export { dequantizeInt8, quantizeInt8 } from "./int8.ts";
export { decodeF16, encodeF16, f16BitsToF32, f32ToF16Bits } from "./f16.ts";

/** "TCNN" */
export const MAGIC = [0x54, 0x43, 0x4e, 0x4e] as const;
export const VERSION_MAJOR = 1;
export const VERSION_MINOR = 0;
/** Largest accepted JSON header, in bytes. */
export const MAX_HEADER_BYTES = 1 << 20;
/** Default largest accepted file, in bytes. */
export const DEFAULT_MAX_BYTES = 256 * (1 << 20);
/** Smallest possible file: prelude, "{}" padded to 8, CRC. */
export const MIN_FILE_BYTES = 20;
const PRELUDE = 12;

export interface EncodeOptions {
  /** dtype of the weight tensors (default "f32"); biases always stay f32 */
  dtype?: DType;
}

export interface DecodeOptions {
  /** largest accepted file in bytes (default 256 MiB) */
  maxBytes?: number;
}

export interface DecodedModel {
  desc: ModelDesc;
  /** dtype the weights were stored in ("f32" for a model without weights) */
  dtype: DType;
  /** size of the file in bytes */
  byteLength: number;
  /** major format version (1) */
  version: number;
  /** minor format version */
  minorVersion: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * Serialise a model description to `.tcnn` bytes. Throws ModelFormatError
 * (offset -1) when the description is invalid (bad architecture, params of
 * the wrong count/length, non-finite weights, an f16 overflow, bad labels…).
 *
 * @example
 * ```ts
 * import { decodeModel, encodeModel } from "./format.ts";
 * const bytes = encodeModel({
 *   inputShape: [3],
 *   layers: [{ type: "dense", units: 2 }, { type: "softmax" }],
 *   params: [[new Float32Array([1, 0, 0, 0, 1, 0]), new Float32Array([0, 0])], []],
 *   labels: ["x", "y"],
 * }, { dtype: "f16" });
 * const { desc, dtype } = decodeModel(bytes);
 * if (dtype !== "f16" || desc.params[0][0][4] !== 1) throw new Error("round trip failed");
 * ```
 */
export function encodeModel(desc: ModelDesc, opts: EncodeOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? "f32";
  if (dtype !== "f32" && dtype !== "f16" && dtype !== "int8") {
    throw new ModelFormatError(`encode: dtype must be "f32", "f16" or "int8", got ${show(dtype)}`);
  }
  if (desc === null || typeof desc !== "object") {
    throw new ModelFormatError(`encode: model description must be an object, got ${show(desc)}`);
  }
  // the header is validated in its JSON form, exactly as a reader will see it
  let base: Record<string, unknown>;
  try {
    base = JSON.parse(JSON.stringify({
      inputShape: desc.inputShape,
      layers: desc.layers,
      labels: desc.labels,
      normalization: desc.normalization,
      meta: desc.meta,
    }));
  } catch (e) {
    throw new ModelFormatError(clip(`encode: header is not JSON-serialisable: ${(e as Error).message}`));
  }
  const model = checkHeaderModel(base, -1);
  const params = desc.params;
  if (!Array.isArray(params) || params.length !== model.resolved.length) {
    throw new ModelFormatError(
      `encode: params must have one array per layer (${model.resolved.length}), got ${
        Array.isArray(params) ? params.length : show(params)
      }`,
    );
  }
  // lay out the data section and encode each tensor
  const tensors: Record<string, unknown>[] = [];
  const chunks: { at: number; bytes: Uint8Array }[] = [];
  let end = 0;
  model.resolved.forEach((l, li) => {
    const shapes = paramShapes(l);
    const p = params[li];
    if (!Array.isArray(p) || p.length !== shapes.length) {
      throw new ModelFormatError(
        `encode: params[${li}] (${l.spec.type}) must hold ${shapes.length} tensors, got ${
          Array.isArray(p) ? p.length : show(p)
        }`,
      );
    }
    shapes.forEach((shape, ti) => {
      const w = p[ti];
      const n = shape.reduce((a, b) => a * b, 1);
      if (!(w instanceof Float32Array) || w.length !== n) {
        throw new ModelFormatError(
          `encode: params[${li}][${ti}] must be a Float32Array of ${n} values (shape ${show(shape)}), got ${
            w instanceof Float32Array ? `length ${w.length}` : show(w)
          }`,
        );
      }
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(w[i])) {
          throw new ModelFormatError(`encode: params[${li}][${ti}][${i}] is ${w[i]}; weights must be finite`);
        }
      }
      const dt: DType = ti === 0 ? dtype : "f32";
      const quant = dt === "int8" ? quantizeInt8(w, shape[0]) : null;
      const bytes = quant ? new Uint8Array(quant.q.buffer) : encodeTensor(w, dt as "f32" | "f16", li, ti);
      const offset = align8(end);
      const entry: Record<string, unknown> = {
        layer: li,
        index: ti,
        dtype: dt,
        shape,
        offset,
        byteLength: bytes.length,
      };
      chunks.push({ at: offset, bytes });
      end = offset + bytes.length;
      if (quant) {
        const scales = quant.scales;
        const so = align8(end);
        entry.scaleOffset = so;
        const sb = new Uint8Array(4 * scales.length);
        const dv = new DataView(sb.buffer);
        scales.forEach((s, i) => dv.setFloat32(4 * i, s, true));
        chunks.push({ at: so, bytes: sb });
        end = so + sb.length;
      }
      tensors.push(entry);
    });
  });
  const dataLength = align8(end);
  const header: Record<string, unknown> = { ...base, dataLength, tensors };
  const json = new TextEncoder().encode(JSON.stringify(header));
  if (json.length > MAX_HEADER_BYTES) {
    throw new ModelFormatError(`encode: header is ${json.length} bytes, the limit is ${MAX_HEADER_BYTES}`);
  }
  const D = align8(PRELUDE + json.length);
  const out = new Uint8Array(D + dataLength + 4);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(4, VERSION_MAJOR, true);
  dv.setUint16(6, VERSION_MINOR, true);
  dv.setUint32(8, json.length, true);
  out.set(json, PRELUDE);
  for (const c of chunks) out.set(c.bytes, D + c.at);
  dv.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/** f32 or f16 little-endian bytes of one tensor. */
function encodeTensor(w: Float32Array, dt: "f32" | "f16", li: number, ti: number): Uint8Array {
  const out = new Uint8Array(w.length * DTYPE_SIZE[dt]);
  const dv = new DataView(out.buffer);
  if (dt === "f32") {
    for (let i = 0; i < w.length; i++) dv.setFloat32(4 * i, w[i], true);
  } else {
    for (let i = 0; i < w.length; i++) {
      const h = f32ToF16Bits(w[i]);
      if ((h & 0x7c00) === 0x7c00) {
        throw new ModelFormatError(
          `encode: params[${li}][${ti}][${i}] = ${w[i]} overflows f16 (largest finite value 65504)`,
        );
      }
      dv.setUint16(2 * i, h, true);
    }
  }
  return out;
}

/**
 * Decode and validate `.tcnn` bytes. Every problem with the bytes is a
 * ModelFormatError whose `offset` says where it was found (-1: the file as a
 * whole). A wrong argument type is a TypeError, a bad `maxBytes` a RangeError.
 *
 * @example
 * ```ts
 * import { decodeModel } from "./format.ts";
 * import { ModelFormatError } from "./errors.ts";
 * try {
 *   decodeModel(new TextEncoder().encode("not a model"));
 *   throw new Error("should have failed");
 * } catch (e) {
 *   if (!(e instanceof ModelFormatError) || e.offset !== 0) throw e; // bad magic at byte 0
 * }
 * ```
 */
export function decodeModel(bytes: Uint8Array | ArrayBuffer, opts: DecodeOptions = {}): DecodedModel {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer, got ${show(maxBytes)}`);
  }
  let b: Uint8Array;
  if (bytes instanceof Uint8Array) b = bytes;
  else if (bytes instanceof ArrayBuffer) b = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) {
    const v = bytes as ArrayBufferView;
    b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  } else {
    throw new TypeError(`decodeModel expects a Uint8Array or ArrayBuffer, got ${show(bytes)}`);
  }
  try {
    return decode(b, maxBytes);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(
      clip(`unexpected failure while decoding: ${e instanceof Error ? e.message : e}`),
    );
  }
}

function decode(b: Uint8Array, maxBytes: number): DecodedModel {
  const len = b.length;
  if (len > maxBytes) {
    throw new ModelFormatError(`file is ${len} bytes, larger than the limit maxBytes = ${maxBytes}`);
  }
  const tooShort = () =>
    new ModelFormatError(`file too short: ${len} bytes, a .tcnn file has at least ${MIN_FILE_BYTES}`, len);
  if (len < 4) throw tooShort();
  for (let i = 0; i < 4; i++) {
    if (b[i] !== MAGIC[i]) {
      throw new ModelFormatError(
        `wrong magic: got bytes ${
          Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join(" ")
        }, ` +
          `expected 54 43 4e 4e ("TCNN")`,
        i,
      );
    }
  }
  if (len < MIN_FILE_BYTES) throw tooShort();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = dv.getUint16(4, true);
  const minor = dv.getUint16(6, true);
  if (major !== VERSION_MAJOR) {
    throw new ModelFormatError(`unsupported version ${major}.${minor}: this reader reads major version 1`, 4);
  }
  const H = dv.getUint32(8, true);
  if (H > MAX_HEADER_BYTES) {
    throw new ModelFormatError(`header length ${H} is over the cap of ${MAX_HEADER_BYTES} bytes`, 8);
  }
  if (PRELUDE + H + 4 > len) {
    throw new ModelFormatError(
      `header length ${H} runs past the end of the ${len}-byte file (needs at least ${PRELUDE + H + 4})`,
      8,
    );
  }
  const stored = dv.getUint32(len - 4, true);
  const actual = crc32(b, 0, len - 4);
  if (stored !== actual) {
    throw new ModelFormatError(
      `bad checksum: stored CRC-32 ${hex(stored)}, computed ${hex(actual)} over bytes [0, ${len - 4})`,
      len - 4,
    );
  }
  const D = align8(PRELUDE + H);
  if (D + 4 > len) {
    throw new ModelFormatError(`file truncated: header padding ends at ${D}, file is ${len} bytes`, len);
  }
  for (let i = PRELUDE + H; i < D; i++) {
    if (b[i] !== 0) throw new ModelFormatError(`header padding byte is ${b[i]}, expected 0`, i);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      b.subarray(PRELUDE, PRELUDE + H),
    );
  } catch {
    throw new ModelFormatError(`header is not valid UTF-8`, PRELUDE);
  }
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(clip(`header is not valid JSON: ${(e as Error).message}`), PRELUDE);
  }
  const model = checkHeaderModel(h, PRELUDE);
  const hdr = h as Record<string, unknown>;
  const dataLength = hdr.dataLength;
  if (typeof dataLength !== "number" || !Number.isSafeInteger(dataLength) || dataLength < 0) {
    throw new ModelFormatError(
      `header: dataLength must be a non-negative integer, got ${show(dataLength)}`,
      PRELUDE,
    );
  }
  const want = D + dataLength + 4;
  if (len < want) {
    throw new ModelFormatError(
      `file truncated: ${len} bytes, header says data section [${D}, ${
        D + dataLength
      }) + 4-byte CRC = ${want}`,
      len,
    );
  }
  if (len > want) {
    throw new ModelFormatError(
      `${len - want} trailing bytes: file is ${len} bytes, expected exactly ${want}`,
      want,
    );
  }
  const { entries, dtype } = checkTensorTable(hdr.tensors, model.resolved, dataLength, PRELUDE);
  // everything is consistent with the file size: now read the tensors
  const params: Float32Array[][] = model.resolved.map((l) => paramShapes(l).map(() => new Float32Array(0)));
  for (const t of entries) params[t.layer][t.index] = readTensor(dv, D, t);
  const desc: ModelDesc = { inputShape: model.inputShape, layers: model.layers, params };
  if (model.labels) desc.labels = model.labels;
  if (model.normalization) desc.normalization = model.normalization;
  if (model.meta) desc.meta = model.meta;
  return { desc, dtype, byteLength: len, version: major, minorVersion: minor };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function notFinite(v: number, t: TensorEntry, i: number, at: number): ModelFormatError {
  const name = `layer ${t.layer} ${t.index === 0 ? "weight" : "bias"}`;
  return new ModelFormatError(`${name} element ${i} is ${v}; weights must be finite`, at);
}

function readTensor(dv: DataView, D: number, t: TensorEntry): Float32Array {
  const n = t.byteLength / DTYPE_SIZE[t.dtype];
  const out = new Float32Array(n);
  const base = D + t.offset;
  if (t.dtype === "f32") {
    for (let i = 0; i < n; i++) {
      const v = dv.getFloat32(base + 4 * i, true);
      if (!Number.isFinite(v)) throw notFinite(v, t, i, base + 4 * i);
      out[i] = v;
    }
  } else if (t.dtype === "f16") {
    for (let i = 0; i < n; i++) {
      const hb = dv.getUint16(base + 2 * i, true);
      if ((hb & 0x7c00) === 0x7c00) throw notFinite(f16BitsToF32(hb), t, i, base + 2 * i);
      out[i] = f16BitsToF32(hb);
    }
  } else {
    const outC = t.shape[0];
    const per = n / outC;
    const sBase = D + (t.scaleOffset as number);
    for (let c = 0; c < outC; c++) {
      const s = dv.getFloat32(sBase + 4 * c, true);
      if (!Number.isFinite(s) || s < 0) {
        throw new ModelFormatError(
          `layer ${t.layer} weight scale ${c} is ${s}; int8 scales must be finite and >= 0`,
          sBase + 4 * c,
        );
      }
      for (let i = c * per; i < (c + 1) * per; i++) {
        const q = dv.getInt8(base + i);
        if (q === -128) {
          throw new ModelFormatError(
            `layer ${t.layer} weight element ${i} is -128; int8 values are in [-127, 127]`,
            base + i,
          );
        }
        const v = Math.fround(q * s); // a huge finite scale can overflow f32
        if (!Number.isFinite(v)) throw notFinite(v, t, i, base + i);
        out[i] = v;
      }
    }
  }
  return out;
}
