// The types of layer specs (as written in a model's header, docs/FORMAT.md §4)
// and of resolved layers (every default filled in, shapes known). Values and
// checks live in spec.ts (the table of layer types, resolveLayer) and
// spec_fields.ts (the field parsers every op's resolver shares).

import type { ColumnAct, ElementwiseAct } from "../ops/activation/table.ts";
import type { LayerLinks } from "../graph.ts";

export type { LayerLinks };

/** An activation: one of the elementwise table (runtime/ops/activation/table.ts), or (log-)softmax over channels. */
export type ActivationType = ElementwiseAct | ColumnAct;

/** One layer of a model as written in the file's header (docs/FORMAT.md §4), with its graph links (§4.3). */
export type LayerSpec = LayerOp & LayerLinks;

/** Padding: a mode or explicit amounts. 2-D explicit: [top, bottom, left, right] or one number for all sides. 1-D explicit: [left, right] or one number. */
export type Padding = "valid" | "same" | "full" | "causal" | number | number[];
/** One number (square / same on both axes) or [h, w]. */
export type Pair = number | [number, number];

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
    /** maxpool only: taps dilation apart (format 1.2) */
    dilation?: Pair;
  }
  | {
    type: "maxpool1d" | "avgpool1d" | "l2pool1d";
    size: number;
    stride?: number;
    padding?: Padding;
    /** avgpool only, as in 2-D */
    countPad?: boolean;
    /** maxpool only, as in 2-D */
    dilation?: number;
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
  | {
    type: ActivationType | "relu6";
    /** softmax / logsoftmax: the per-sample axis normalised over (0 = channels, the default) */
    axis?: number;
    alpha?: number;
    beta?: number;
    gamma?: number;
    min?: number;
    max?: number;
    scale?: number;
    shift?: number;
  }
  /** elementwise sum of 2+ inputs of one shape */
  | { type: "add" }
  /** 2+ inputs stacked along the channel axis (dim 0 of each sample; the other dims agree) */
  | { type: "concat" }
  /** x · s for 2 inputs: s of x's shape (elementwise), or one value per channel of x (squeeze-excitation gating) */
  | { type: "mul" }
  /** a border of explicit amounts ([top, bottom, left, right] / [left, right] or one number) */
  | { type: "pad2d" | "pad1d"; padding: number | number[]; mode?: PadMode; value?: number }
  /** local response normalisation across `size` channels: x / (bias + alpha/size · Σ x²)^beta */
  | { type: "lrn"; size: number; alpha?: number; beta?: number; bias?: number }
  /** channel shuffle: the channels as (groups, C/groups) transposed to (C/groups, groups) */
  | { type: "shuffle"; groups: number }
  /** each (sample, channel) normalised over its positions, then scale_c·x̂ + bias_c (params scale, bias: (C)) */
  | { type: "instancenorm"; epsilon?: number }
  /** (C·b², H, W) → (C, H·b, W·b), DCR (ONNX's default) or CRD (PyTorch's PixelShuffle) channel order */
  | { type: "depthtospace"; block: number; mode?: "DCR" | "CRD" }
  /** (C, H, W) → (C·b², H/b, W/b), DCR (ONNX's) or CRD (PyTorch's PixelUnshuffle) channel order */
  | { type: "spacetodepth"; block: number; mode?: "DCR" | "CRD" }
  /** `count` channels from channel `start` (ONNX Split / Slice along the channels) */
  | { type: "channelslice"; start: number; count: number }
  /** x repeated repeats[k] times along each per-sample axis k (ONNX Tile, torch's repeat) */
  | { type: "tile"; repeats: number[] }
  /** per channel c: y = s_c·x + t_c (params s, t: (C) each) */
  | { type: "scale" }
  /** per channel c: y = x > 0 ? x : a_c·x (param a: (C)) */
  | { type: "prelu" };

/** What a pad layer puts in its border: a constant, the mirror image (no repeated end), the nearest end cell. */
export type PadMode = "constant" | "reflect" | "edge";

/** The per-channel ops: scale (y = s_c·x + t_c) and prelu (y = x > 0 ? x : a_c·x). */
export type ChannelMode = "scale" | "prelu";

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
    /** x (C, inH, inW) bordered to (C, outH, outW) (1-D: H = 1, pt = pb = 0) */
    | {
      op: "pad";
      mode: PadMode;
      value: number;
      c: number;
      inH: number;
      inW: number;
      outH: number;
      outW: number;
      pt: number;
      pb: number;
      pl: number;
      pr: number;
    }
    /** lrn over `c` channels at each of `spatial` positions */
    | { op: "lrn"; size: number; alpha: number; beta: number; bias: number; c: number; spatial: number }
    /** channel shuffle of `c` channel planes of `spatial` values in `groups` groups */
    | { op: "shuffle"; groups: number; c: number; spatial: number }
    /** instance normalisation of `c` planes of `spatial` positions (params scale, bias (C)) */
    | { op: "instancenorm"; eps: number; c: number; spatial: number }
    /** depth↔space by block `block`: `c` wide channels, the deep side's (h, w) (runtime/ops/depth/geometry.ts) */
    | { op: "depth"; toSpace: boolean; block: number; crd: boolean; c: number; h: number; w: number }
    /** channels [start, start + count) of `c`, each `spatial` values */
    | { op: "cslice"; start: number; count: number; c: number; spatial: number }
    /** tile: the input's dims and repeats, padded on the left to three axes */
    | { op: "tile"; dims: [number, number, number]; reps: [number, number, number] }
    /** per channel of `c` over `spatial` positions: scale or prelu (params (C) each) */
    | { op: "channel"; mode: ChannelMode; c: number; spatial: number }
    | ({ op: "act" } & ActParams)
  );

/** What an activation kernel needs of its layer (a resolved "act" layer is one). */
export interface ActParams {
  act: ActivationType;
  /** leakyrelu / elu slope (and the table's other α); clip: the lower bound */
  alpha: number;
  /** clip: the upper bound (the table's β; 0 otherwise) */
  beta: number;
  /** softmax runs over `c` at each of `spatial` positions, in each of `outer` blocks per sample */
  c: number;
  spatial: number;
  /** blocks per sample before the softmax axis (1 for the channel axis and every elementwise activation) */
  outer: number;
}
