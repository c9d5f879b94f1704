// The ONNX protobuf schema through npm `onnx-proto` (the official onnx.proto
// compiled by protobufjs), plus the few conversions the converter needs:
// tensors to numbers, attributes by name, int64 values to JS numbers.
// Invariants: int64 attributes outside ±2^53 are refused (RangeError), never
// rounded; int64 tensor data beyond ±2^53 saturate there (torch.onnx writes
// ±(2^63 − 1) as "to the end" in Slice bounds, where any index past the axis
// means the same); a tensor's element count must match its dims before it is read.

import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type ModelProto = ReturnType<typeof onnx.ModelProto.decode>;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type IAttribute = onnxProto.onnx.IAttributeProto;

/** An int64 field (number or protobufjs Long) as a safe JS integer. */
export function int(v: unknown, what = "int64 value"): number {
  const n = typeof v === "number" ? v : Number((v as { toString(): string }).toString());
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${String(v)} is outside ±2^53`);
  return n;
}

/** An int64 tensor element as a JS number, saturated at ±2^53 (see the invariants above). */
function intData(v: unknown): number {
  const n = typeof v === "number" ? v : Number((v as { toString(): string }).toString());
  return Math.max(-(2 ** 53), Math.min(2 ** 53, n));
}

const DTYPE = onnx.TensorProto.DataType;

/**
 * The values of a tensor as float64 numbers (FLOAT, FLOAT16, DOUBLE, INT32,
 * INT64, INT8, UINT8, BOOL), with its dims. Throws TypeError on other types
 * or a size mismatch.
 */
export function tensorValues(t: TensorProto, what: string): { dims: number[]; data: Float64Array } {
  const dims = (t.dims ?? []).map((d) => int(d, `${what} dim`));
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > 1 << 28) throw new RangeError(`${what}: ${n} elements exceed 2^28`);
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  const dt = t.dataType ?? 0;
  const out = new Float64Array(n);
  const fromRaw = (size: number, get: (dv: DataView, at: number) => number) => {
    if (!raw || raw.length !== n * size) {
      throw new TypeError(`${what}: raw data has ${raw?.length ?? 0} bytes, expected ${n} × ${size}`);
    }
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) out[i] = get(dv, i * size);
  };
  const fromList = (list: ArrayLike<unknown> | null | undefined, conv: (v: unknown) => number) => {
    if (!list || list.length !== n) {
      throw new TypeError(`${what}: has ${list?.length ?? 0} values, expected ${n} (dims ${dims.join("×")})`);
    }
    for (let i = 0; i < n; i++) out[i] = conv(list[i]);
  };
  const f16 = (h: number) => {
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
    return e === 0
      ? s * m * 2 ** -24
      : e === 31
      ? (m ? NaN : s * Infinity)
      : s * (1 + m / 1024) * 2 ** (e - 15);
  };
  switch (dt) {
    case DTYPE.FLOAT:
      if (raw) fromRaw(4, (dv, a) => dv.getFloat32(a, true));
      else fromList(t.floatData, Number);
      break;
    case DTYPE.DOUBLE:
      if (raw) fromRaw(8, (dv, a) => dv.getFloat64(a, true));
      else fromList(t.doubleData, Number);
      break;
    case DTYPE.FLOAT16:
      if (raw) fromRaw(2, (dv, a) => f16(dv.getUint16(a, true)));
      else fromList(t.int32Data, (v) => f16(Number(v)));
      break;
    case DTYPE.INT64:
      if (raw) fromRaw(8, (dv, a) => intData(dv.getBigInt64(a, true)));
      else fromList(t.int64Data, intData);
      break;
    case DTYPE.INT32:
    case DTYPE.INT8:
    case DTYPE.UINT8:
    case DTYPE.BOOL: {
      const size = dt === DTYPE.INT32 ? 4 : 1;
      if (raw) {
        fromRaw(
          size,
          (dv, a) =>
            dt === DTYPE.INT32 ? dv.getInt32(a, true) : dt === DTYPE.INT8 ? dv.getInt8(a) : dv.getUint8(a),
        );
      } else fromList(t.int32Data, Number);
      break;
    }
    default:
      throw new TypeError(`${what}: tensor data type ${DTYPE[dt] ?? dt} is not supported`);
  }
  return { dims, data: out };
}

/** A node attribute by name, or undefined. */
export function attr(n: NodeProto, name: string): IAttribute | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}

/** Integer attribute (default when absent). */
export function attrInt(n: NodeProto, name: string, def: number): number {
  const a = attr(n, name);
  return a ? int(a.i ?? 0, `${n.opType} ${name}`) : def;
}

/** Float attribute (default when absent). */
export function attrFloat(n: NodeProto, name: string, def: number): number {
  const a = attr(n, name);
  return a ? Number(a.f ?? 0) : def;
}

/** Integer-list attribute (default when absent). */
export function attrInts(n: NodeProto, name: string, def: number[] | undefined): number[] | undefined {
  const a = attr(n, name);
  return a ? (a.ints ?? []).map((v) => int(v, `${n.opType} ${name}`)) : def;
}

/** String attribute (default when absent). */
export function attrString(n: NodeProto, name: string, def: string): string {
  const a = attr(n, name);
  return a?.s ? new TextDecoder().decode(a.s) : def;
}

/** The opset of the default ("" / "ai.onnx") domain. */
export function defaultOpset(m: ModelProto): number {
  const o = (m.opsetImport ?? []).find((x) => !x.domain || x.domain === "ai.onnx");
  return o ? int(o.version ?? 0, "opset") : 1;
}
