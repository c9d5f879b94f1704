// WGSL backward kernels of the fully connected layer y = x·Wᵀ + b.
// Shapes: x is (N, inF); w is (outF, inF); dy is (N, outF).
//   dX[n,i] = Σ_o dy[n,o]·w[o,i]   (one thread per (n,i))
//   dW[o,i] = Σ_n dy[n,o]·x[n,i]   (one thread per (o,i); N is small)
//   db[o]   = Σ_n dy[n,o]
// Bindings: dX: 0 dy, 1 w, 2 dx;  dW: 0 dy, 1 x, 2 dw;  db: 0 dy, 1 db.

import { elementwise, type Kernel } from "./wgsl_util.ts";

const io = (a: string, b: string, out: string) => `
@group(0) @binding(0) var<storage, read> ${a}: array<f32>;
@group(0) @binding(1) var<storage, read> ${b}: array<f32>;
@group(0) @binding(2) var<storage, read_write> ${out}: array<f32>;`;

const withFlops = (flops: number, k: Kernel): Kernel => ({ ...k, flops });

export function denseBackwardInput(inF: number, outF: number, batch: number): Kernel {
  return withFlops(
    2 * batch * inF * outF,
    elementwise(
      "dense dX",
      io("dy", "w", "dx"),
      batch * inF,
      `  let n = i / ${inF}u;
  let k = i % ${inF}u;
  var s = 0.0;
  for (var o = 0u; o < ${outF}u; o++) { s += dy[n * ${outF}u + o] * w[o * ${inF}u + k]; }
  dx[i] = s;`,
    ),
  );
}

export function denseBackwardWeight(inF: number, outF: number, batch: number): Kernel {
  return withFlops(
    2 * batch * inF * outF,
    elementwise(
      "dense dW",
      io("dy", "x", "dw"),
      outF * inF,
      `  let o = i / ${inF}u;
  let k = i % ${inF}u;
  var s = 0.0;
  for (var n = 0u; n < ${batch}u; n++) { s += dy[n * ${outF}u + o] * x[n * ${inF}u + k]; }
  dw[i] = s;`,
    ),
  );
}

export function denseBackwardBias(outF: number, batch: number): Kernel {
  return elementwise(
    "dense db",
    `
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> db: array<f32>;`,
    outF,
    `  var s = 0.0;
  for (var n = 0u; n < ${batch}u; n++) { s += dy[n * ${outF}u + i]; }
  db[i] = s;`,
  );
}
