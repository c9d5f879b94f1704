// WGSL kernels of batch normalisation over the channel axis. x is (N, C, S)
// flattened (S = spatial size; S = 1 for flat features), M = N·S values per
// channel. Parameters gamma (C), beta (C); running = [mean (C), var (C)];
// stats = [batch mean (C), 1/sqrt(batch var + eps) (C)] (biased batch var).
//   stats (train):  one workgroup per channel, two-pass mean/variance; also
//                   running ← (1−momentum)·running + momentum·batch, with the
//                   unbiased variance M/(M−1)·var for the running variance;
//   apply:          y = gamma·(x − mean)·invstd + beta, from stats (train) or
//                   from running mean/var (eval);
//   param grads:    one workgroup per channel: dbeta = Σδ, dgamma = Σδ·x̂;
//   input grad:     dx = gamma·invstd/M · (M·δ − dbeta − x̂·dgamma).
// Bindings: 0 uniforms (C, S, M, EPS, ...), then stats: 1 x, 2 stats
//   (write), 3 running (read_write); apply: 1 x, 2 stats|running, 3 gamma,
//   4 beta, 5 y; param grads: 1 x, 2 stats, 3 dy, 4 dgamma, 5 dbeta;
//   input grad: 1 x, 2 stats, 3 dy, 4 gamma, 5 dgamma, 6 dbeta, 7 dx.

import type { Binding, Dim, Kernel } from "../../webgpu/training_kernel.ts";
import {
  dimLets,
  dimsDecl,
  elementwise,
  makeKernel,
  storageDecls,
  WG,
  workgroupPerItem,
} from "../../webgpu/training_kernel.ts";

export interface BnGeom {
  c: number;
  spatial: number;
  eps: number;
  momentum: number;
}

/** Index in x of value q < M of channel c. */
const XI = "fn xi(c: u32, q: u32) -> u32 { return ((q / p.S) * p.C + c) * p.S + q % p.S; }";

const dims = (g: BnGeom, batch: number): Dim[] => [
  ["C", "u32", g.c],
  ["S", "u32", g.spatial],
  ["M", "u32", batch * g.spatial],
  ["EPS", "f32", g.eps],
  ["MOM", "f32", g.momentum],
];

/** Shared-memory two-value reduction skeleton, one workgroup per channel. */
function perChannel(label: string, g: BnGeom, batch: number, bindings: Binding[], body: string): Kernel {
  const d = workgroupPerItem(g.c, label);
  const ds = dims(g, batch);
  const code = `// ${label}
${dimsDecl(ds)}
${XI}
${storageDecls(bindings)}
var<workgroup> red: array<vec2<f32>, ${WG}>;
fn reduce2(t: u32, v: vec2<f32>) -> vec2<f32> {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = min(wid.y * p.row + wid.x, p.C - 1u);
  let valid = wid.y * p.row + wid.x < p.C;
  let t = lid.x;
${dimLets(ds)}
${body}
}
`;
  return makeKernel(label, ds, d, bindings, code);
}

/** Batch mean and 1/std per channel into stats, running averages updated: one workgroup per channel. */
export function bnStats(g: BnGeom, batch: number): Kernel {
  const decls: Binding[] = [["x", "read"], ["stats", "read_write"], ["running", "read_write"]];
  const body = `
  var s = 0.0;
  for (var q = t; q < M; q += ${WG}u) { s += x[xi(c, q)]; }
  let mean = reduce2(t, vec2<f32>(s, 0.0)).x / f32(M);
  var sq = 0.0;
  for (var q = t; q < M; q += ${WG}u) { let d = x[xi(c, q)] - mean; sq += d * d; }
  let v = reduce2(t, vec2<f32>(sq, 0.0)).x / f32(M);
  if (t == 0u && valid) {
    stats[c] = mean;
    stats[C + c] = 1.0 / sqrt(v + EPS);
    let unbias = select(1.0, f32(M) / f32(M - 1u), M > 1u);
    running[c] = (1.0 - MOM) * running[c] + MOM * mean;
    running[C + c] = (1.0 - MOM) * running[C + c] + MOM * v * unbias;
  }`;
  return perChannel("batchnorm stats", g, batch, decls, body);
}

/** y = gamma·x̂ + beta from the batch stats (train) or the running mean/var (eval): one thread per value. */
export function bnApply(g: BnGeom, batch: number, mode: "train" | "eval"): Kernel {
  const decls: Binding[] = [["x", "read"], ["st", "read"], ["gamma", "read"], ["beta", "read"], [
    "y",
    "read_write",
  ]];
  const inv = mode === "train" ? "st[C + c]" : "1.0 / sqrt(st[C + c] + EPS)";
  return elementwise(
    `batchnorm ${mode}`,
    dims(g, batch),
    decls,
    batch * g.c * g.spatial,
    `  let c = (i / S) % C;
  y[i] = gamma[c] * (x[i] - st[c]) * ${inv} + beta[c];`,
  );
}

/** dgamma = Σδ·x̂ and dbeta = Σδ per channel: one workgroup per channel. */
export function bnBackwardParams(g: BnGeom, batch: number): Kernel {
  const decls: Binding[] = [
    ["x", "read"],
    ["stats", "read"],
    ["dy", "read"],
    ["dgamma", "read_write"],
    ["dbeta", "read_write"],
  ];
  const body = `
  let mean = stats[c];
  let inv = stats[C + c];
  var a = vec2<f32>(0.0, 0.0);
  for (var q = t; q < M; q += ${WG}u) {
    let j = xi(c, q);
    a += vec2<f32>(dy[j] * (x[j] - mean) * inv, dy[j]);
  }
  let r = reduce2(t, a);
  if (t == 0u && valid) { dgamma[c] = r.x; dbeta[c] = r.y; }`;
  return perChannel("batchnorm dgamma/dbeta", g, batch, decls, body);
}

/** dx = gamma·invstd/M · (M·δ − dbeta − x̂·dgamma): one thread per value. */
export function bnBackwardInput(g: BnGeom, batch: number): Kernel {
  const decls: Binding[] = [
    ["x", "read"],
    ["stats", "read"],
    ["dy", "read"],
    ["gamma", "read"],
    ["dgamma", "read"],
    ["dbeta", "read"],
    ["dx", "read_write"],
  ];
  return elementwise(
    "batchnorm dX",
    dims(g, batch),
    decls,
    batch * g.spatial * g.c,
    `  let c = (i / S) % C;
  let inv = stats[C + c];
  let xh = (x[i] - stats[c]) * inv;
  dx[i] = gamma[c] * inv / f32(M) * (f32(M) * dy[i] - dbeta[c] - xh * dgamma[c]);`,
  );
}
