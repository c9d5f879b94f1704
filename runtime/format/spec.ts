// Layer specs of the closed op set, their validation, shape inference,
// parameter shapes and receptive field. Invariants: per-sample shapes are
// (C,H,W) for 2-D layers, (C,L) for 1-D layers and (F) for flat ones; batches
// are N-major (NCHW). A resolved conv/pool layer is always described in 2-D
// form (1-D layers have kh = sh = dh = 1, no top/bottom padding, H = 1) so one
// kernel serves both. Output size is
//   floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1.
// Every check throws TypeError (shape/type) or RangeError (limits); the format
// decoder turns those into ModelFormatError.

import { type Activation, ACTIVATIONS, type ElementwiseAct, FLT_MAX } from "../ops/activation/table.ts";
import { JOIN_OPS, type LayerLinks, linkInputs } from "../graph.ts";

export type { LayerLinks };

/** Padding: a mode or explicit amounts. 2-D explicit: [top, bottom, left, right] or one number for all sides. 1-D explicit: [left, right] or one number. */
export type Padding = "valid" | "same" | "full" | "causal" | number | number[];
/** One number (square / same on both axes) or [h, w]. */
export type Pair = number | [number, number];

/** An activation: one of the elementwise table (runtime/ops/activation/table.ts), or softmax over channels. */
export type ActivationType = ElementwiseAct | "softmax";

/** One layer of a model as written in the file's header (docs/FORMAT.md §4), with its graph links (§4.3). */
export type LayerSpec = LayerOp & LayerLinks;

/** The op part of a layer spec. */
export type LayerOp =
  | {
    type: "conv2d";
    filters: number;
    kernel: Pair;
    stride?: Pair;
    dilation?: Pair;
    padding?: Padding;
    groups?: number;
    bias?: boolean;
  }
  | {
    type: "conv1d";
    filters: number;
    kernel: number;
    stride?: number;
    dilation?: number;
    padding?: Padding;
    groups?: number;
    bias?: boolean;
  }
  | {
    type: "conv2dtranspose";
    filters: number;
    kernel: Pair;
    stride?: Pair;
    dilation?: Pair;
    /** explicit only: one number or [top, bottom, left, right] */
    padding?: "valid" | number | number[];
    outputPadding?: Pair;
    groups?: number;
    bias?: boolean;
  }
  | {
    type: "conv1dtranspose";
    filters: number;
    kernel: number;
    stride?: number;
    dilation?: number;
    padding?: "valid" | number | number[];
    outputPadding?: number;
    groups?: number;
    bias?: boolean;
  }
  | {
    type: "maxpool2d" | "avgpool2d" | "l2pool2d";
    size: Pair;
    stride?: Pair;
    padding?: Padding;
    /** avgpool only: false divides by the real cells of a window, not its size (ONNX count_include_pad = 0) */
    countPad?: boolean;
  }
  | {
    type: "maxpool1d" | "avgpool1d" | "l2pool1d";
    size: number;
    stride?: number;
    padding?: Padding;
    /** avgpool only, as in 2-D */
    countPad?: boolean;
  }
  | { type: "globalavgpool" }
  | { type: "upsample2d"; scale: Pair; mode?: "nearest" | "bilinear" }
  | { type: "upsample1d"; scale: number; mode?: "nearest" | "linear" }
  | { type: "dense"; units: number; bias?: boolean }
  | { type: "flatten" }
  /**
   * an activation (relu6 is clip 0..6); the parameters each takes, and their defaults, are its entry in
   * runtime/ops/activation/table.ts (leakyrelu/elu: alpha; clip: min, max; hardsigmoid: alpha, beta)
   */
  | { type: ActivationType | "relu6"; alpha?: number; beta?: number; min?: number; max?: number }
  /** elementwise sum of 2+ inputs of one shape */
  | { type: "add" }
  /** 2+ inputs stacked along the channel axis (dim 0 of each sample; the other dims agree) */
  | { type: "concat" }
  /** x · s for 2 inputs: s of x's shape (elementwise), or one value per channel of x (squeeze-excitation gating) */
  | { type: "mul" };

export const LAYER_TYPES: readonly string[] = [
  "conv2d",
  "conv1d",
  "conv2dtranspose",
  "conv1dtranspose",
  "maxpool2d",
  "avgpool2d",
  "l2pool2d",
  "maxpool1d",
  "avgpool1d",
  "l2pool1d",
  "globalavgpool",
  "upsample2d",
  "upsample1d",
  "dense",
  "flatten",
  ...Object.keys(ACTIVATIONS),
  "softmax",
  "relu6",
  "add",
  "concat",
  "mul",
];

/** Geometry shared by convolution and pooling, always in 2-D form. */
export interface Window2d {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** padding top, bottom, left, right */
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  outH: number;
  outW: number;
}

/** avg counts padded cells as zeros (divides by the window); avgvalid (avgpool `countPad: false`) divides by the real cells. */
export type PoolMode = "max" | "avg" | "avgvalid" | "l2";

/**
 * Upsampling by integer factors (1-D: sh = 1, inH = outH = 1). nearest: out[o] = in[floor(o / s)];
 * linear (bilinear in 2-D, separable): src = max(0, (o + 0.5) / s − 0.5), i0 = floor(src),
 * i1 = min(i0 + 1, in − 1), out = (1 − λ)·in[i0] + λ·in[i1] with λ = src − i0 (PyTorch, align_corners=false).
 */
export interface Upsample {
  mode: "nearest" | "linear";
  sh: number;
  sw: number;
  c: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

/** A layer with every default filled in and its shapes known. */
export type ResolvedLayer =
  & {
    spec: LayerSpec;
    /** shape of the first input (a join's inputs: inputs[k]'s outShape) */
    inShape: number[];
    outShape: number[];
    /** producer layers, −1 = the model input (runtime/graph.ts) */
    inputs: number[];
  }
  & (
    | ({ op: "conv"; groups: number; bias: boolean } & Window2d)
    /** transposed conv: the window runs from output to input (y[oy] += x[iy]·w where oy = iy·s − pt + u·d) */
    | ({ op: "convT"; groups: number; bias: boolean } & Window2d)
    | ({ op: "pool"; mode: PoolMode } & Window2d)
    | { op: "globalavgpool"; c: number; spatial: number }
    | ({ op: "upsample" } & Upsample)
    | { op: "dense"; inF: number; outF: number; bias: boolean }
    | { op: "flatten" }
    /** sum of n inputs of outShape */
    | { op: "add"; n: number }
    /** input k has channels[k] channels of `spatial` positions each; outShape[0] = Σ channels */
    | { op: "concat"; channels: number[]; spatial: number }
    /** y = x · s, s (N, c) broadcast over the `spatial` positions of each channel, or (N, ...outShape) when !broadcast */
    | { op: "mul"; c: number; spatial: number; broadcast: boolean }
    | {
      op: "act";
      act: ActivationType;
      /** leakyrelu / elu slope; clip: the lower bound */
      alpha: number;
      /** clip: the upper bound (0 otherwise) */
      beta: number;
      /** softmax runs over `c` at each of `spatial` positions */
      c: number;
      spatial: number;
    }
  );

/** The largest finite float32, the default bounds of `clip`. */
export { FLT_MAX };

/** What an activation kernel needs of its layer (a resolved "act" layer is one). */
export interface ActParams {
  act: ActivationType;
  /** leakyrelu / elu slope; clip: the lower bound */
  alpha: number;
  /** clip: the upper bound */
  beta: number;
  /** softmax runs over `c` at each of `spatial` positions */
  c: number;
  spatial: number;
}

/** Hard limits; a spec outside them is rejected with RangeError. */
export const LIMITS = {
  maxDim: 1 << 16, // any single dimension
  maxKernel: 1024,
  maxStride: 1024,
  maxPad: 1024,
  maxElements: 1 << 28, // per-sample activation elements of one layer
  maxLayers: 1024,
};

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  }
  if (v < min || v > max) {
    throw new RangeError(`${what} must be in [${min}, ${max}], got ${v}`);
  }
  return v;
}

function pair(v: unknown, what: string, def: number | undefined, min: number, max: number): [number, number] {
  if (v === undefined) {
    if (def === undefined) throw new TypeError(`${what} is required`);
    return [def, def];
  }
  if (typeof v === "number") {
    const n = int(v, what, min, max);
    return [n, n];
  }
  if (Array.isArray(v) && v.length === 2) {
    return [int(v[0], `${what}[0]`, min, max), int(v[1], `${what}[1]`, min, max)];
  }
  throw new TypeError(`${what} must be an integer or [h, w], got ${JSON.stringify(v)}`);
}

/** Output length along one axis; throws RangeError if the window does not fit. */
export function outSize(
  inp: number,
  k: number,
  s: number,
  d: number,
  p0: number,
  p1: number,
  what: string,
): number {
  const span = d * (k - 1) + 1;
  const avail = inp + p0 + p1;
  if (avail < span) {
    throw new RangeError(`${what}: window span ${span} exceeds padded input ${avail}`);
  }
  return Math.floor((avail - span) / s) + 1;
}

/** Resolve padding for one axis pair into [before, after]. */
function padAxis(
  mode: "valid" | "same" | "full",
  inp: number,
  k: number,
  s: number,
  d: number,
): [number, number] {
  const span = d * (k - 1) + 1;
  if (mode === "valid") return [0, 0];
  if (mode === "full") return [span - 1, span - 1];
  // same: output = ceil(in / stride); extra padding goes after (TensorFlow convention)
  const out = Math.ceil(inp / s);
  const total = Math.max(0, (out - 1) * s + span - inp);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function resolvePadding(
  p: unknown,
  dims: 1 | 2,
  inH: number,
  inW: number,
  g: { kh: number; kw: number; sh: number; sw: number; dh: number; dw: number },
  what: string,
): [number, number, number, number] {
  const P = LIMITS.maxPad;
  if (p === undefined || p === "valid" || p === "same" || p === "full") {
    const m = (p ?? "valid") as "valid" | "same" | "full";
    const [pt, pb] = dims === 2 ? padAxis(m, inH, g.kh, g.sh, g.dh) : [0, 0];
    const [pl, pr] = padAxis(m, inW, g.kw, g.sw, g.dw);
    return [pt, pb, pl, pr];
  }
  if (typeof p === "number") {
    const n = int(p, `${what}.padding`, 0, P);
    return dims === 2 ? [n, n, n, n] : [0, 0, n, n];
  }
  if (Array.isArray(p) && dims === 2 && p.length === 4) {
    const v = p.map((x, i) => int(x, `${what}.padding[${i}]`, 0, P));
    return [v[0], v[1], v[2], v[3]];
  }
  if (Array.isArray(p) && dims === 1 && p.length === 2) {
    return [0, 0, int(p[0], `${what}.padding[0]`, 0, P), int(p[1], `${what}.padding[1]`, 0, P)];
  }
  throw new TypeError(
    `${what}.padding must be "valid", "same", "full"${dims === 1 ? ', "causal"' : ""}, an integer or ${
      dims === 2 ? "[top,bottom,left,right]" : "[left,right]"
    }, got ${JSON.stringify(p)}`,
  );
}

/** A conv layer's filters, groups (dividing both channel counts) and bias flag. */
function convChannels(s: Record<string, unknown>, inC: number, what: string) {
  const outC = int(s.filters, `${what}.filters`, 1, LIMITS.maxDim);
  const groups = int(s.groups ?? 1, `${what}.groups`, 1, LIMITS.maxDim);
  if (inC % groups !== 0 || outC % groups !== 0) {
    throw new RangeError(`${what}: groups=${groups} must divide input channels ${inC} and filters ${outC}`);
  }
  if (s.bias !== undefined && typeof s.bias !== "boolean") {
    throw new TypeError(`${what}.bias must be boolean`);
  }
  return { outC, groups, bias: s.bias !== false };
}

function checkElements(shape: number[], what: string) {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > LIMITS.maxElements) {
    throw new RangeError(`${what}: output has ${n} elements per sample, limit is ${LIMITS.maxElements}`);
  }
}

/** Validate an input shape: (C,H,W), (C,L) or (F). */
export function checkInputShape(shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3) {
    throw new TypeError(`input shape must be [C,H,W], [C,L] or [F], got ${JSON.stringify(shape)}`);
  }
  const s = shape.map((v, i) => int(v, `input shape[${i}]`, 1, LIMITS.maxDim));
  checkElements(s, "input");
  return s;
}

/** Resolve one layer against its input shape. Throws TypeError/RangeError. */
export function resolveLayer(spec: LayerSpec, inShape: number[], index = 0): ResolvedLayer {
  const what = `layer ${index} (${(spec as { type?: unknown })?.type})`;
  if (spec === null || typeof spec !== "object" || typeof spec.type !== "string") {
    throw new TypeError(`layer ${index} must be an object with a string "type", got ${JSON.stringify(spec)}`);
  }
  if (!LAYER_TYPES.includes(spec.type)) {
    throw new TypeError(`${what}: unknown layer type; expected one of ${LAYER_TYPES.join(", ")}`);
  }
  const base = { spec, inShape, inputs: [index - 1] };
  const t = spec.type;
  if (JOIN_OPS.includes(t)) {
    throw new TypeError(`${what} joins several inputs: give it "inputs" (2 or more earlier layers)`);
  }
  const transposed = t === "conv2dtranspose" || t === "conv1dtranspose";
  if (t === "conv2d" || t === "conv1d" || transposed || t.endsWith("pool2d") || t.endsWith("pool1d")) {
    const dims = t.endsWith("2d") || t === "conv2dtranspose" ? 2 : 1;
    if (inShape.length !== dims + 1) {
      throw new TypeError(
        `${what} expects input ${dims === 2 ? "(C,H,W)" : "(C,L)"}, got shape (${inShape.join(",")})`,
      );
    }
    const s = spec as unknown as Record<string, unknown>;
    const inC = inShape[0];
    const inH = dims === 2 ? inShape[1] : 1;
    const inW = inShape[dims];
    const isConv = t.startsWith("conv");
    const kRaw = isConv ? s.kernel : s.size;
    const kName = isConv ? "kernel" : "size";
    if (dims === 1 && Array.isArray(kRaw)) {
      throw new TypeError(`${what}.${kName} must be an integer for 1-D layers`);
    }
    const [kh, kw] = dims === 2
      ? pair(kRaw, `${what}.${kName}`, undefined, 1, LIMITS.maxKernel)
      : [1, int(kRaw, `${what}.${kName}`, 1, LIMITS.maxKernel)];
    const sDef = isConv ? 1 : undefined;
    const sRaw = s.stride ?? (isConv ? 1 : (dims === 2 ? [kh, kw] : kw));
    const [sh, sw] = dims === 2
      ? pair(sRaw, `${what}.stride`, sDef, 1, LIMITS.maxStride)
      : [1, int(sRaw, `${what}.stride`, 1, LIMITS.maxStride)];
    const dRaw = isConv ? (s.dilation ?? 1) : 1;
    if (!isConv && s.dilation !== undefined) throw new TypeError(`${what}: pooling has no dilation`);
    const [dh, dw] = dims === 2
      ? pair(dRaw, `${what}.dilation`, 1, 1, LIMITS.maxKernel)
      : [1, int(dRaw, `${what}.dilation`, 1, LIMITS.maxKernel)];
    if (s.padding === "causal" && t !== "conv1d") {
      throw new TypeError(
        `${what}: "causal" padding is for conv1d (it pads (kernel − 1)·dilation on the left)`,
      );
    }
    if (transposed && (s.padding === "same" || s.padding === "full")) {
      throw new TypeError(
        `${what}.padding must be explicit (a number or a list) or "valid", got ${JSON.stringify(s.padding)}`,
      );
    }
    const [pt, pb, pl, pr] = s.padding === "causal"
      ? [0, 0, dw * (kw - 1), 0] // causal: output t sees inputs ≤ t only (WaveNet)
      : resolvePadding(s.padding, dims, inH, inW, { kh, kw, sh, sw, dh, dw }, what);
    if (transposed) {
      const [oph, opw] = dims === 2
        ? pair(s.outputPadding, `${what}.outputPadding`, 0, 0, LIMITS.maxStride)
        : [0, int(s.outputPadding ?? 0, `${what}.outputPadding`, 0, LIMITS.maxStride)];
      if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
        throw new RangeError(`${what}: outputPadding must be smaller than the stride or the dilation`);
      }
      // out = (in − 1)·s − p0 − p1 + d·(k − 1) + 1 + outputPadding
      const size = (
        n: number,
        k: number,
        st: number,
        d: number,
        p0: number,
        p1: number,
        op: number,
        axis: string,
      ) => {
        const o = (n - 1) * st - p0 - p1 + d * (k - 1) + 1 + op;
        if (o < 1) throw new RangeError(`${what} ${axis}: padding leaves no output (${o})`);
        return o;
      };
      const outH = dims === 2 ? size(inH, kh, sh, dh, pt, pb, oph, "height") : 1;
      const outW = size(inW, kw, sw, dw, pl, pr, opw, dims === 2 ? "width" : "length");
      const { outC, groups, bias } = convChannels(s, inC, what);
      const outShape = dims === 2 ? [outC, outH, outW] : [outC, outW];
      checkElements(outShape, what);
      const win = { kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, inC, inH, inW, outH, outW };
      return { ...base, outShape, op: "convT", ...win, outC, groups, bias };
    }
    const outH = dims === 2 ? outSize(inH, kh, sh, dh, pt, pb, `${what} height`) : 1;
    const outW = outSize(inW, kw, sw, dw, pl, pr, `${what} ${dims === 2 ? "width" : "length"}`);
    const win = { kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, inC, inH, inW, outH, outW };
    if (isConv) {
      const { outC, groups, bias } = convChannels(s, inC, what);
      const outShape = dims === 2 ? [outC, outH, outW] : [outC, outW];
      checkElements(outShape, what);
      return { ...base, outShape, op: "conv", ...win, outC, groups, bias };
    }
    // pad < window on each side: every window then covers at least one real cell
    if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
      throw new RangeError(
        `${what}: padding [${pt},${pb},${pl},${pr}] must be smaller than the window ${kh}x${kw} on each side`,
      );
    }
    let mode = t.slice(0, t.indexOf("pool")) as PoolMode;
    if (s.countPad !== undefined) {
      if (mode !== "avg" || typeof s.countPad !== "boolean") {
        throw new TypeError(
          `${what}.countPad is a boolean of avgpool layers, got ${JSON.stringify(s.countPad)}`,
        );
      }
      if (!s.countPad) mode = "avgvalid";
    }
    const outShape = dims === 2 ? [inC, outH, outW] : [inC, outW];
    return { ...base, outShape, op: "pool", mode, ...win, outC: inC };
  }
  if (t === "upsample2d" || t === "upsample1d") {
    const dims = t === "upsample2d" ? 2 : 1;
    if (inShape.length !== dims + 1) {
      throw new TypeError(
        `${what} expects input ${dims === 2 ? "(C,H,W)" : "(C,L)"}, got shape (${inShape.join(",")})`,
      );
    }
    const s = spec as { scale?: unknown; mode?: unknown };
    if (dims === 1 && Array.isArray(s.scale)) {
      throw new TypeError(`${what}.scale must be an integer for 1-D layers`);
    }
    const [sh, sw] = dims === 2
      ? pair(s.scale, `${what}.scale`, undefined, 1, LIMITS.maxStride)
      : [1, int(s.scale, `${what}.scale`, 1, LIMITS.maxStride)];
    const linear = dims === 2 ? "bilinear" : "linear";
    if (s.mode !== undefined && s.mode !== "nearest" && s.mode !== linear) {
      throw new TypeError(`${what}.mode must be "nearest" or "${linear}", got ${JSON.stringify(s.mode)}`);
    }
    const c = inShape[0], inH = dims === 2 ? inShape[1] : 1, inW = inShape[dims];
    const outH = inH * sh, outW = inW * sw;
    const outShape = dims === 2 ? [c, outH, outW] : [c, outW];
    checkElements(outShape, what);
    const mode = s.mode === undefined || s.mode === "nearest" ? "nearest" : "linear";
    return { ...base, outShape, op: "upsample", mode, sh, sw, c, inH, inW, outH, outW };
  }
  if (t === "globalavgpool") {
    if (inShape.length < 2) {
      throw new TypeError(`${what} expects (C,H,W) or (C,L), got (${inShape.join(",")})`);
    }
    const spatial = inShape.slice(1).reduce((a, b) => a * b, 1);
    return { ...base, outShape: [inShape[0]], op: "globalavgpool", c: inShape[0], spatial };
  }
  const flat = inShape.reduce((a, b) => a * b, 1);
  if (t === "dense") {
    const s = spec as { units: unknown; bias?: unknown };
    const outF = int(s.units, `${what}.units`, 1, LIMITS.maxDim);
    if (s.bias !== undefined && typeof s.bias !== "boolean") {
      throw new TypeError(`${what}.bias must be boolean`);
    }
    if (flat * outF > LIMITS.maxElements) {
      throw new RangeError(`${what}: ${flat}x${outF} weights exceed ${LIMITS.maxElements}`);
    }
    return { ...base, outShape: [outF], op: "dense", inF: flat, outF, bias: s.bias !== false };
  }
  if (t === "flatten") return { ...base, outShape: [flat], op: "flatten" };
  // activations: α and β from the spec's parameters as the activation table names them
  const num = (v: unknown, key: string, def: number): number => {
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isFinite(Math.fround(v))) {
      throw new TypeError(
        `${what}.${key} must be a finite number (within float32 range), got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const act: ActivationType = t === "relu6" ? "clip" : t as ActivationType;
  let alpha = 0, beta = 0;
  if (t === "relu6") [alpha, beta] = [0, 6];
  else if (act !== "softmax") {
    const e: Activation = ACTIVATIONS[act];
    const p = spec as unknown as Record<string, unknown>;
    if (e.alpha) alpha = num(p[e.alpha.key], e.alpha.key, e.alpha.default);
    if (e.beta) beta = num(p[e.beta.key], e.beta.key, e.beta.default);
  }
  if (act === "clip" && alpha > beta) throw new RangeError(`${what}: min ${alpha} exceeds max ${beta}`);
  const c = inShape[0];
  return {
    ...base,
    outShape: [...inShape],
    op: "act",
    act,
    alpha,
    beta,
    c,
    spatial: flat / c,
  };
}

/**
 * Resolve a join (add, concat) against the output shapes of its inputs.
 * Throws TypeError when the shapes do not agree.
 */
export function resolveJoin(
  spec: LayerSpec,
  inShapes: number[][],
  inputs: number[],
  index = 0,
): ResolvedLayer {
  const what = `layer ${index} (${spec.type})`;
  const show = (s: number[]) => `(${s.join(",")})`;
  if (inShapes.length < 2) {
    throw new TypeError(`${what} needs 2 or more inputs, got ${inShapes.length}`);
  }
  const first = inShapes[0];
  const base = { spec, inShape: [...first], inputs: [...inputs] };
  if (spec.type === "add") {
    inShapes.forEach((s, k) => {
      if (s.length !== first.length || s.some((d, j) => d !== first[j])) {
        throw new TypeError(
          `${what}: input ${k} (layer ${inputs[k]}) has shape ${show(s)}, input 0 has ${
            show(first)
          }; add needs one shape`,
        );
      }
    });
    return { ...base, outShape: [...first], op: "add", n: inShapes.length };
  }
  if (spec.type === "mul") {
    if (inShapes.length !== 2) {
      throw new TypeError(`${what} takes exactly 2 inputs (x, scale), got ${inShapes.length}`);
    }
    const s = inShapes[1], per = (v: number[]) => v.reduce((a, b) => a * b, 1);
    const sameShape = s.length === first.length && s.every((d, j) => d === first[j]);
    // one value per channel: (C), or (C, 1, 1) / (C, 1)
    const perChannel = s[0] === first[0] && per(s) === first[0] && first.length > 1;
    if (!sameShape && !perChannel) {
      throw new TypeError(
        `${what}: input 1 (layer ${inputs[1]}) has shape ${show(s)}; mul needs input 0's shape ${
          show(first)
        } or one value per channel (${first[0]})`,
      );
    }
    const spatial = per(first) / first[0];
    return { ...base, outShape: [...first], op: "mul", c: first[0], spatial, broadcast: !sameShape };
  }
  if (spec.type !== "concat") throw new TypeError(`${what} is not a join (add, concat, mul)`);
  inShapes.forEach((s, k) => {
    if (s.length !== first.length || s.some((d, j) => j > 0 && d !== first[j])) {
      throw new TypeError(
        `${what}: input ${k} (layer ${inputs[k]}) has shape ${show(s)}, input 0 has ${
          show(first)
        }; concat joins channels (dim 0), the other dims must agree`,
      );
    }
  });
  const channels = inShapes.map((s) => s[0]);
  const c = channels.reduce((a, b) => a + b, 0);
  if (c > LIMITS.maxDim) throw new RangeError(`${what}: ${c} channels exceed ${LIMITS.maxDim}`);
  const outShape = [c, ...first.slice(1)];
  checkElements(outShape, what);
  return { ...base, outShape, op: "concat", channels, spatial: first.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Resolve the layers of a graph in order (runtime/graph.ts: links, then one
 * layer at a time against its inputs' shapes). `resolveOne` resolves a
 * single-input layer (the runtime's resolveLayer, or training's with its
 * extra layers). Throws TypeError/RangeError naming the layer.
 */
export function resolveGraph<R extends { outShape: number[]; inputs: number[] }>(
  specs: readonly (LayerLinks & { type: string })[],
  inputShape: number[],
  resolveOne: (spec: never, inShape: number[], index: number) => R,
): (R | ResolvedLayer)[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new TypeError("layers must be a non-empty array");
  if (specs.length > LIMITS.maxLayers) {
    throw new RangeError(`${specs.length} layers exceed the limit ${LIMITS.maxLayers}`);
  }
  const input = checkInputShape(inputShape);
  specs.forEach((s, i) => {
    if (s === null || typeof s !== "object" || typeof s.type !== "string") {
      throw new TypeError(`layer ${i} must be an object with a string "type", got ${JSON.stringify(s)}`);
    }
  });
  const links = linkInputs(specs);
  const out: (R | ResolvedLayer)[] = [];
  specs.forEach((s, i) => {
    const ins = links[i];
    const shapes = ins.map((j) => (j < 0 ? input : out[j].outShape));
    if (JOIN_OPS.includes(s.type)) {
      out.push(resolveJoin(s as LayerSpec, shapes, ins, i));
      return;
    }
    if (ins.length !== 1) {
      throw new TypeError(
        `layer ${i} (${s.type}) takes one input, got ${ins.length}; only add and concat join`,
      );
    }
    out.push({ ...resolveOne(s as never, shapes[0], i), inputs: ins });
  });
  return out;
}

/** Resolve a whole model (a chain, or a graph whose layers name their inputs). Throws TypeError/RangeError naming the layer. */
export function resolveLayers(specs: LayerSpec[], inputShape: number[]): ResolvedLayer[] {
  return resolveGraph(specs, inputShape, resolveLayer) as ResolvedLayer[];
}

/**
 * Whether a resolved layer is a join (JOIN_OPS: add, concat, mul), the ops that read several inputs.
 *
 * @example
 * ```ts
 * import { isJoin, resolveLayers } from "./spec.ts";
 * const [relu, add] = resolveLayers([{ type: "relu" }, { type: "add", inputs: ["input", 0] }], [2, 3]);
 * if (isJoin(relu) || !isJoin(add)) throw new Error();
 * ```
 */
export function isJoin<L extends { op: string }>(l: L): l is L & { op: "add" | "concat" | "mul" } {
  return JOIN_OPS.includes(l.op);
}

/**
 * Values per sample of each input of a layer (a join's inputs may differ: concat's channel counts, mul's
 * per-channel scale).
 *
 * @example
 * ```ts
 * import { inputSizes, resolveLayers } from "./spec.ts";
 * const [, cat] = resolveLayers([{ type: "relu" }, { type: "concat", inputs: ["input", 0] }], [2, 3]);
 * if (inputSizes(cat).join() !== "6,6") throw new Error();
 * ```
 */
export function inputSizes(l: ResolvedLayer): number[] {
  if (l.op === "concat") return l.channels.map((c) => c * l.spatial);
  if (l.op === "mul") return [l.c * l.spatial, l.broadcast ? l.c : l.c * l.spatial];
  return l.inputs.map(() => l.inShape.reduce((a, b) => a * b, 1));
}

/** Shapes of the learnable tensors of a layer, in order [weight, bias?]. */
export function paramShapes(l: ResolvedLayer): number[][] {
  if (l.op === "conv") {
    const w = l.spec.type === "conv1d"
      ? [l.outC, l.inC / l.groups, l.kw]
      : [l.outC, l.inC / l.groups, l.kh, l.kw];
    return l.bias ? [w, [l.outC]] : [w];
  }
  if (l.op === "convT") {
    // PyTorch / ONNX layout: (inC, outC/groups, kh, kw)
    const w = l.spec.type === "conv1dtranspose"
      ? [l.inC, l.outC / l.groups, l.kw]
      : [l.inC, l.outC / l.groups, l.kh, l.kw];
    return l.bias ? [w, [l.outC]] : [w];
  }
  if (l.op === "dense") return l.bias ? [[l.outF, l.inF], [l.outF]] : [[l.outF, l.inF]];
  return [];
}

/** Number of learnable scalars of a layer. */
export function paramCount(l: ResolvedLayer): number {
  return paramShapes(l).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

/** Multiply-accumulates per sample of a layer (for summaries and benchmarks). */
export function macs(l: ResolvedLayer): number {
  if (l.op === "conv") return l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw;
  if (l.op === "convT") return l.inC * l.inH * l.inW * (l.outC / l.groups) * l.kh * l.kw;
  if (l.op === "dense") return l.inF * l.outF;
  return 0;
}

/**
 * Receptive field after each layer, as [rfH, rfW] (size in input pixels of
 * the region one output unit sees) with the cumulative stride ("jump"). In a
 * graph each layer starts from its inputs' fields (a join: the widest).
 */
export function receptiveFields(layers: ResolvedLayer[]): { rf: [number, number]; jump: [number, number] }[] {
  const out: { rf: [number, number]; jump: [number, number] }[] = [];
  for (const l of layers) {
    const from = (l.inputs ?? [out.length - 1]).map((j) => j < 0 ? { rf: [1, 1], jump: [1, 1] } : out[j]);
    let rf: [number, number] = [Math.max(...from.map((f) => f.rf[0])), Math.max(...from.map((f) => f.rf[1]))];
    let jump: [number, number] = [
      Math.max(...from.map((f) => f.jump[0])),
      Math.max(...from.map((f) => f.jump[1])),
    ];
    if (l.op === "conv" || l.op === "pool") {
      rf = [rf[0] + (l.dh * (l.kh - 1)) * jump[0], rf[1] + (l.dw * (l.kw - 1)) * jump[1]];
      jump = [jump[0] * l.sh, jump[1] * l.sw];
    } else if (l.op === "convT") {
      // outputs step 1/s input cells; a window of k taps spans d·(k − 1) outputs
      jump = [jump[0] / l.sh, jump[1] / l.sw];
      rf = [rf[0] + l.dh * (l.kh - 1) * jump[0], rf[1] + l.dw * (l.kw - 1) * jump[1]];
    } else if (l.op === "upsample") {
      // linear interpolation mixes two neighbours; outputs step 1/s input cells
      if (l.mode === "linear") rf = [rf[0] + (l.sh > 1 ? jump[0] : 0), rf[1] + jump[1]];
      jump = [jump[0] / l.sh, jump[1] / l.sw];
    } else if ((l.op === "globalavgpool" || l.op === "dense" || l.op === "flatten") && l.inShape.length > 1) {
      // these mix every spatial position of their input
      const s = l.inShape;
      const h = s.length === 3 ? s[1] : 1;
      const w = s[s.length - 1];
      rf = [rf[0] + (h - 1) * jump[0], rf[1] + (w - 1) * jump[1]];
    }
    out.push({ rf, jump });
  }
  return out;
}
