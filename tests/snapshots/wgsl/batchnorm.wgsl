// ===== forward: batchnorm stats
// batchnorm stats
struct P { total: u32, row: u32, C: u32, S: u32, M: u32, EPS: f32, MOM: f32 }
@group(0) @binding(0) var<uniform> p: P;
fn xi(c: u32, q: u32) -> u32 { return ((q / p.S) * p.C + c) * p.S + q % p.S; }
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> running: array<f32>;
var<workgroup> red: array<vec2<f32>, 64>;
fn reduce2(t: u32, v: vec2<f32>) -> vec2<f32> {
  red[t] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = min(wid.y * p.row + wid.x, p.C - 1u);
  let valid = wid.y * p.row + wid.x < p.C;
  let t = lid.x;

  var s = 0.0;
  for (var q = t; q < p.M; q += 64u) { s += x[xi(c, q)]; }
  let mean = reduce2(t, vec2<f32>(s, 0.0)).x / f32(p.M);
  var sq = 0.0;
  for (var q = t; q < p.M; q += 64u) { let d = x[xi(c, q)] - mean; sq += d * d; }
  let v = reduce2(t, vec2<f32>(sq, 0.0)).x / f32(p.M);
  if (t == 0u && valid) {
    stats[c] = mean;
    stats[p.C + c] = 1.0 / sqrt(v + p.EPS);
    let unbias = select(1.0, f32(p.M) / f32(p.M - 1u), p.M > 1u);
    running[c] = (1.0 - p.MOM) * running[c] + p.MOM * mean;
    running[p.C + c] = (1.0 - p.MOM) * running[p.C + c] + p.MOM * v * unbias;
  }
}

// ===== forward: batchnorm train
// batchnorm train
struct P { total: u32, row: u32, C: u32, S: u32, M: u32, EPS: f32, MOM: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let c = (i / p.S) % p.C;
  y[i] = gamma[c] * (x[i] - st[c]) * st[p.C + c] + beta[c];
}

// ===== backward: batchnorm dgamma/dbeta
// batchnorm dgamma/dbeta
struct P { total: u32, row: u32, C: u32, S: u32, M: u32, EPS: f32, MOM: f32 }
@group(0) @binding(0) var<uniform> p: P;
fn xi(c: u32, q: u32) -> u32 { return ((q / p.S) * p.C + c) * p.S + q % p.S; }
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<f32>;
var<workgroup> red: array<vec2<f32>, 64>;
fn reduce2(t: u32, v: vec2<f32>) -> vec2<f32> {
  red[t] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = min(wid.y * p.row + wid.x, p.C - 1u);
  let valid = wid.y * p.row + wid.x < p.C;
  let t = lid.x;

  let mean = stats[c];
  let inv = stats[p.C + c];
  var a = vec2<f32>(0.0, 0.0);
  for (var q = t; q < p.M; q += 64u) {
    let j = xi(c, q);
    a += vec2<f32>(dy[j] * (x[j] - mean) * inv, dy[j]);
  }
  let r = reduce2(t, a);
  if (t == 0u && valid) { dgamma[c] = r.x; dbeta[c] = r.y; }
}

// ===== backward: batchnorm dX
// batchnorm dX
struct P { total: u32, row: u32, C: u32, S: u32, M: u32, EPS: f32, MOM: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let c = (i / p.S) % p.C;
  let inv = stats[p.C + c];
  let xh = (x[i] - stats[c]) * inv;
  dx[i] = gamma[c] * inv / f32(p.M) * (f32(p.M) * dy[i] - dbeta[c] - xh * dgamma[c]);
}
