// Validation of the JSON header of a .tcnn file (docs/FORMAT.md §3–§4):
// the model part (inputShape, layers, labels, normalization, meta) and the
// tensor table. Shared by the encoder (so it can only write what the decoder
// accepts) and the decoder. Layer types and parameters are checked by
// spec.ts (resolveLayers, the one source of truth for the op set); this file
// adds what a file needs on top: no unknown fields, and a tensor table that
// matches the architecture and the data section. Invariants: nothing here
// allocates in proportion to a number read from the file (only to the
// header's own size); every rejection is a ModelFormatError at byte offset
// `at` (the header's start in the file, or -1 when encoding); element counts
// are checked with running products capped at LIMITS.maxElements, so no
// product ever leaves the safe integer range.

import { ModelFormatError } from "../errors.ts";
import { checkInputRange, type InputRange } from "../input/input_range.ts";
import { LAYER_TYPES, LIMITS, paramShapes, type ResolvedLayer, resolveLayers } from "./spec.ts";
import type { LayerSpec } from "./spec.ts";
import type { Normalization } from "./model_desc.ts";
import { quote } from "../quote.ts";
import { ACTIVATIONS, type ElementwiseAct } from "../ops/activation/table.ts";

/** Storage type of a weight tensor. */
export type DType = "f32" | "f16" | "int8";
/** Bytes per element of each dtype. */
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
  /** the sizes the model runs at besides inputShape (format 1.1) */
  inputRange?: InputRange;
  resolved: ResolvedLayer[];
}

/** Fields (besides "type") a layer of type `t` may carry in a file; every layer may also carry its graph links (name, inputs). */
function layerKeys(t: string): string[] {
  return [...opKeys(t), "name", "inputs"];
}

function opKeys(t: string): string[] {
  if (t.endsWith("transpose")) {
    return ["filters", "kernel", "stride", "dilation", "padding", "outputPadding", "groups", "bias"];
  }
  if (t.startsWith("conv")) return ["filters", "kernel", "stride", "dilation", "padding", "groups", "bias"];
  if (t === "globalavgpool") return [];
  if (t.startsWith("upsample")) return ["scale", "mode"];
  if (t.includes("pool")) {
    if (t.startsWith("avg")) return ["size", "stride", "padding", "countPad"];
    return t.startsWith("max") ? ["size", "stride", "padding", "dilation"] : ["size", "stride", "padding"];
  }
  if (t === "dense") return ["units", "bias"];
  if (t === "pad2d" || t === "pad1d") return ["padding", "mode", "value"];
  if (t === "lrn") return ["size", "alpha", "beta", "bias"];
  if (t === "shuffle") return ["groups"];
  if (t === "instancenorm") return ["epsilon"];
  if (t === "depthtospace" || t === "spacetodepth") return ["block", "mode"];
  if (t === "channelslice") return ["start", "count"];
  if (t === "tile") return ["repeats"];
  if (t === "softmax" || t === "logsoftmax") return ["axis"];
  // an activation's members are the spec keys of its α and β (the activation table names them)
  if (!Object.hasOwn(ACTIVATIONS, t)) return [];
  const e = ACTIVATIONS[t as ElementwiseAct];
  return [...(e.alpha ? [e.alpha.key] : []), ...(e.beta ? [e.beta.key] : [])];
}

/** Layer types, paddings and graph links (name, inputs) added by format 1.1 (a 1.0 reader rejects them). */
const V1_1_TYPES = [
  "relu6",
  "clip",
  "hardswish",
  "hardsigmoid",
  "identity",
  "upsample2d",
  "upsample1d",
  "conv2dtranspose",
  "conv1dtranspose",
  "add",
  "concat",
  "mul",
];

/** Layer types added by format 1.2: the unary activations after softplus, affine, logsoftmax, scale, prelu, pads. */
const V1_2_TYPES = [
  "softplus",
  "thresholdedrelu",
  "softsign",
  "selu",
  "celu",
  "gelu",
  "erf",
  "mish",
  "exp",
  "neg",
  "abs",
  "reciprocal",
  "sqrt",
  "log",
  "affine",
  "logsoftmax",
  "scale",
  "prelu",
  "pad2d",
  "pad1d",
  "lrn",
  "shuffle",
  "instancenorm",
  "depthtospace",
  "spacetodepth",
  "channelslice",
  "tile",
];

/**
 * The minor version a file of `layers` needs: 2 when it uses a 1.2 addition, 1 when a 1.1 one, else 0
 * (byte-identical to 1.0 writers).
 */
export function minorVersionFor(
  layers: readonly {
    type: string;
    padding?: unknown;
    name?: unknown;
    inputs?: unknown;
    countPad?: unknown;
  }[],
): 0 | 1 | 2 {
  const v12 = (l: { type: string; axis?: unknown; dilation?: unknown }) =>
    V1_2_TYPES.includes(l.type) || l.axis !== undefined ||
    (l.type.includes("pool") && l.dilation !== undefined);
  if (layers.some(v12)) return 2;
  return layers.some((l) =>
      V1_1_TYPES.includes(l.type) || l.padding === "causal" || l.name !== undefined ||
      l.inputs !== undefined ||
      l.countPad !== undefined
    )
    ? 1
    : 0;
}

const TENSOR_KEYS = ["layer", "index", "dtype", "shape", "offset", "byteLength", "scaleOffset"];

/** Short JSON rendering of a value for messages (never huge, never throws, escaped: quote.ts). */
export function show(v: unknown): string {
  return quote(v, 80);
}

/** Clip a message so an error never carries megabytes of header text. */
export function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 397)}...` : s;
}

/** Throw ModelFormatError("header: " + msg) at byte `at`. */
function fail(msg: string, at: number): never {
  throw new ModelFormatError(`header: ${msg}`, at);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function safeInt(v: unknown, what: string, at: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    fail(`${what} must be an integer in [0, ${Number.MAX_SAFE_INTEGER}], got ${show(v)}`, at);
  }
  return v;
}

/**
 * Validate a tensor shape and return its element count. Dims are integers in
 * [1, LIMITS.maxDim]; the running product is capped at LIMITS.maxElements.
 */
export function shapeElements(shape: unknown, what: string, at: number): number {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 4) {
    fail(`${what}.shape must be an array of 1 to 4 dims, got ${show(shape)}`, at);
  }
  let n = 1;
  shape.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > LIMITS.maxDim) {
      fail(`${what}.shape[${i}] must be an integer in [1, ${LIMITS.maxDim}], got ${show(d)}`, at);
    }
    n *= d; // both factors ≤ 2^28 and 2^16: the product stays exact
    if (n > LIMITS.maxElements) {
      fail(
        `${what}.shape ${show(shape)} has more than ${LIMITS.maxElements} elements (product overflow)`,
        at,
      );
    }
  });
  return n;
}

/** Smallest positive normal float32. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

function finiteArray(v: unknown, len: number, what: string, at: number, positive: boolean): number[] {
  if (!Array.isArray(v) || v.length !== len) {
    fail(`${what} must be an array of ${len} numbers (one per input channel), got ${show(v)}`, at);
  }
  v.forEach((x, i) => {
    // the runtime computes in float32: the value must survive that rounding
    // (finite; a divisor not zero or denormal there)
    const f = Math.fround(x as number);
    if (
      typeof x !== "number" || !Number.isFinite(f) || (positive && !(f >= FLOAT32_MIN_NORMAL))
    ) {
      fail(
        `${what}[${i}] must be a finite number${
          positive ? " > 0 (a normal float32, ≥ 1.18e-38)" : " (within float32 range)"
        }, got ${show(x)}`,
        at,
      );
    }
  });
  return v;
}

/** Validate inputShape, layers, labels, normalization, meta and inputRange of a parsed header. */
export function checkHeaderModel(h: unknown, at: number): HeaderModel {
  if (!isObject(h)) throw new ModelFormatError(`header must be a JSON object, got ${show(h)}`, at);
  const { layers, inputShape, labels, normalization: n, meta, inputRange } = h;
  if (!Array.isArray(layers)) fail(`layers must be an array, got ${show(layers)}`, at);
  if (layers.length > LIMITS.maxLayers) {
    fail(`${layers.length} layers exceed the limit ${LIMITS.maxLayers}`, at);
  }
  layers.forEach((l, i) => {
    if (!isObject(l) || typeof l.type !== "string") {
      fail(`layer ${i} must be an object with a string "type", got ${show(l)}`, at);
    }
    if (!LAYER_TYPES.includes(l.type)) {
      fail(
        `layer ${i} has unknown layer type ${show(l.type)}; expected one of ${LAYER_TYPES.join(", ")}`,
        at,
      );
    }
    const allowed = layerKeys(l.type);
    for (const k of Object.keys(l)) {
      if (k !== "type" && !allowed.includes(k)) {
        fail(
          `layer ${i} (${l.type}) has unknown field ${show(k)}; allowed: ${["type", ...allowed].join(", ")}`,
          at,
        );
      }
    }
  });
  let resolved: ResolvedLayer[] = [];
  try {
    resolved = resolveLayers(layers, inputShape as number[]);
  } catch (e) {
    fail(clip(`invalid architecture: ${e instanceof Error ? e.message : e}`), at);
  }
  const out: HeaderModel = { inputShape: inputShape as number[], layers, resolved };
  if (inputRange !== undefined) {
    try {
      out.inputRange = checkInputRange(inputRange, out.inputShape, layers);
    } catch (e) {
      fail(clip(e instanceof Error ? e.message : String(e)), at);
    }
  }
  if (labels !== undefined) {
    const units = resolved[resolved.length - 1].outShape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(labels) || labels.length !== units) {
      fail(`labels must be an array of ${units} strings (one per output unit), got ${show(labels)}`, at);
    }
    labels.forEach((s, i) => {
      if (typeof s !== "string") fail(`labels[${i}] must be a string, got ${show(s)}`, at);
    });
    out.labels = labels;
  }
  if (n !== undefined) {
    const no = isObject(n) ? n : {};
    const keys = Object.keys(no).sort().join(",");
    if (keys === "zscore") {
      if (no.zscore !== true) fail(`normalization.zscore must be true, got ${show(no.zscore)}`, at);
      if (out.inputShape.length !== 2) {
        fail(
          `normalization {"zscore": true} needs a series input (C,L), got (${out.inputShape.join(",")})`,
          at,
        );
      }
      out.normalization = { zscore: true };
    } else if (keys === "mean,std") {
      const c = out.inputShape[0];
      out.normalization = {
        mean: finiteArray(no.mean, c, "normalization.mean", at, false),
        std: finiteArray(no.std, c, "normalization.std", at, true),
      };
    } else {
      fail(`normalization must be {"mean": [...], "std": [...]} or {"zscore": true}, got ${show(n)}`, at);
    }
  }
  if (meta !== undefined) {
    if (!isObject(meta)) fail(`meta must be a JSON object, got ${show(meta)}`, at);
    out.meta = meta;
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
  if (!Array.isArray(tensors)) fail(`tensors must be an array, got ${show(tensors)}`, at);
  if (tensors.length > total) {
    fail(`extra tensor: ${tensors.length} tensors listed, the layers have ${total}`, at);
  }
  const seen = expected.map((s) => s.map(() => false));
  const entries: TensorEntry[] = [];
  const tensorName = (layer: number, index: number) =>
    `layer ${layer} (${resolved[layer].spec.type}) ${index === 0 ? "weight" : "bias"}`;
  let dtype: DType | null = null;
  let prevStart = 0;
  let prevEnd = 0;
  const region = (off: number, len: number, what: string) => {
    const span = `${what} [${off}, ${off + len})`;
    if (off % 8 !== 0) fail(`${what} offset ${off} is misaligned (must be a multiple of 8)`, at);
    if (off < prevStart) {
      fail(`${what} offset ${off} is out of order (the previous region starts at ${prevStart})`, at);
    }
    if (off < prevEnd) fail(`${span} overlaps the previous region ending at ${prevEnd}`, at);
    if (off + len > dataLength) fail(`${span} is out of bounds of the ${dataLength}-byte data section`, at);
    prevStart = off;
    prevEnd = off + len;
  };
  tensors.forEach((t, i) => {
    const what = `tensors[${i}]`;
    if (!isObject(t)) fail(`${what} must be an object, got ${show(t)}`, at);
    for (const k of Object.keys(t)) {
      if (!TENSOR_KEYS.includes(k)) fail(`${what} has unknown field ${show(k)}`, at);
    }
    const { layer, index, dtype: dt } = t;
    if (typeof layer !== "number" || !Number.isInteger(layer) || layer < 0 || layer >= resolved.length) {
      fail(`${what}.layer must be an integer in [0, ${resolved.length - 1}], got ${show(layer)}`, at);
    }
    if (index !== 0 && index !== 1) {
      fail(`${what}.index must be 0 (weight) or 1 (bias), got ${show(index)}`, at);
    }
    const name = tensorName(layer, index);
    if (dt !== "f32" && dt !== "f16" && dt !== "int8") {
      fail(`${what} has unknown dtype ${show(dt)}; expected f32, f16 or int8`, at);
    }
    if (index >= expected[layer].length) fail(`extra tensor ${what}: ${name} does not exist`, at);
    if (seen[layer][index]) fail(`extra tensor ${what}: ${name} is listed twice`, at);
    seen[layer][index] = true;
    if (index === 1 && dt !== "f32") fail(`${what} (${name}) has dtype ${dt}; biases must be f32`, at);
    if (index === 0) {
      if (dtype !== null && dt !== dtype) {
        fail(
          `${what} (${name}) has dtype ${dt}, earlier weights are ${dtype}; all weights share one dtype`,
          at,
        );
      }
      dtype = dt;
    }
    const n = shapeElements(t.shape, what, at);
    const shape = t.shape as number[];
    const want = expected[layer][index];
    if (shape.length !== want.length || shape.some((d, k) => d !== want[k])) {
      fail(`${what} (${name}) has shape ${show(shape)}, the architecture needs ${show(want)}`, at);
    }
    const byteLength = safeInt(t.byteLength, `${what}.byteLength`, at);
    const need = n * DTYPE_SIZE[dt];
    if (byteLength !== need) {
      fail(`${what} (${name}) byte length mismatch: got ${byteLength}, ${n} ${dt} values need ${need}`, at);
    }
    const offset = safeInt(t.offset, `${what}.offset`, at);
    region(offset, byteLength, what);
    const entry: TensorEntry = { layer, index, dtype: dt, shape, offset, byteLength };
    if (dt === "int8") {
      const so = safeInt(t.scaleOffset, `${what}.scaleOffset (required for int8)`, at);
      region(so, 4 * shape[0], `${what} scales`);
      entry.scaleOffset = so;
    } else if (t.scaleOffset !== undefined) {
      fail(`${what} has scaleOffset but dtype ${dt}; only int8 has scales`, at);
    }
    entries.push(entry);
  });
  seen.forEach((s, layer) =>
    s.forEach((ok, index) => {
      if (!ok) {
        fail(`missing tensor: ${tensorName(layer, index)} of shape ${show(expected[layer][index])}`, at);
      }
    })
  );
  const end = Math.ceil(prevEnd / 8) * 8;
  if (dataLength !== end) {
    fail(`dataLength is ${dataLength}, the tensors end at ${end} (after 8-byte padding)`, at);
  }
  return { entries, dtype: dtype ?? "f32" };
}
