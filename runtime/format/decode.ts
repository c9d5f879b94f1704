// Decoding (validating) side of the .tcnn codec — all a loader needs, with
// no encoder or quantizer code (the CDN bundle ships only this side).
// docs/FORMAT.md is the normative byte-level spec:
//   [0,4) "TCNN" | [4,6) u16 major=1 | [6,8) u16 minor | [8,12) u32 H
//   [12,12+H) UTF-8 JSON header | zero padding to D = align8(12+H)
//   [D, D+dataLength) tensor data | last 4 bytes: CRC-32 of everything before.
// All integers little-endian. Invariants of decodeModel: it throws only
// ModelFormatError (with a byte offset where one is meaningful) for any
// content of `bytes`; it checks the whole header against the file length
// before allocating any weight array, so allocation is bounded by 4 × the
// file size; every returned weight is finite.
// Speed (a loader decodes once, cold, before the JIT warms up): tensors are
// read in bulk through typed-array views on little-endian hosts — f32 is one
// memcpy plus native NaN/±Infinity scans, f16 and int8 are tight loops in
// small per-row/per-chunk functions with the -128 scan native — and each
// tensor is copied exactly once
// (the weights never alias the caller's bytes). Big-endian hosts use the
// portable DataView loop; both report the same first error.

import { duplicateKey } from "./json_keys.ts";
import { ModelFormatError } from "../errors.ts";
import { crc32 } from "./crc32.ts";
import { f16BitsToF32 } from "./f16.ts";
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
} from "./header.ts";

export type { DType } from "./header.ts";

/** "TCNN" */
export const MAGIC = [0x54, 0x43, 0x4e, 0x4e] as const;
export const VERSION_MAJOR = 1;
/** The newest minor version this code writes (1.1: graphs, relu6, clip, …; 1.2: the unary activations, docs/FORMAT.md §8). */
export const VERSION_MINOR = 2;
/** Largest accepted JSON header, in bytes. */
export const MAX_HEADER_BYTES = 1 << 20;
/** Default largest accepted file, in bytes. */
export const DEFAULT_MAX_BYTES = 256 * (1 << 20);
/** Smallest possible file: prelude, "{}" padded to 8, CRC. */
export const MIN_FILE_BYTES = 20;
/** Bytes before the JSON header: magic, two u16 versions, u32 header length. */
export const PRELUDE = 12;

/** Options of `decodeModel`. */
export interface DecodeOptions {
  /** largest accepted file in bytes (default 256 MiB) */
  maxBytes?: number;
}

/** What `decodeModel` returns. */
export interface DecodedModel {
  /** the model, weights dequantized to f32 */
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

/** n rounded up to a multiple of 8. */
export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Decode and validate `.tcnn` bytes. Every problem with the bytes is a
 * ModelFormatError whose `offset` says where it was found (-1: the file as a
 * whole). A wrong argument type is a TypeError, a bad `maxBytes` a RangeError.
 *
 * @example
 * ```ts
 * import { decodeModel } from "./decode.ts";
 * import { ModelFormatError } from "../errors.ts";
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

/** Throw a ModelFormatError at byte `at`. */
function fail(msg: string, at: number): never {
  throw new ModelFormatError(msg, at);
}

function decode(b: Uint8Array, maxBytes: number): DecodedModel {
  const len = b.length;
  if (len > maxBytes) fail(`file is ${len} bytes, larger than the limit maxBytes = ${maxBytes}`, -1);
  const tooShort = () =>
    fail(`file too short: ${len} bytes, a .tcnn file has at least ${MIN_FILE_BYTES}`, len);
  if (len < 4) tooShort();
  for (let i = 0; i < 4; i++) {
    if (b[i] !== MAGIC[i]) {
      fail(
        `wrong magic: got bytes ${
          Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join(" ")
        }, expected 54 43 4e 4e ("TCNN")`,
        i,
      );
    }
  }
  if (len < MIN_FILE_BYTES) tooShort();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = dv.getUint16(4, true);
  const minor = dv.getUint16(6, true);
  if (major !== VERSION_MAJOR) {
    fail(`unsupported version ${major}.${minor}: this reader reads major version 1`, 4);
  }
  const H = dv.getUint32(8, true);
  if (H > MAX_HEADER_BYTES) fail(`header length ${H} is over the cap of ${MAX_HEADER_BYTES} bytes`, 8);
  if (PRELUDE + H + 4 > len) {
    fail(
      `header length ${H} runs past the end of the ${len}-byte file (needs at least ${PRELUDE + H + 4})`,
      8,
    );
  }
  const stored = dv.getUint32(len - 4, true);
  const actual = crc32(b, 0, len - 4);
  if (stored !== actual) {
    fail(
      `bad checksum: stored CRC-32 ${hex(stored)}, computed ${hex(actual)} over bytes [0, ${len - 4})`,
      len - 4,
    );
  }
  const D = align8(PRELUDE + H);
  if (D + 4 > len) fail(`file truncated: header padding ends at ${D}, file is ${len} bytes`, len);
  for (let i = PRELUDE + H; i < D; i++) {
    if (b[i] !== 0) fail(`header padding byte is ${b[i]}, expected 0`, i);
  }
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      b.subarray(PRELUDE, PRELUDE + H),
    );
  } catch {
    fail(`header is not valid UTF-8`, PRELUDE);
  }
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch (e) {
    fail(clip(`header is not valid JSON: ${(e as Error).message}`), PRELUDE);
  }
  const dup = duplicateKey(text);
  if (dup) {
    const at = PRELUDE + new TextEncoder().encode(text.slice(0, dup.index)).length;
    fail(clip(`header has the member ${JSON.stringify(dup.key)} twice (each key must appear once)`), at);
  }
  const model = checkHeaderModel(h, PRELUDE);
  const hdr = h as Record<string, unknown>;
  const dataLength = hdr.dataLength;
  if (typeof dataLength !== "number" || !Number.isSafeInteger(dataLength) || dataLength < 0) {
    fail(`header: dataLength must be a non-negative integer, got ${show(dataLength)}`, PRELUDE);
  }
  const want = D + dataLength + 4;
  if (len < want) {
    fail(
      `file truncated: ${len} bytes, header says data section [${D}, ${
        D + dataLength
      }) + 4-byte CRC = ${want}`,
      len,
    );
  }
  if (len > want) fail(`${len - want} trailing bytes: file is ${len} bytes, expected exactly ${want}`, want);
  const { entries, dtype } = checkTensorTable(hdr.tensors, model.resolved, dataLength, PRELUDE);
  // everything is consistent with the file size: now read the tensors
  const params: Float32Array[][] = model.resolved.map((l) => paramShapes(l).map(() => new Float32Array(0)));
  for (const t of entries) {
    params[t.layer][t.index] = LE ? readTensorLE(b, dv, D, t) : readTensorPortable(dv, D, t);
  }
  const desc: ModelDesc = { inputShape: model.inputShape, layers: model.layers, params };
  if (model.labels) desc.labels = model.labels;
  if (model.normalization) desc.normalization = model.normalization;
  if (model.meta) desc.meta = model.meta;
  if (model.inputRange) desc.inputRange = model.inputRange;
  return { desc, dtype, byteLength: len, version: major, minorVersion: minor };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** Whether typed-array views read bytes little-endian on this host (checked once). */
const LE = /* @__PURE__ */ new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function notFinite(t: TensorEntry, i: number, v: number, at: number): never {
  fail(
    `layer ${t.layer} ${t.index === 0 ? "weight" : "bias"} element ${i} is ${v}; weights must be finite`,
    at,
  );
}

/** readTensorPortable through typed-array views (little-endian hosts only); same values, same first error. */
function readTensorLE(b: Uint8Array, dv: DataView, D: number, t: TensorEntry): Float32Array {
  const base = D + t.offset;
  const n = t.byteLength / DTYPE_SIZE[t.dtype];
  const out = new Float32Array(n);
  if (t.dtype === "f32") {
    new Uint8Array(out.buffer).set(b.subarray(base, base + t.byteLength)); // the one copy
    if (out.includes(NaN) || out.includes(Infinity) || out.includes(-Infinity)) {
      for (let i = 0; i < n; i++) if (!Number.isFinite(out[i])) notFinite(t, i, out[i], base + 4 * i);
    }
    return out;
  }
  if (t.dtype === "f16") {
    const at = b.byteOffset + base;
    const h = at % 2 === 0
      ? new Uint16Array(b.buffer, at, n)
      : new Uint16Array(b.slice(base, base + t.byteLength).buffer);
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i += CHUNK) {
      const bad = f16Chunk(h, out, o32, i, i + CHUNK < n ? i + CHUNK : n);
      if (bad >= 0) notFinite(t, bad, f16BitsToF32(h[bad]), base + 2 * bad);
    }
    return out;
  }
  // int8: per-output-channel scales; out = fround(q × scale)
  const q = new Int8Array(b.buffer, b.byteOffset + base, n);
  const C = t.shape[0];
  const per = n / C;
  const sBase = D + (t.scaleOffset ?? 0);
  const firstBad = q.indexOf(-128);
  for (let c = 0; c < C; c++) {
    const s = dv.getFloat32(sBase + 4 * c, true);
    if (!Number.isFinite(s) || s < 0) {
      fail(`layer ${t.layer} weight scale ${c} is ${s}; int8 scales must be finite and >= 0`, sBase + 4 * c);
    }
    const i0 = c * per, i1 = i0 + per;
    if ((firstBad >= i0 && firstBad < i1) || !Number.isFinite(Math.fround(127 * s))) {
      // this channel may fail: check element by element, the first bad one in scan order throws
      for (let i = i0; i < i1; i++) {
        if (q[i] === -128) {
          fail(`layer ${t.layer} weight element ${i} is -128; int8 values are in [-127, 127]`, base + i);
        }
        const v = Math.fround(q[i] * s);
        if (!Number.isFinite(v)) notFinite(t, i, v, base + i);
        out[i] = v;
      }
    } else scaleRow(out, q, i0, i1, s); // |q| <= 127 and fround(127·s) finite: all finite
  }
  return out;
}

// The per-element loops below are small functions called once per channel
// row or CHUNK elements: V8 compiles a function that is called often as a
// whole after a few calls, instead of waiting to on-stack-replace one long
// loop that runs only once per load (cold start: 1.4 → 0.1 ms for an
// 18k-weight tensor here).
const CHUNK = 1024;

/** out[i] = q[i]·s for i in [i0, i1). */
function scaleRow(out: Float32Array, q: Int8Array, i0: number, i1: number, s: number): void {
  for (let i = i0; i < i1; i++) out[i] = q[i] * s;
}

/** f16 bits h[i0, i1) → out (subnormals) / o32 (normals, as f32 bits); the first ±Inf/NaN index, else -1. */
function f16Chunk(h: Uint16Array, out: Float32Array, o32: Uint32Array, i0: number, i1: number): number {
  for (let i = i0; i < i1; i++) {
    const x = h[i];
    const e = x & 0x7c00;
    if (e === 0x7c00) return i;
    if (e === 0) out[i] = (x & 0x8000 ? -1 : 1) * (x & 0x3ff) * 5.9604644775390625e-8; // subnormal: m·2^-24
    else o32[i] = ((x & 0x8000) << 16) | (((x & 0x7fff) << 13) + 0x38000000); // rebias exponent by 112
  }
  return -1;
}

/** Read one validated tensor entry (data starts at byte D) to f32, rejecting non-finite values; any host. */
function readTensorPortable(dv: DataView, D: number, t: TensorEntry): Float32Array {
  const size = DTYPE_SIZE[t.dtype];
  const n = t.byteLength / size;
  const out = new Float32Array(n);
  const base = D + t.offset;
  const per = n / t.shape[0]; // int8: values per output channel
  const sBase = D + (t.scaleOffset ?? 0);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = base + size * i;
    let v: number;
    if (t.dtype === "f32") v = dv.getFloat32(at, true);
    else if (t.dtype === "f16") v = f16BitsToF32(dv.getUint16(at, true));
    else {
      if (i % per === 0) {
        const c = i / per;
        s = dv.getFloat32(sBase + 4 * c, true);
        if (!Number.isFinite(s) || s < 0) {
          fail(
            `layer ${t.layer} weight scale ${c} is ${s}; int8 scales must be finite and >= 0`,
            sBase + 4 * c,
          );
        }
      }
      const q = dv.getInt8(at);
      if (q === -128) {
        fail(`layer ${t.layer} weight element ${i} is -128; int8 values are in [-127, 127]`, at);
      }
      v = Math.fround(q * s); // a huge finite scale can overflow f32
    }
    if (!Number.isFinite(v)) {
      fail(
        `layer ${t.layer} ${t.index === 0 ? "weight" : "bias"} element ${i} is ${v}; weights must be finite`,
        at,
      );
    }
    out[i] = v;
  }
  return out;
}
