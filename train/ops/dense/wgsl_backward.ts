// WGSL backward kernels of the fully connected layer y = x·Wᵀ + b.
// Shapes: x is (N, inF); w is (outF, inF); dy is (N, outF).
//   dX[n,i] = Σ_o dy[n,o]·w[o,i]   (one thread per 4 samples × 4 inputs)
//   dW[o,i] = Σ_n dy[n,o]·x[n,i]   (one thread per ≤ 16 outputs × 4 inputs)
//   db[o]   = Σ_n dy[n,o]
// Bindings: dX: 0 dy, 1 w, 2 dx;  dW: 0 dy, 1 x, 2 dw;  db: 0 dy, 1 db.

import { elementwise, type Kernel } from "../../webgpu/wgsl_util.ts";

const io = (a: string, b: string, out: string) => `
@group(0) @binding(0) var<storage, read> ${a}: array<f32>;
@group(0) @binding(1) var<storage, read> ${b}: array<f32>;
@group(0) @binding(2) var<storage, read_write> ${out}: array<f32>;`;

const withFlops = (flops: number, k: Kernel): Kernel => ({ ...k, flops });

const rep = (b: number, f: (j: number) => string, sep = "\n") =>
  Array.from({ length: b }, (_, j) => f(j)).join(sep);

/**
 * dx, register-blocked: one thread per (4 samples, 4 consecutive inputs k)
 * loads 4 dy and 4 w values per output o for 16 multiply-adds (rows and
 * columns past the end read clamped indices and are never written).
 */
export function denseBackwardInput(inF: number, outF: number, batch: number): Kernel {
  const nq = Math.ceil(inF / 4), nn = Math.ceil(batch / 4);
  return withFlops(
    2 * batch * inF * outF,
    elementwise(
      "dense dX",
      io("dy", "w", "dx"),
      nn * nq,
      `  let k0 = (i % ${nq}u) * 4u;
  let n0 = (i / ${nq}u) * 4u;
  let kc = min(vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(${inF - 1}u));
${rep(4, (r) => `  let d${r} = min(n0 + ${r}u, ${batch - 1}u) * ${outF}u;`)}
${rep(4, (r) => `  var a${r} = vec4<f32>(0.0);`)}
  for (var o = 0u; o < ${outF}u; o++) {
    let wr = o * ${inF}u;
    let wv = vec4<f32>(w[wr + kc.x], w[wr + kc.y], w[wr + kc.z], w[wr + kc.w]);
${rep(4, (r) => `    a${r} += dy[d${r} + o] * wv;`)}
  }
  let cols = min(4u, ${inF}u - k0);
${
        rep(4, (r) =>
          `  if (n0 + ${r}u < ${batch}u) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + ${r}u) * ${inF}u + k0 + c] = a${r}[c]; }
  }`)
      }`,
    ),
  );
}

/**
 * dw, register-blocked: one thread per (block of up to 16 outputs o, 4
 * consecutive inputs k) loads per sample 4 x values and one dy per output
 * (outputs past the end read the last one and are never written).
 */
export function denseBackwardWeight(inF: number, outF: number, batch: number): Kernel {
  const OB = Math.min(outF, 16);
  const nq = Math.ceil(inF / 4), nob = Math.ceil(outF / OB);
  return withFlops(
    2 * batch * inF * outF,
    elementwise(
      "dense dW",
      io("dy", "x", "dw"),
      nob * nq,
      `  let k0 = (i % ${nq}u) * 4u;
  let o0 = (i / ${nq}u) * ${OB}u;
  let kc = min(vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(${inF - 1}u));
${rep(OB, (j) => `  let oc${j} = min(o0 + ${j}u, ${outF - 1}u);`)}
${rep(OB, (j) => `  var a${j} = vec4<f32>(0.0);`)}
  for (var n = 0u; n < ${batch}u; n++) {
    let xr = n * ${inF}u;
    let xv = vec4<f32>(x[xr + kc.x], x[xr + kc.y], x[xr + kc.z], x[xr + kc.w]);
    let dr = n * ${outF}u;
${rep(OB, (j) => `    a${j} += dy[dr + oc${j}] * xv;`)}
  }
  let cols = min(4u, ${inF}u - k0);
${
        rep(OB, (j) =>
          `  if (o0 + ${j}u < ${outF}u) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + ${j}u) * ${inF}u + k0 + c] = a${j}[c]; }
  }`)
      }`,
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
