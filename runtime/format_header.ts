// Validation of the JSON header of a .tcnn file (docs/FORMAT.md §3–§4):
// the model part (inputShape, layers, labels, normalization, meta) and the
// tensor table. Shared by the encoder (so it can only write what the decoder
// accepts) and the decoder. Invariants: nothing here allocates in proportion
// to a number read from the file (only to the header's own size); every
// rejection is a ModelFormatError at byte offset `at` (the header's start in
// the file, or -1 when encoding); element counts are checked with running
// products capped at LIMITS.maxElements, so no product ever leaves the safe
// integer range.

import { ModelFormatError } from "./errors.ts";
import { LIMITS, paramShapes, type ResolvedLayer, resolveLayers } from "./spec.ts";
import type { LayerSpec } from "./spec.ts";
import type { Normalization } from "./model_desc.ts";

export type DType = "f32" | "f16" | "int8";
export const DTYPE_SIZE: Record<DType, number> = { f32: 4, f16: 2, int8: 1 };

/** One row of the tensor table, validated. Offsets are relative to the data section. */
export interface TensorEntry {
  layer: number;
  index: number;
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
  /** int8 only: offset of shape[0] f32 scales */
  scaleOffset?: number;
}

/** The model part of a header, validated, plus the resolved layers. */
export interface HeaderModel {
  inputShape: number[];
  layers: LayerSpec[];
  labels?: string[];
  normalization?: Normalization;
  meta?: Record<string, unknown>;
  resolved: ResolvedLayer[];
}

const LAYER_KEYS: Record<string, readonly string[]> = {
  conv2d: ["filters", "kernel", "stride", "dilation", "padding", "groups", "bias"],
  conv1d: ["filters", "kernel", "stride", "dilation", "padding", "groups", "bias"],
  maxpool2d: ["size", "stride", "padding"],
  avgpool2d: ["size", "stride", "padding"],
  l2pool2d: ["size", "stride", "padding"],
  maxpool1d: ["size", "stride", "padding"],
  avgpool1d: ["size", "stride", "padding"],
  l2pool1d: ["size", "stride", "padding"],
  globalavgpool: [],
  dense: ["units", "bias"],
  flatten: [],
  relu: [],
  sigmoid: [],
  tanh: [],
  softmax: [],
  leakyrelu: ["alpha"],
  elu: ["alpha"],
};

const TENSOR_KEYS = ["layer", "index", "dtype", "shape", "offset", "byteLength", "scaleOffset"];

/** Short JSON rendering of a value for messages (never huge, never throws). */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Clip a message so an error never carries megabytes of header text. */
export function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 397)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function safeInt(v: unknown, what: string, at: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new ModelFormatError(`header: ${what} must be an integer in [0, ${max}], got ${show(v)}`, at);
  }
  return v;
}

/**
 * Validate a tensor shape and return its element count. Dims are integers in
 * [1, LIMITS.maxDim]; the running product is capped at LIMITS.maxElements.
 */
export function shapeElements(shape: unknown, what: string, at: number): number {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 4) {
    throw new ModelFormatError(
      `header: ${what}.shape must be an array of 1 to 4 dims, got ${show(shape)}`,
      at,
    );
  }
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > LIMITS.maxDim) {
      throw new ModelFormatError(
        `header: ${what}.shape[${i}] must be an integer in [1, ${LIMITS.maxDim}], got ${show(d)}`,
        at,
      );
    }
    n *= d; // both factors ≤ 2^28 and 2^16: the product stays exact
    if (n > LIMITS.maxElements) {
      throw new ModelFormatError(
        `header: ${what}.shape ${
          show(shape)
        } has more than ${LIMITS.maxElements} elements (product overflow)`,
        at,
      );
    }
  }
  return n;
}

function finiteArray(v: unknown, len: number, what: string, at: number, positive: boolean): number[] {
  if (!Array.isArray(v) || v.length !== len) {
    throw new ModelFormatError(
      `header: ${what} must be an array of ${len} numbers (one per input channel), got ${show(v)}`,
      at,
    );
  }
  for (let i = 0; i < len; i++) {
    const x = v[i];
    if (typeof x !== "number" || !Number.isFinite(x) || (positive && !(x > 0))) {
      throw new ModelFormatError(
        `header: ${what}[${i}] must be a finite number${positive ? " > 0" : ""}, got ${show(x)}`,
        at,
      );
    }
  }
  return v as number[];
}

/** Validate inputShape, layers, labels, normalization and meta of a parsed header. */
export function checkHeaderModel(h: unknown, at: number): HeaderModel {
  if (!isObject(h)) throw new ModelFormatError(`header must be a JSON object, got ${show(h)}`, at);
  const layers = h.layers;
  if (!Array.isArray(layers)) {
    throw new ModelFormatError(`header: layers must be an array, got ${show(layers)}`, at);
  }
  if (layers.length > LIMITS.maxLayers) {
    throw new ModelFormatError(`header: ${layers.length} layers exceed the limit ${LIMITS.maxLayers}`, at);
  }
  layers.forEach((l, i) => {
    if (!isObject(l) || typeof l.type !== "string") {
      throw new ModelFormatError(
        `header: layer ${i} must be an object with a string "type", got ${show(l)}`,
        at,
      );
    }
    const allowed = LAYER_KEYS[l.type];
    if (!allowed) {
      throw new ModelFormatError(
        `header: layer ${i} has unknown layer type ${show(l.type)}; expected one of ${
          Object.keys(LAYER_KEYS).join(", ")
        }`,
        at,
      );
    }
    for (const k of Object.keys(l)) {
      if (k !== "type" && !allowed.includes(k)) {
        throw new ModelFormatError(
          `header: layer ${i} (${l.type}) has unknown field ${show(k)}; allowed: type, ${allowed.join(", ")}`,
          at,
        );
      }
    }
  });
  let resolved: ResolvedLayer[];
  try {
    resolved = resolveLayers(layers as LayerSpec[], h.inputShape as number[]);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(clip(`header: invalid architecture: ${msg}`), at);
  }
  const inputShape = h.inputShape as number[];
  const out: HeaderModel = { inputShape, layers: layers as LayerSpec[], resolved };
  if (h.labels !== undefined) {
    const outShape = resolved[resolved.length - 1].outShape;
    const units = outShape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(h.labels) || h.labels.length !== units) {
      throw new ModelFormatError(
        `header: labels must be an array of ${units} strings (one per output unit), got ${show(h.labels)}`,
        at,
      );
    }
    h.labels.forEach((s, i) => {
      if (typeof s !== "string") {
        throw new ModelFormatError(`header: labels[${i}] must be a string, got ${show(s)}`, at);
      }
    });
    out.labels = h.labels as string[];
  }
  if (h.normalization !== undefined) {
    const n = h.normalization;
    if (!isObject(n) || Object.keys(n).some((k) => k !== "mean" && k !== "std")) {
      throw new ModelFormatError(
        `header: normalization must be {"mean": [...], "std": [...]}, got ${show(n)}`,
        at,
      );
    }
    const c = inputShape[0];
    out.normalization = {
      mean: finiteArray(n.mean, c, "normalization.mean", at, false),
      std: finiteArray(n.std, c, "normalization.std", at, true),
    };
  }
  if (h.meta !== undefined) {
    if (!isObject(h.meta)) {
      throw new ModelFormatError(`header: meta must be a JSON object, got ${show(h.meta)}`, at);
    }
    out.meta = h.meta;
  }
  return out;
}

/**
 * Validate the tensor table against the resolved layers and the data section
 * length. Returns the entries and the weights' dtype ("f32" when there are none).
 */
export function checkTensorTable(
  tensors: unknown,
  resolved: ResolvedLayer[],
  dataLength: number,
  at: number,
): { entries: TensorEntry[]; dtype: DType } {
  const expected = resolved.map((l) => paramShapes(l));
  const total = expected.reduce((a, s) => a + s.length, 0);
  if (!Array.isArray(tensors)) {
    throw new ModelFormatError(`header: tensors must be an array, got ${show(tensors)}`, at);
  }
  if (tensors.length > total) {
    throw new ModelFormatError(
      `header: extra tensor: ${tensors.length} tensors listed, the layers have ${total}`,
      at,
    );
  }
  const seen = expected.map((s) => s.map(() => false));
  const entries: TensorEntry[] = [];
  let dtype: DType | null = null;
  let prevStart = 0;
  let prevEnd = 0;
  const region = (off: number, len: number, what: string) => {
    if (off % 8 !== 0) {
      throw new ModelFormatError(`header: ${what} offset ${off} is misaligned (must be a multiple of 8)`, at);
    }
    if (off < prevStart) {
      throw new ModelFormatError(
        `header: ${what} offset ${off} is out of order (the previous region starts at ${prevStart})`,
        at,
      );
    }
    if (off < prevEnd) {
      throw new ModelFormatError(
        `header: ${what} [${off}, ${off + len}) overlaps the previous region ending at ${prevEnd}`,
        at,
      );
    }
    if (off + len > dataLength) {
      throw new ModelFormatError(
        `header: ${what} [${off}, ${off + len}) is out of bounds of the ${dataLength}-byte data section`,
        at,
      );
    }
    prevStart = off;
    prevEnd = off + len;
  };
  tensors.forEach((t, i) => {
    const what = `tensors[${i}]`;
    if (!isObject(t)) throw new ModelFormatError(`header: ${what} must be an object, got ${show(t)}`, at);
    for (const k of Object.keys(t)) {
      if (!TENSOR_KEYS.includes(k)) {
        throw new ModelFormatError(`header: ${what} has unknown field ${show(k)}`, at);
      }
    }
    if (
      typeof t.layer !== "number" || !Number.isInteger(t.layer) || t.layer < 0 || t.layer >= resolved.length
    ) {
      throw new ModelFormatError(
        `header: ${what}.layer must be an integer in [0, ${resolved.length - 1}], got ${show(t.layer)}`,
        at,
      );
    }
    if (t.index !== 0 && t.index !== 1) {
      throw new ModelFormatError(
        `header: ${what}.index must be 0 (weight) or 1 (bias), got ${show(t.index)}`,
        at,
      );
    }
    const layer = t.layer, index = t.index;
    const name = `layer ${layer} (${resolved[layer].spec.type}) ${index === 0 ? "weight" : "bias"}`;
    if (t.dtype !== "f32" && t.dtype !== "f16" && t.dtype !== "int8") {
      throw new ModelFormatError(
        `header: ${what} has unknown dtype ${show(t.dtype)}; expected f32, f16 or int8`,
        at,
      );
    }
    const dt: DType = t.dtype;
    if (index >= expected[layer].length) {
      throw new ModelFormatError(`header: extra tensor ${what}: ${name} does not exist`, at);
    }
    if (seen[layer][index]) {
      throw new ModelFormatError(`header: extra tensor ${what}: ${name} is listed twice`, at);
    }
    seen[layer][index] = true;
    if (index === 1 && dt !== "f32") {
      throw new ModelFormatError(`header: ${what} (${name}) has dtype ${dt}; biases must be f32`, at);
    }
    if (index === 0) {
      if (dtype !== null && dt !== dtype) {
        throw new ModelFormatError(
          `header: ${what} (${name}) has dtype ${dt}, earlier weights are ${dtype}; all weights share one dtype`,
          at,
        );
      }
      dtype = dt;
    }
    const n = shapeElements(t.shape, what, at);
    const want = expected[layer][index];
    const shape = t.shape as number[];
    if (shape.length !== want.length || shape.some((d, k) => d !== want[k])) {
      throw new ModelFormatError(
        `header: ${what} (${name}) has shape ${show(shape)}, the architecture needs ${show(want)}`,
        at,
      );
    }
    const byteLength = safeInt(t.byteLength, `${what}.byteLength`, at);
    if (byteLength !== n * DTYPE_SIZE[dt]) {
      throw new ModelFormatError(
        `header: ${what} (${name}) byte length mismatch: got ${byteLength}, ${n} ${dt} values need ${
          n * DTYPE_SIZE[dt]
        }`,
        at,
      );
    }
    const offset = safeInt(t.offset, `${what}.offset`, at);
    region(offset, byteLength, what);
    const entry: TensorEntry = { layer, index, dtype: dt, shape, offset, byteLength };
    if (dt === "int8") {
      const so = safeInt(t.scaleOffset, `${what}.scaleOffset (required for int8)`, at);
      region(so, 4 * shape[0], `${what} scales`);
      entry.scaleOffset = so;
    } else if (t.scaleOffset !== undefined) {
      throw new ModelFormatError(`header: ${what} has scaleOffset but dtype ${dt}; only int8 has scales`, at);
    }
    entries.push(entry);
  });
  seen.forEach((s, layer) =>
    s.forEach((ok, index) => {
      if (!ok) {
        throw new ModelFormatError(
          `header: missing tensor: layer ${layer} (${resolved[layer].spec.type}) ${
            index === 0 ? "weight" : "bias"
          } of shape ${show(expected[layer][index])}`,
          at,
        );
      }
    })
  );
  const end = Math.ceil(prevEnd / 8) * 8;
  if (dataLength !== end) {
    throw new ModelFormatError(
      `header: dataLength is ${dataLength}, the tensors end at ${end} (after 8-byte padding)`,
      at,
    );
  }
  return { entries, dtype: dtype ?? "f32" };
}
