// WGSL loss kernels: fused softmax + cross-entropy and MSE against one-hot
// labels, each writing the gradient w.r.t. the network output, plus a
// reduction of per-sample loss/correct into the small result buffer that is
// the only thing read back per step.
// Shapes: z (network output) is (N, K); labels (N) i32 in [0, K) (checked in
// TypeScript before upload); dz like z; per (N, 2) = [loss_n, correct_n];
// result (2) = [mean loss, correct count].
//   softmax_xent: p = softmax(z); loss_n = −log p[label]; dz = (p − onehot)/N
//   mse:          loss_n = Σ_k (z_k − t_k)² / K; dz = 2(z − t)/(N·K)
// correct_n = 1 when the first argmax of z_n equals the label.
// Bindings: loss: 0 z, 1 labels, 2 dz, 3 per;  reduce: 0 per, 1 result.

import { elementwise, type Kernel, reduction } from "../../webgpu/wgsl_util.ts";

export type LossName = "softmax_xent" | "mse";

export function lossForwardBackward(loss: LossName, k: number, batch: number): Kernel {
  const decls = `
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> dz: array<f32>;
@group(0) @binding(3) var<storage, read_write> per: array<f32>;
const K = ${k}u;
const INV_N = ${1 / batch};`;
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
  for (var j = 0u; j < K; j++) { sum += exp(z[base + j] - m); }
  let inv = 1.0 / sum;
  for (var j = 0u; j < K; j++) {
    let p = exp(z[base + j] - m) * inv;
    dz[base + j] = (p - select(0.0, 1.0, j == lab)) * INV_N;
  }
  per[2u * i] = log(sum) - (z[base + lab] - m);`
    : `${common}
  var l = 0.0;
  for (var j = 0u; j < K; j++) {
    let d = z[base + j] - select(0.0, 1.0, j == lab);
    l += d * d;
    dz[base + j] = 2.0 * d * INV_N / f32(K);
  }
  per[2u * i] = l / f32(K);`;
  return elementwise(`${loss} loss`, decls, batch, body);
}

/** result[0] = mean_n per[2n], result[1] = Σ_n per[2n+1]. */
export function lossReduce(batch: number): Kernel {
  const decls = `
@group(0) @binding(0) var<storage, read> per: array<f32>;
@group(0) @binding(1) var<storage, read_write> result: array<f32>;`;
  const body = `
    for (var n = t; n < ${batch}u; n += 64u) { acc += per[2u * n + o]; }`;
  return reduction(
    "loss reduce",
    decls,
    2,
    body,
    `    result[o] = select(total, total / ${batch}.0, o == 0u);`,
  );
}
