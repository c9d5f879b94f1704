// The shape of one op's entry in the training op table (train/ops/table.ts):
// the runtime entry's forward (runtime/ops/table.ts) plus what training adds,
// side by side as in tfjs's gradient configs ({kernelName, inputsToSave,
// gradFunc}): what the backward reads of the forward pass, the float64
// reference forward and backward (the oracle of every fast kernel), and the
// WebGPU backward bound to the layer's buffers. Each family exports its entries
// from train/ops/<family>/grad.ts.
// Invariants: reference functions get checked lengths (layer_reference.ts) and
// never modify their inputs (batchnorm's running statistics aside); a WebGPU
// backward writes (never accumulates) its outputs, so gradient buffers need no
// clearing; a join's reference lives in train/ops/join/reference.ts (several
// inputs), so its entry has no forward64/backward64.

import type { TrainResolvedLayer } from "../layers.ts";
import type { Rng } from "../rng.ts";
import type { KernelBinder, PreparedKernel } from "../webgpu/gpu_context.ts";
import type { Kernel } from "../../runtime/webgpu/kernel.ts";

/** How the reference forward runs: training or evaluation, and the state dropout and batchnorm need. */
export interface ForwardMode {
  train: boolean;
  /** dropout mask source in training when no `mask` is given */
  rng?: Rng;
  /** dropout keep mask (0/1), (N, ...inShape) */
  mask?: Float64Array;
  /** batchnorm [running mean (C), running var (C)] */
  running?: Float64Array[];
}

/** The buffers a layer's WebGPU backward binds. Shapes: x (N, ...inShape), y and dy (N, ...outShape), dx like x. */
export interface LayerBuffers {
  x: GPUBuffer;
  y: GPUBuffer;
  dy: GPUBuffer;
  /** the input gradient (null: not needed, e.g. for the first layer) */
  dx: GPUBuffer | null;
  /** a join's input gradients, one per input (null: not needed); dx is ignored for joins */
  dxs?: (GPUBuffer | null)[];
  /** a join's inputs (mul's backward reads both); x is the first */
  xs?: GPUBuffer[];
  params: GPUBuffer[];
  grads: GPUBuffer[];
  /** batchnorm [mean (C), invstd (C)] of the forward pass */
  stats: GPUBuffer | null;
  /** the step uniform (dropout seed/step) */
  stepU: GPUBuffer;
  /** allocator of scratch storage the caller owns (conv dW partial sums); without it the one-pass kernels run */
  scratch?: (floats: number, what: string) => GPUBuffer;
}

/** What a WebGPU backward gets besides its layer: the binder, the layer's index, the batch and its buffers. */
export interface GpuBackwardCall {
  ctx: KernelBinder;
  index: number;
  n: number;
  b: LayerBuffers;
  /** the input is a ReLU output whose backward this kernel folds in (tiling max pools only) */
  reluMask: boolean;
}

/** The training layer of op `K`. */
export type TrainLayerOf<K extends TrainResolvedLayer["op"]> = Extract<TrainResolvedLayer, { op: K }>;

/** A float64 backward: dx and each parameter's gradient (trainParamShapes order); `cache` from forward64. */
export type Backward64<L extends TrainResolvedLayer = TrainResolvedLayer> = (
  l: L,
  params: Float64Array[],
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
  batch: number,
  cache: unknown,
) => { dx: Float64Array; dParams: Float64Array[] };

/** The float64 forward of a layer with a weight and an optional bias, over `batch` samples of x. */
export type WeightedForward64<G> = (
  g: G,
  w: Float64Array,
  b: Float64Array | null,
  x: Float64Array,
  batch: number,
) => Float64Array;

/** Its backward: dx (like x), dw (like w), db (or null without a bias). */
export type WeightedBackward64<G> = (
  g: G,
  w: Float64Array,
  hasBias: boolean,
  x: Float64Array,
  dy: Float64Array,
  batch: number,
) => { dx: Float64Array; dw: Float64Array; db: Float64Array | null };

/** One op's training entry. */
export interface GradEntry<L extends TrainResolvedLayer = TrainResolvedLayer> {
  readonly op: L["op"];
  /** what the backward reads of the forward pass besides dy: its input x, its output y */
  inputsToSave(l: L): { x: boolean; y: boolean };
  /** float64 forward; `cache` is what backward64 needs (argmax, mask, batch statistics) */
  forward64?(l: L, params: Float64Array[], x: Float64Array, batch: number, mode: ForwardMode): {
    y: Float64Array;
    cache: unknown;
  };
  /** float64 backward: dx and each parameter's gradient (trainParamShapes order) */
  backward64?: Backward64<L>;
  /** the WebGPU backward kernels, bound */
  webgpu(l: L, c: GpuBackwardCall): PreparedKernel[];
}

/** dParams of a layer with a weight and an optional bias. */
export const wAndB = (r: { dw: Float64Array; db: Float64Array | null }): Float64Array[] =>
  r.db ? [r.dw, r.db] : [r.dw];

/** Neither x nor y is read by the backward. */
export const SAVES_NOTHING = (): { x: boolean; y: boolean } => ({ x: false, y: false });
/** Only x is read by the backward (the weight gradient of conv/dense, pooling windows, batchnorm). */
export const SAVES_X = (): { x: boolean; y: boolean } => ({ x: true, y: false });

/**
 * The entry of an op without parameters whose backward reads dy alone (pad,
 * upsample, permutations, slices): its float64 forward and backward, and the
 * one WebGPU kernel dy → dx (bound to [dy, dx]; skipped when dx is not needed).
 */
export function dyOnlyEntry<K extends TrainResolvedLayer["op"]>(
  op: K,
  forward64: (l: TrainLayerOf<K>, x: Float64Array, batch: number) => Float64Array,
  backward64: (l: TrainLayerOf<K>, dy: Float64Array, batch: number) => Float64Array,
  dxKernel: (l: TrainLayerOf<K>, batch: number) => Kernel,
): GradEntry<TrainLayerOf<K>> {
  return {
    op: op as TrainLayerOf<K>["op"],
    inputsToSave: SAVES_NOTHING,
    forward64: (l, _p, x, batch) => ({ y: forward64(l, x, batch), cache: null }),
    backward64: (l, _p, _x, _y, dy, batch) => ({ dx: backward64(l, dy, batch), dParams: [] }),
    webgpu: (l, { ctx, n, b }) => b.dx ? [ctx.prepare(dxKernel(l, n), [b.dy, b.dx])] : [],
  };
}

/** forward64 and backward64 of a layer with a weight and an optional bias (`l.bias`), from its two references. */
export function weightedReferences<L extends TrainResolvedLayer & { bias: boolean }>(
  forward: WeightedForward64<L>,
  backward: WeightedBackward64<L>,
): Pick<GradEntry<L>, "forward64" | "backward64"> {
  return {
    forward64: (l, p, x, batch) => ({ y: forward(l, p[0], l.bias ? p[1] : null, x, batch), cache: null }),
    backward64: (l, p, x, _y, dy, batch) => {
      const r = backward(l, p[0], l.bias, x, dy, batch);
      return { dx: r.dx, dParams: wAndB(r) };
    },
  };
}
