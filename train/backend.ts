// The seam between the trainer loop and a compute backend (CPU reference or
// WebGPU). Invariants: a backend owns its parameters and optimizer state;
// getParams/setParams and getState/setState round-trip exactly, so a
// checkpoint restores a run bit-for-bit on the CPU backend.

import type { LossName } from "./ops/loss/spec.ts";
import type { LayerLinks, LayerSpec } from "../runtime/format/spec.ts";

/** Training-only layers; removed (dropout) or folded (batchnorm) at export. They link like any layer. */
export type TrainLayerSpec =
  | LayerSpec
  | ({ type: "dropout"; rate: number } & LayerLinks)
  | ({ type: "batchnorm"; eps?: number; momentum?: number } & LayerLinks);

export type OptimizerConfig =
  | { type: "sgd"; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { type: "adam" | "adamw"; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

export interface TrainConfig {
  inputShape: number[];
  layers: TrainLayerSpec[];
  /** softmax_xent expects the net to end in raw logits (no softmax layer) */
  loss: LossName;
  /** softmax_xent's label smoothing s in [0, 1): targets (1 − s)·onehot + s/K (default 0) */
  labelSmoothing?: number;
  optimizer: OptimizerConfig;
  seed: number;
  /** the first `frozen` layers keep their parameters (no optimizer update; fine-tuning); default 0 */
  frozen?: number;
}

export interface StepResult {
  /** mean loss over the batch */
  loss: number;
  /** number of samples whose argmax equals the label */
  correct: number;
}

/** Serializable snapshot of parameters + optimizer + batchnorm running stats. */
export interface BackendState {
  params: Float32Array[][];
  /** optimizer slots per layer per tensor (momentum / Adam m and v) */
  slots: Float32Array[][][];
  /** batchnorm running mean/var per layer (empty for other layers) */
  running: Float32Array[][];
  step: number;
}

export interface TrainBackend {
  readonly name: "webgpu" | "cpu";
  /** One optimisation step. x is (N, ...inputShape); labels are class indices (N). */
  step(x: Float32Array, labels: Int32Array, batch: number, lr: number): Promise<StepResult>;
  /** Eval-mode forward (dropout off, batchnorm running stats): outputs (N, classes). */
  predict(x: Float32Array, batch: number): Promise<Float32Array>;
  getState(): Promise<BackendState>;
  setState(s: BackendState): Promise<void>;
  dispose(): void;
}
