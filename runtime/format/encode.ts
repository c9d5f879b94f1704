// Encoding side of the .tcnn codec (export time: the trainer, tools and Deno
// users; the CDN bundle leaves it out). Invariant: the header is validated by
// the same code as the decoder's (format_header.ts) in its JSON form, and the
// layout follows format_decode.ts, so encodeModel only writes files that
// decodeModel accepts; every failure is a ModelFormatError at offset -1.

import { ModelFormatError } from "../errors.ts";
import { crc32 } from "./crc32.ts";
import { f32ToF16Bits } from "./f16.ts";
import { quantizeInt8 } from "./int8.ts";
import type { ModelDesc } from "./model_desc.ts";
import { paramShapes } from "./spec.ts";
import { checkHeaderModel, clip, type DType, DTYPE_SIZE, show } from "./header.ts";
import { align8, MAGIC, MAX_HEADER_BYTES, PRELUDE, VERSION_MAJOR } from "./decode.ts";
import { minorVersionFor } from "./header.ts";

/** Options of `encodeModel`. */
export interface EncodeOptions {
  /** dtype of the weight tensors (default "f32"); biases always stay f32 */
  dtype?: DType;
}

/**
 * Serialise a model description to `.tcnn` bytes. Throws ModelFormatError
 * (offset -1) when the description is invalid (bad architecture, params of
 * the wrong count/length, non-finite weights, an f16 overflow, bad labels…).
 *
 * @example
 * ```ts
 * import { encodeModel } from "./encode.ts";
 * import { decodeModel } from "./decode.ts";
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
      inputRange: desc.inputRange,
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
  dv.setUint16(6, Math.max(desc.inputRange !== undefined ? 1 : 0, minorVersionFor(desc.layers)), true);
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
