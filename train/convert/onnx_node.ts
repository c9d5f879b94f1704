// What one ONNX node's mapping entry sees while the converter walks the graph
// (train/convert/from_onnx.ts): the node, its inputs as constants or values,
// and the means to emit a layer or bind an output. Each op's entry lives in
// its op folder (train/ops/<family>/onnx.ts; graph-level ops in
// train/convert/graph_ops.ts) and is listed once in train/convert/onnx_ops.ts.
// Invariants: an entry either binds every output it produces (set) or throws
// UnsupportedOnnxError through `no`, naming the node, its op and what is
// unsupported; a value's `shape` is the ONNX per-sample shape (batch dropped)
// and `ours` the emitted layer's own, which differ only in unit dims.

import type { LayerSpec, PadMode } from "../../runtime/format/spec.ts";
import { foldIntoOutputChannels } from "../ops/batchnorm/fold.ts";
import type { NodeProto } from "./onnx_proto.ts";
import { bare, quote } from "../../runtime/quote.ts";

/** A node the converter cannot map: which node, its op type, and what about it. */
export class UnsupportedOnnxError extends Error {
  override name = "UnsupportedOnnxError";
  constructor(readonly node: string, readonly opType: string, what: string) {
    super(`node ${quote(node, 120)} (${bare(opType, 64)}): ${what}`);
  }
}

/** A tensor known at conversion time (initializers, Constant nodes, folded subgraphs). */
export interface Const {
  kind: "const";
  dims: number[];
  data: Float64Array;
}

/** A tensor computed from the model input by an emitted layer. */
export interface Value {
  kind: "value";
  /** producing layer (−1: the model input) */
  layer: number;
  /** ONNX per-sample shape */
  shape: number[];
  /** the layer's own per-sample shape (same element count) */
  ours: number[];
  /** a Pad waiting to merge into the Conv / AveragePool that reads it: [begin…, end…] over the spatial dims */
  pad?: number[];
}

/** Either kind of tensor. */
export type Tensor = Const | Value;

/** A layer emitted so far (its parameters may still change: a bias or batchnorm folds into it). */
export interface Emitted {
  spec: LayerSpec;
  inputs: number[];
  params: Float32Array[];
  inShape: number[];
  outShape: number[];
}

/** The node being mapped and what its entry may do. */
export interface OnnxNode {
  readonly n: NodeProto;
  /** the node's name (or its first output's) */
  readonly name: string;
  readonly op: string;
  /** the model's default-domain opset */
  readonly opset: number;
  /** the layers emitted so far */
  readonly layers: Emitted[];
  /** refuse the node: UnsupportedOnnxError naming it, its op and `what` */
  no(what: string): never;
  /** input k, or undefined when the node leaves it out */
  get(k: number): Tensor | undefined;
  /** input k, which must be computed from the model input */
  value(k: number): Value;
  /** input k, which must be a constant (`what` names it in the refusal) */
  cst(k: number, what: string): Const;
  /** bind output k (default 0) */
  set(t: Tensor, k?: number): void;
  /** emit a layer reading `ins`; its output value has the ONNX shape `shape` (default: the layer's own) */
  emit(spec: LayerSpec, ins: Value[], params: Float32Array[], shape?: number[]): Value;
  /** input k is read by this node alone (so a fold into its producer changes nothing else) */
  soleReader(k: number): boolean;
  /** input 0 is a layer's output read by this node alone, with no Pad pending */
  single(v: Value): boolean;
  /** turn a Pad pending on v into a pad layer (in place: v then names the padded value) */
  noPad(v: Value): void;
  /** a pad layer on v: pads [begin…, end…] over the spatial axes (ONNX order), mode and constant */
  padLayer(v: Value, pads: number[], mode: PadMode, fill: number): Value;
  /** the spatial rank of an image (N,C,H,W) or series (N,C,L) value; refuses others */
  spatial(v: Value, what: string): number;
  /** input 0 as an image / series with no Pad before it, and its spatial rank */
  spatialInput(): [Value, number];
}

/** One op's mapping: binds the node's outputs or refuses it. */
export type OnnxMapper = (c: OnnxNode) => void;

/** Element count of a shape. */
export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Equal shapes. */
export const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** A 1-D or 2-D window's padding [before…, after…] (ONNX order) in our form ([top, bottom, left, right]). */
export const ourPad = (
  p: number[],
  d: number,
): number[] => (d === 2 ? [p[0], p[2], p[1], p[3]] : [p[0], p[1]]);

/** The layer types a per-channel scale and shift fold into (batchnorm, a bias Add). */
export const CHANNEL_FOLDABLE: readonly string[] = [
  "conv2d",
  "conv1d",
  "dense",
  "conv2dtranspose",
  "conv1dtranspose",
];

/** Flatten a value (an aliasing flatten layer when its layer is not flat yet). */
export function flatten(x: Value, emit: OnnxNode["emit"]): Value {
  if (x.ours.length === 1) return { ...x, shape: [prod(x.shape)] };
  return emit({ type: "flatten" }, [x], []);
}

/** y ← y·s + t per output channel of a conv / transposed conv / dense layer (batchnorm and bias folding). */
export function scaleChannels(l: Emitted, s: Float64Array, t: Float64Array): void {
  const spec = l.spec as { type: string; groups?: number; bias?: boolean };
  const convT = spec.type.endsWith("transpose") ? { inC: l.inShape[0], groups: spec.groups ?? 1 } : undefined;
  l.params = foldIntoOutputChannels(l.params[0], l.params[1] ?? null, s, t, convT);
  spec.bias = true;
}
