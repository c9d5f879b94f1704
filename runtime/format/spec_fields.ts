// The field parsers every op's resolver shares (runtime/ops/<family>/resolve.ts):
// integers and pairs within limits, padding modes, output sizes, the conv and
// pool window, channel and element limits. Every check throws TypeError
// (shape/type) or RangeError (limits) naming the field (`what`); the format
// decoder turns those into ModelFormatError.
// Output size along an axis: floor((in + padBefore + padAfter − dilation·(k−1) − 1) / stride) + 1.

import type { LayerSpec, ResolvedLayer, Window2d } from "./spec_types.ts";
import { quote } from "../quote.ts";

/** What every resolved layer starts from: its spec, first input shape and producers. */
export interface LayerBase {
  spec: LayerSpec;
  inShape: number[];
  inputs: number[];
}

/** An op's resolver: one layer type's spec against its input shape (`what` names the layer in errors). */
export type Resolver = (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => ResolvedLayer;

/** The spec as a record of its fields (read one by one through the parsers below). */
export const fieldsOf = (spec: LayerSpec): Record<string, unknown> =>
  spec as unknown as Record<string, unknown>;

/** TypeError unless `inShape` is (C,H,W) (dims 2) or (C,L) (dims 1); returns [C, H (1 in 1-D), W]. */
export function spatialInput(inShape: number[], dims: 1 | 2, what: string): [number, number, number] {
  if (inShape.length !== dims + 1) {
    throw new TypeError(
      `${what} expects input ${dims === 2 ? "(C,H,W)" : "(C,L)"}, got shape (${inShape.join(",")})`,
    );
  }
  return [inShape[0], dims === 2 ? inShape[1] : 1, inShape[dims]];
}

/** One integer field (1-D layers) or a pair (2-D) as [h, w]; 1-D: h = 1. */
export function axes(
  v: unknown,
  dims: 1 | 2,
  what: string,
  def: number | undefined,
  min: number,
  max: number,
) {
  if (dims === 1 && Array.isArray(v)) throw new TypeError(`${what} must be an integer for 1-D layers`);
  return dims === 2 ? pair(v, what, def, min, max) : [1, int(v ?? def, what, min, max)] as [number, number];
}

/** A sliding window's kernel/stride/dilation fields, before its padding and output size. */
export type WindowTaps = Pick<Window2d, "kh" | "kw" | "sh" | "sw" | "dh" | "dw">;

/** The Window2d of taps `g` with padding [top, bottom, left, right] from input (C, H, W) to output (C, H, W). */
export function windowOf(
  g: WindowTaps,
  [pt, pb, pl, pr]: readonly number[],
  [inC, inH, inW]: readonly number[],
  [outC, outH, outW]: readonly number[],
): Window2d {
  return { ...g, pt, pb, pl, pr, inC, inH, inW, outC, outH, outW };
}

/** TypeError for "causal" padding on any layer but conv1d. */
export function refuseCausal(padding: unknown, what: string): void {
  if (padding === "causal") {
    throw new TypeError(
      `${what}: "causal" padding is for conv1d (it pads (kernel − 1)·dilation on the left)`,
    );
  }
}

/** The output size of a window along both axes, given its padding. */
export function windowOut(
  inH: number,
  inW: number,
  g: WindowTaps,
  [pt, pb, pl, pr]: [number, number, number, number],
  dims: 1 | 2,
  what: string,
): [number, number] {
  const outH = dims === 2 ? outSize(inH, g.kh, g.sh, g.dh, pt, pb, `${what} height`) : 1;
  return [outH, outSize(inW, g.kw, g.sw, g.dw, pl, pr, `${what} ${dims === 2 ? "width" : "length"}`)];
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

/**
 * `v` as a finite float32 number, or `def` when absent: TypeError otherwise.
 *
 * @example
 * ```ts
 * import { finiteNumber } from "./spec_fields.ts";
 * if (finiteNumber(undefined, "x.alpha", 0.5) !== 0.5) throw new Error();
 * ```
 */
export function finiteNumber(v: unknown, what: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(Math.fround(v))) {
    throw new TypeError(`${what} must be a finite number (within float32 range), got ${quote(v)}`);
  }
  return v;
}

/**
 * A (C, ...) shape as its channels and the positions per channel.
 *
 * @example
 * ```ts
 * import { channelsOf } from "./spec_fields.ts";
 * if (channelsOf([3, 4, 5]).join() !== "3,20") throw new Error();
 * ```
 */
export function channelsOf(inShape: readonly number[]): [c: number, spatial: number] {
  return [inShape[0], inShape.reduce((a, b) => a * b, 1) / inShape[0]];
}

/** `v` as an integer in [min, max]: TypeError when not an integer, RangeError outside. */
export function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, got ${quote(v)}`);
  }
  if (v < min || v > max) {
    throw new RangeError(`${what} must be in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/** `v` (one integer or [h, w]) as [h, w] in [min, max]; `def` for both when undefined (required when def is). */
export function pair(
  v: unknown,
  what: string,
  def: number | undefined,
  min: number,
  max: number,
): [number, number] {
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
  throw new TypeError(`${what} must be an integer or [h, w], got ${quote(v)}`);
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

/** A padding field as [top, bottom, left, right] (1-D: top = bottom = 0). */
export function resolvePadding(
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
    }, got ${quote(p)}`,
  );
}

/** A conv layer's filters, groups (dividing both channel counts) and bias flag. */
export function convChannels(s: Record<string, unknown>, inC: number, what: string) {
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

/** RangeError when `shape` holds more than LIMITS.maxElements per sample. */
export function checkElements(shape: number[], what: string) {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > LIMITS.maxElements) {
    throw new RangeError(`${what}: output has ${n} elements per sample, limit is ${LIMITS.maxElements}`);
  }
}
