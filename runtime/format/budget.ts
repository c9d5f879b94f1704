// What a model costs to run, computed from its resolved layers before any
// backend is built, and the limits loadModel and predict hold it to, so a
// small hostile file cannot make inference allocate gigabytes or compute for
// minutes. Invariants: `scratchBytes` is the largest batch-independent buffer
// set the CPU backend allocates for one layer (chosen by the same functions
// the backend uses: Winograd U/V/M, im2col columns, the direct kernel's
// accumulators), `perSampleBytes` what every sample of a batch adds (the two
// activation buffers at the widest layer plus the output), so a call of
// batch N needs scratchBytes + N·perSampleBytes; the WebGPU backend's buffers
// are within the same per-sample bound. Every refusal is a RangeError naming
// the layer and the numbers.

import { macs, type ResolvedLayer } from "./spec.ts";
import { convVariant } from "../ops/conv/cpu.ts";
import { cpuPlan } from "../cpu/forward.ts";
import { convTVariants } from "../ops/conv/transpose_cpu.ts";
import { convTGemmScratchBytes } from "../ops/conv/transpose_gemm.ts";

/** Compute and memory limits of a model (LoadOptions). */
export interface Budget {
  /** multiply-adds per sample (default 4·10⁹: ResNet-18 at 224×224 needs 1.8·10⁹) */
  maxMacs?: number;
  /** bytes one predict() call may need for activations and scratch (default 512 MiB) */
  maxActivationBytes?: number;
}

export const DEFAULT_MAX_MACS = 4e9;
export const DEFAULT_MAX_ACTIVATION_BYTES = 512 * 2 ** 20;

export interface ModelCost {
  /** multiply-adds per sample */
  macs: number;
  /** bytes each sample of a batch adds */
  perSampleBytes: number;
  /** batch-independent scratch bytes (largest layer) */
  scratchBytes: number;
  /** index of the layer with the most MACs, and of the one with the largest scratch */
  heaviest: number;
  widest: number;
}

/** Batch-independent scratch the CPU backend allocates for one layer, in bytes. */
export function layerScratchBytes(l: ResolvedLayer): number {
  if (l.op === "convT") {
    return convTVariants(l)[0] === "gemm" ? convTGemmScratchBytes(l) : 8 * l.outH * l.outW;
  }
  if (l.op !== "conv") return 0;
  const { inC, outC, outH, outW, kh, kw } = l;
  const tiles = ((outH + 1) >> 1) * ((outW + 1) >> 1);
  const v = convVariant(l);
  const points = v === "winograd3x3" ? 16 : v === "winograd5x5" ? 36 : 0;
  if (points) return 8 * points * (outC * inC + tiles * inC + outC * tiles); // U, V, M (float64)
  if (v === "im2col") return 4 * outH * outW * inC * kh * kw; // im2col columns (float32)
  return 8 * 4 * outH * outW; // the direct kernel's 4-channel accumulators (float64)
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fmt = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${b} bytes`);
const name = (l: ResolvedLayer, i: number) => `layer ${i} (${l.spec.type})`;

/** The cost of running a model (a chain or a graph) of resolved layers. */
export function modelCost(layers: ResolvedLayer[]): ModelCost {
  let total = 0, heaviest = 0, widest = 0, scratch = 0;
  layers.forEach((l, i) => {
    const m = macs(l);
    total += m;
    if (m > macs(layers[heaviest])) heaviest = i;
    const s = layerScratchBytes(l);
    if (s > scratch) (scratch = s, widest = i);
  });
  const outPer = prod(layers[layers.length - 1].outShape);
  // the executor's buffers (the graph's slots; two ping-pong buffers for a chain) plus the returned copy
  const slots = cpuPlan(layers).slotPer.reduce((a, b) => a + b, 0);
  return { macs: total, perSampleBytes: 4 * (slots + outPer), scratchBytes: scratch, heaviest, widest };
}

/** Refuse a model whose batch-1 inference is over the budget. */
export function checkModelCost(cost: ModelCost, layers: ResolvedLayer[], b: Budget = {}): void {
  const maxMacs = b.maxMacs ?? DEFAULT_MAX_MACS,
    maxBytes = b.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES;
  if (cost.macs > maxMacs) {
    const h = layers[cost.heaviest];
    throw new RangeError(
      `model needs ${cost.macs} multiply-adds per sample, over the maxMacs limit of ${maxMacs}; ${
        name(h, cost.heaviest)
      } alone needs ${macs(h)}`,
    );
  }
  const need = cost.scratchBytes + cost.perSampleBytes;
  if (need > maxBytes) {
    const w = layers[cost.widest];
    throw new RangeError(
      `model needs ${fmt(need)} for one sample, over the maxActivationBytes limit of ${fmt(maxBytes)}; ${
        cost.scratchBytes >= cost.perSampleBytes
          ? `${name(w, cost.widest)} needs ${fmt(cost.scratchBytes)} of scratch`
          : `its activations need ${fmt(cost.perSampleBytes)} per sample`
      }`,
    );
  }
}

/** Refuse a predict() batch whose activations would pass the budget. */
export function checkBatchCost(cost: ModelCost, batch: number, b: Budget = {}): void {
  const maxBytes = b.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES;
  const need = cost.scratchBytes + batch * cost.perSampleBytes;
  if (need > maxBytes) {
    const fit = Math.max(1, Math.floor((maxBytes - cost.scratchBytes) / cost.perSampleBytes));
    throw new RangeError(
      `batch ${batch} needs ${fmt(need)} of activations, over the maxActivationBytes limit of ${
        fmt(maxBytes)
      }; use batches of at most ${fit}`,
    );
  }
}
