// WGSL backward kernels of the fully connected layer y = x·Wᵀ + b.
// Shapes: x is (N, inF); w is (outF, inF); dy is (N, outF).
//   dX[n,i] = Σ_o dy[n,o]·w[o,i]   (one thread per 4 samples × 4 inputs)
//   dW[o,i] = Σ_n dy[n,o]·x[n,i]   (one thread per ≤ 16 outputs × 4 inputs)
//   db[o]   = Σ_n dy[n,o]
// Bindings: 0 uniforms (IN = inF, OUT = outF, N = batch, NQ = ⌈inF/4⌉);
// dX: 1 dy, 2 w, 3 dx;  dW: 1 dy, 2 x, 3 dw;  db: 1 dy, 2 db.

import {
  baked,
  type Binding,
  type Dim,
  elementwise,
  type Kernel,
  rep,
} from "../../webgpu/training_kernel.ts";

const io = (a: string, b: string, out: string): Binding[] => [[a, "read"], [b, "read"], [out, "read_write"]];

const withFlops = (flops: number, k: Kernel): Kernel => ({ ...k, flops });

// The layer's sizes are baked (its loops unroll and i / NQ strength-reduces:
// dX 1.9× faster on llvmpipe than with uniforms); the batch
// stays a uniform, so every batch size shares the layer's pipelines.
const dims = (inF: number, outF: number, batch: number): Dim[] => [
  baked(["IN", "u32", inF]),
  baked(["OUT", "u32", outF]),
  ["N", "u32", batch],
  baked(["NQ", "u32", Math.ceil(inF / 4)]),
];

/**
 * A register-blocked kernel of the layer (2·N·IN·OUT flops, its baked dims): each thread takes 4
 * consecutive inputs k0… (kc: their indices, clamped), `block` places the thread's samples or outputs,
 * then `body` runs.
 */
function blocked(
  label: string,
  [inF, outF, batch]: [number, number, number],
  bindings: Binding[],
  threads: number,
  block: string,
  body: string,
): Kernel {
  return withFlops(
    2 * batch * inF * outF,
    elementwise(
      label,
      dims(inF, outF, batch),
      bindings,
      threads,
      `  let k0 = (i % NQ) * 4u;
${block}
  let kc = min(vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(IN - 1u));
${body}`,
    ),
  );
}

/**
 * dx, register-blocked: one thread per (4 samples, 4 consecutive inputs k)
 * loads 4 dy and 4 w values per output o for 16 multiply-adds (rows and
 * columns past the end read clamped indices and are never written).
 */
export function denseBackwardInput(inF: number, outF: number, batch: number): Kernel {
  const nq = Math.ceil(inF / 4), nn = Math.ceil(batch / 4);
  return blocked(
    "dense dX",
    [inF, outF, batch],
    io("dy", "w", "dx"),
    nn * nq,
    `  let n0 = (i / NQ) * 4u;`,
    `${rep(4, (r) => `  let d${r} = min(n0 + ${r}u, N - 1u) * OUT;`)}
${rep(4, (r) => `  var a${r} = vec4<f32>(0.0);`)}
  for (var o = 0u; o < OUT; o++) {
    let wr = o * IN;
    let wv = vec4<f32>(w[wr + kc.x], w[wr + kc.y], w[wr + kc.z], w[wr + kc.w]);
${rep(4, (r) => `    a${r} += dy[d${r} + o] * wv;`)}
  }
  let cols = min(4u, IN - k0);
${
      rep(4, (r) =>
        `  if (n0 + ${r}u < N) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + ${r}u) * IN + k0 + c] = a${r}[c]; }
  }`)
    }`,
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
  return blocked(
    "dense dW",
    [inF, outF, batch],
    io("dy", "x", "dw"),
    nob * nq,
    `  let o0 = (i / NQ) * ${OB}u;`,
    `${rep(OB, (j) => `  let oc${j} = min(o0 + ${j}u, OUT - 1u);`)}
${rep(OB, (j) => `  var a${j} = vec4<f32>(0.0);`)}
  for (var n = 0u; n < N; n++) {
    let xr = n * IN;
    let xv = vec4<f32>(x[xr + kc.x], x[xr + kc.y], x[xr + kc.z], x[xr + kc.w]);
    let dr = n * OUT;
${rep(OB, (j) => `    a${j} += dy[dr + oc${j}] * xv;`)}
  }
  let cols = min(4u, IN - k0);
${
      rep(OB, (j) =>
        `  if (o0 + ${j}u < OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + ${j}u) * IN + k0 + c] = a${j}[c]; }
  }`)
    }`,
  );
}

/** db (outF) = Σ_n dy[n, :]: one thread per output. */
export function denseBackwardBias(outF: number, batch: number): Kernel {
  return elementwise(
    "dense db",
    [["OUT", "u32", outF], ["N", "u32", batch]],
    [["dy", "read"], ["db", "read_write"]],
    outF,
    `  var s = 0.0;
  for (var n = 0u; n < N; n++) { s += dy[n * OUT + i]; }
  db[i] = s;`,
  );
}
