// WGSL backward of instance normalisation (twin of reference.ts).
//   dX: one thread per (n, c) plane recomputes μ, inv, Σg and Σg·x̂ (g = δ·s_c), then writes the plane.
//   dS, dB: one thread per channel c, over every sample's plane of c.
// Shapes: x, dy, dx (N, C, S); w = scale (C). Bindings: dX: 1 dy, 2 x, 3 w, 4 dx;
// dSB: 1 dy, 2 x, 3 dw, 4 db.

import { type Binding, elementwise, type Kernel } from "../../webgpu/training_kernel.ts";

type Norm = { eps: number; c: number; spatial: number };

const dims = (l: Norm, batch: number) =>
  [["C", "u32", l.c], ["S", "u32", l.spatial], ["N", "u32", batch], ["EPS", "f32", l.eps]] as const;

/** `let mean`, `let inv` of the plane starting at `at` (x bound). */
const STATS = `  var s = 0.0;
  for (var j = 0u; j < S; j++) { s += x[at + j]; }
  let mean = s / f32(S);
  var v = 0.0;
  for (var j = 0u; j < S; j++) { let d = x[at + j] - mean; v += d * d; }
  let inv = 1.0 / sqrt(v / f32(S) + EPS);`;

/** dx of an instancenorm layer. */
export function instanceNormBackwardInput(l: Norm, batch: number): Kernel {
  const decls: Binding[] = [["dy", "read"], ["x", "read"], ["w", "read"], ["dx", "read_write"]];
  const body = `  let at = i * S;
  let sc = w[i % C];
${STATS}
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < S; j++) {
    let g = dy[at + j] * sc;
    sg += g;
    sgx += g * (x[at + j] - mean) * inv;
  }
  for (var j = 0u; j < S; j++) {
    let xh = (x[at + j] - mean) * inv;
    dx[at + j] = inv / f32(S) * (f32(S) * dy[at + j] * sc - sg - xh * sgx);
  }`;
  return elementwise("instancenorm dX", dims(l, batch), decls, batch * l.c, body);
}

/** ds and db of an instancenorm layer. */
export function instanceNormBackwardParams(l: Norm, batch: number): Kernel {
  const decls: Binding[] = [["dy", "read"], ["x", "read"], ["dw", "read_write"], ["db", "read_write"]];
  const body = `  var ds = 0.0;
  var dbs = 0.0;
  for (var n = 0u; n < N; n++) {
    let at = (n * C + i) * S;
${STATS.replaceAll("\n  ", "\n    ").replace(/^ {2}/, "    ")}
    for (var j = 0u; j < S; j++) {
      ds += dy[at + j] * (x[at + j] - mean) * inv;
      dbs += dy[at + j];
    }
  }
  dw[i] = ds;
  db[i] = dbs;`;
  return elementwise("instancenorm dS dB", dims(l, batch), decls, l.c, body);
}
