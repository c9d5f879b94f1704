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
// Bindings: stats: 0 x, 1 stats (write), 2 running (read_write);
//   apply: 0 x, 1 stats|running, 2 gamma, 3 beta, 4 y;
//   param grads: 0 x, 1 stats, 2 dy, 3 dgamma, 4 dbeta;
//   input grad: 0 x, 1 stats, 2 dy, 3 gamma, 4 dgamma, 5 dbeta, 6 dx.

import { elementwise, f32, grid, type Kernel, WG } from "../../webgpu/wgsl_util.ts";

export interface BnGeom {
  c: number;
  spatial: number;
  eps: number;
  momentum: number;
}

const IDX = (g: BnGeom) => `
const C = ${g.c}u; const S = ${g.spatial}u;
fn xi(c: u32, p: u32) -> u32 { return ((p / S) * C + c) * S + p % S; }`;

/** Shared-memory two-value reduction skeleton, one workgroup per channel. */
function perChannel(label: string, g: BnGeom, decls: string, body: string): Kernel {
  const [gx, gy] = grid(g.c);
  const code = `${IDX(g)}
${decls}
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
  let c = min(wid.y * ${gx}u + wid.x, C - 1u);
  let valid = wid.y * ${gx}u + wid.x < C;
  let t = lid.x;
${body}
}
`;
  return { label, code, groups: [gx, gy, 1] };
}

export function bnStats(g: BnGeom, batch: number): Kernel {
  const m = batch * g.spatial;
  const decls = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> running: array<f32>;
const M = ${m}u;`;
  const body = `
  var s = 0.0;
  for (var p = t; p < M; p += ${WG}u) { s += x[xi(c, p)]; }
  let mean = reduce2(t, vec2<f32>(s, 0.0)).x / f32(M);
  var q = 0.0;
  for (var p = t; p < M; p += ${WG}u) { let d = x[xi(c, p)] - mean; q += d * d; }
  let v = reduce2(t, vec2<f32>(q, 0.0)).x / f32(M);
  if (t == 0u && valid) {
    stats[c] = mean;
    stats[C + c] = 1.0 / sqrt(v + ${f32(g.eps)});
    let mom = ${f32(g.momentum)};
    running[c] = (1.0 - mom) * running[c] + mom * mean;
    running[C + c] = (1.0 - mom) * running[C + c] + mom * v * ${f32(m > 1 ? m / (m - 1) : 1)};
  }`;
  return perChannel("batchnorm stats", g, decls, body);
}

export function bnApply(g: BnGeom, batch: number, mode: "train" | "eval"): Kernel {
  const decls = `${IDX(g)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> st: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;`;
  const inv = mode === "train" ? "st[C + c]" : `1.0 / sqrt(st[C + c] + ${f32(g.eps)})`;
  return elementwise(
    `batchnorm ${mode}`,
    decls,
    batch * g.c * g.spatial,
    `  let c = (i / S) % C;
  y[i] = gamma[c] * (x[i] - st[c]) * ${inv} + beta[c];`,
  );
}

export function bnBackwardParams(g: BnGeom, batch: number): Kernel {
  const decls = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbeta: array<f32>;
const M = ${batch * g.spatial}u;`;
  const body = `
  let mean = stats[c];
  let inv = stats[C + c];
  var a = vec2<f32>(0.0, 0.0);
  for (var p = t; p < M; p += ${WG}u) {
    let j = xi(c, p);
    a += vec2<f32>(dy[j] * (x[j] - mean) * inv, dy[j]);
  }
  let r = reduce2(t, a);
  if (t == 0u && valid) { dgamma[c] = r.x; dbeta[c] = r.y; }`;
  return perChannel("batchnorm dgamma/dbeta", g, decls, body);
}

export function bnBackwardInput(g: BnGeom, batch: number): Kernel {
  const m = batch * g.spatial;
  const decls = `${IDX(g)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> dgamma: array<f32>;
@group(0) @binding(5) var<storage, read> dbeta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;`;
  return elementwise(
    "batchnorm dX",
    decls,
    m * g.c,
    `  let c = (i / S) % C;
  let inv = stats[C + c];
  let xh = (x[i] - stats[c]) * inv;
  dx[i] = gamma[c] * inv * ${f32(1 / m)} * (${m}.0 * dy[i] - dbeta[c] - xh * dgamma[c]);`,
  );
}
