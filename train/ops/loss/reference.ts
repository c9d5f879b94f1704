// Losses on the network output with their gradient (float64).
// Shapes: z (network output) is (N, K) flattened; labels (N) class indices in
// [0, K); dz like z.
//   softmax_xent: p = softmax(z) (max-subtracted); target t = (1 − s)·onehot + s/K
//                 with label smoothing s in [0, 1) (0: one-hot);
//                 loss = −(1/N) Σ_n Σ_k t[n,k] log p[n,k]; dz = (p − t)/N
//   mse:          target t = onehot(label) (or an explicit (N, K) target);
//                 loss = (1/(N·K)) Σ (z − t)²; dz = 2(z − t)/(N·K)
// `correct` counts samples whose first argmax of z equals the label.

import { checkLoss } from "./spec.ts";

export interface LossResult {
  loss: number;
  dz: Float64Array;
  correct: number;
}

function checkLabels(labels: ArrayLike<number>, batch: number, k: number): void {
  if (labels.length !== batch) {
    throw new TypeError(`labels has ${labels.length} entries, expected batch ${batch}`);
  }
  for (let n = 0; n < batch; n++) {
    const v = labels[n];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new RangeError(`label ${n} is ${v}, expected an integer in [0, ${k})`);
    }
  }
}

function argmax(z: ArrayLike<number>, base: number, k: number): number {
  let m = z[base], a = 0;
  for (let j = 1; j < k; j++) if (z[base + j] > m) (m = z[base + j]), (a = j);
  return a;
}

/** Softmax cross-entropy on logits, mean over the batch, with optional label smoothing. */
export function softmaxCrossEntropy(
  z: ArrayLike<number>,
  labels: ArrayLike<number>,
  batch: number,
  smoothing = 0,
): LossResult {
  const k = z.length / batch;
  if (!Number.isInteger(k) || k < 1) {
    throw new TypeError(`logits length ${z.length} is not batch ${batch} × K`);
  }
  checkLabels(labels, batch, k);
  checkLoss("softmax_xent", smoothing);
  const off = smoothing / k, on = 1 - smoothing;
  const dz = new Float64Array(z.length);
  let loss = 0, correct = 0;
  for (let n = 0; n < batch; n++) {
    const b = n * k;
    const am = argmax(z, b, k);
    const m = z[b + am];
    if (am === labels[n]) correct++;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[b + j] - m);
    const lse = m + Math.log(sum);
    for (let j = 0; j < k; j++) {
      // the loss is Σ_j t_j·(lse − z_j) with Σ t = 1, and ∂lse/∂z_j = softmax_j: so dz_j = (p_j − t_j)/N
      const t = off + (j === labels[n] ? on : 0);
      loss += t * (lse - z[b + j]);
      dz[b + j] = Math.exp(z[b + j] - lse) / batch - t / batch; // s = 0: the one-hot arithmetic, bit for bit
    }
  }
  return { loss: loss / batch, dz, correct };
}

/** Mean squared error against one-hot labels (or `target` (N, K) when given). */
export function meanSquaredError(
  z: ArrayLike<number>,
  labels: ArrayLike<number>,
  batch: number,
  target?: ArrayLike<number>,
): LossResult {
  const k = z.length / batch;
  if (!Number.isInteger(k) || k < 1) {
    throw new TypeError(`output length ${z.length} is not batch ${batch} × K`);
  }
  if (target === undefined) checkLabels(labels, batch, k);
  else if (target.length !== z.length) {
    throw new TypeError(`target has ${target.length} values, expected ${z.length}`);
  }
  const dz = new Float64Array(z.length);
  const scale = 1 / (batch * k);
  let loss = 0, correct = 0;
  for (let n = 0; n < batch; n++) {
    const b = n * k;
    if (target === undefined && argmax(z, b, k) === labels[n]) correct++;
    for (let j = 0; j < k; j++) {
      const t = target === undefined ? (j === labels[n] ? 1 : 0) : target[b + j];
      // the loss is Σ (z − t)² / (N·K): so dz = 2(z − t)/(N·K)
      const d = z[b + j] - t;
      loss += d * d;
      dz[b + j] = 2 * d * scale;
    }
  }
  return { loss: loss * scale, dz, correct };
}
