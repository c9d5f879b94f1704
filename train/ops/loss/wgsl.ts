// WGSL loss kernels: fused softmax + cross-entropy and MSE against one-hot
// labels, each writing the gradient w.r.t. the network output, plus a
// reduction of per-sample loss/correct into the small result buffer that is
// the only thing read back per step.
// Shapes: z (network output) is (N, K); labels (N) i32 in [0, K) (checked in
// TypeScript before upload); dz like z; per (N, 2) = [loss_n, correct_n];
// result (2) = [mean loss, correct count].
//   softmax_xent: target t = (1 − LS)·onehot + LS/K (LS = label smoothing in
//                 [0, 1), 0 = plain one-hot); p = softmax(z);
//                 loss_n = −Σ_k t_k log p_k; dz = (p − t)/N
//   mse:          loss_n = Σ_k (z_k − t_k)² / K; dz = 2(z − t)/(N·K)
// correct_n = 1 when the first argmax of z_n equals the label.
// Bindings: 0 uniforms (K classes, N batch, LS for softmax_xent); loss: 1 z, 2 labels, 3 dz,
// 4 per;  reduce: 1 per, 2 result.

import { checkLoss, type LossName } from "./spec.ts";
import {
  type Binding,
  type Dim,
  elementwise,
  type Kernel,
  reduction,
  WG,
} from "../../webgpu/training_kernel.ts";

/** Per-sample loss and correctness and dz of `loss` over (batch, k) logits: one thread per sample. */
export function lossForwardBackward(loss: LossName, k: number, batch: number, smoothing = 0): Kernel {
  checkLoss(loss, smoothing);
  const decls: Binding[] = [["z", "read"], ["labels", "read", "i32"], ["dz", "read_write"], [
    "per",
    "read_write",
  ]];
  const common = `
  let base = i * K;
  let lab = u32(labels[i]);
  var m = z[base];
  var am = 0u;
  for (var j = 1u; j < K; j++) { let v = z[base + j]; if (v > m) { m = v; am = j; } }
  per[2u * i + 1u] = select(0.0, 1.0, am == lab);`;
  const body = loss === "softmax_xent"
    ? `${common}
  var sum = 0.0;
  var zsum = 0.0;
  for (var j = 0u; j < K; j++) { sum += exp(z[base + j] - m); zsum += z[base + j] - m; }
  let inv = 1.0 / sum;
  let off = LS / f32(K);
  for (var j = 0u; j < K; j++) {
    let q = exp(z[base + j] - m) * inv;
    dz[base + j] = (q - (select(0.0, 1.0 - LS, j == lab) + off)) / f32(N);
  }
  per[2u * i] = log(sum) - ((1.0 - LS) * (z[base + lab] - m) + off * zsum);`
    : `${common}
  var l = 0.0;
  for (var j = 0u; j < K; j++) {
    let d = z[base + j] - select(0.0, 1.0, j == lab);
    l += d * d;
    dz[base + j] = 2.0 * d / f32(N) / f32(K);
  }
  per[2u * i] = l / f32(K);`;
  const dims: Dim[] = [["K", "u32", k], ["N", "u32", batch]];
  if (loss === "softmax_xent") dims.push(["LS", "f32", smoothing]);
  return elementwise(`${loss} loss`, dims, decls, batch, body);
}

/** result[0] = mean_n per[2n], result[1] = Σ_n per[2n+1]. */
export function lossReduce(batch: number): Kernel {
  const decls: Binding[] = [["per", "read"], ["result", "read_write"]];
  const body = `
    for (var n = t; n < N; n += ${WG}u) { acc += per[2u * n + o]; }`;
  return reduction(
    "loss reduce",
    [["N", "u32", batch]],
    decls,
    2,
    body,
    `    result[o] = select(total, total / f32(N), o == 0u);`,
  );
}
