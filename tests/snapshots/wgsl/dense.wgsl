// ===== forward: dense
// dense forward, 4 outputs × 4 samples per thread + bias
struct P { total: u32, row: u32, inF: u32, outF: u32, alpha: f32, nb: u32, n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
fn act(v: f32) -> f32 { return v; }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let n0 = (i / p.nb) * 4u;
  let o0 = (i % p.nb) * 4u;
  let os = min(vec4<u32>(o0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.outF - 1u));
  let ns = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.n - 1u));
  let rows = os * p.inF;
  let xr = ns * p.inF;
  var s0 = vec4<f32>(0.0);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var s3 = vec4<f32>(0.0);
  for (var k = 0u; k < p.inF; k++) {
    let wv = vec4<f32>(w[rows.x + k], w[rows.y + k], w[rows.z + k], w[rows.w + k]);
    s0 += x[xr.x + k] * wv;
    s1 += x[xr.y + k] * wv;
    s2 += x[xr.z + k] * wv;
    s3 += x[xr.w + k] * wv;
  }
  let bv = vec4<f32>(b[os.x], b[os.y], b[os.z], b[os.w]);
  let outs = min(4u, p.outF - o0);
  let nn = min(4u, p.n - n0);
  for (var q = 0u; q < nn; q++) {
    var sq = s0;
    if (q == 1u) { sq = s1; } else if (q == 2u) { sq = s2; } else if (q == 3u) { sq = s3; }
    sq += bv;
    let at = (n0 + q) * p.outF + o0;
    for (var k = 0u; k < outs; k++) { y[at + k] = act(sq[k]); }
  }
}

// ===== backward: dense dW
// dense dW
struct P { total: u32, row: u32, IN: u32, OUT: u32, N: u32, NQ: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let k0 = (i % p.NQ) * 4u;
  let o0 = (i / p.NQ) * 10u;
  let kc = min(vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.IN - 1u));
  let oc0 = min(o0 + 0u, p.OUT - 1u);
  let oc1 = min(o0 + 1u, p.OUT - 1u);
  let oc2 = min(o0 + 2u, p.OUT - 1u);
  let oc3 = min(o0 + 3u, p.OUT - 1u);
  let oc4 = min(o0 + 4u, p.OUT - 1u);
  let oc5 = min(o0 + 5u, p.OUT - 1u);
  let oc6 = min(o0 + 6u, p.OUT - 1u);
  let oc7 = min(o0 + 7u, p.OUT - 1u);
  let oc8 = min(o0 + 8u, p.OUT - 1u);
  let oc9 = min(o0 + 9u, p.OUT - 1u);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  var a8 = vec4<f32>(0.0);
  var a9 = vec4<f32>(0.0);
  for (var n = 0u; n < p.N; n++) {
    let xr = n * p.IN;
    let xv = vec4<f32>(x[xr + kc.x], x[xr + kc.y], x[xr + kc.z], x[xr + kc.w]);
    let dr = n * p.OUT;
    a0 += dy[dr + oc0] * xv;
    a1 += dy[dr + oc1] * xv;
    a2 += dy[dr + oc2] * xv;
    a3 += dy[dr + oc3] * xv;
    a4 += dy[dr + oc4] * xv;
    a5 += dy[dr + oc5] * xv;
    a6 += dy[dr + oc6] * xv;
    a7 += dy[dr + oc7] * xv;
    a8 += dy[dr + oc8] * xv;
    a9 += dy[dr + oc9] * xv;
  }
  let cols = min(4u, p.IN - k0);
  if (o0 + 0u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 0u) * p.IN + k0 + c] = a0[c]; }
  }
  if (o0 + 1u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 1u) * p.IN + k0 + c] = a1[c]; }
  }
  if (o0 + 2u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 2u) * p.IN + k0 + c] = a2[c]; }
  }
  if (o0 + 3u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 3u) * p.IN + k0 + c] = a3[c]; }
  }
  if (o0 + 4u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 4u) * p.IN + k0 + c] = a4[c]; }
  }
  if (o0 + 5u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 5u) * p.IN + k0 + c] = a5[c]; }
  }
  if (o0 + 6u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 6u) * p.IN + k0 + c] = a6[c]; }
  }
  if (o0 + 7u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 7u) * p.IN + k0 + c] = a7[c]; }
  }
  if (o0 + 8u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 8u) * p.IN + k0 + c] = a8[c]; }
  }
  if (o0 + 9u < p.OUT) {
    for (var c = 0u; c < cols; c++) { dw[(o0 + 9u) * p.IN + k0 + c] = a9[c]; }
  }
}

// ===== backward: dense db
// dense db
struct P { total: u32, row: u32, OUT: u32, N: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  var s = 0.0;
  for (var n = 0u; n < p.N; n++) { s += dy[n * p.OUT + i]; }
  db[i] = s;
}

// ===== backward: dense dX
// dense dX
struct P { total: u32, row: u32, IN: u32, OUT: u32, N: u32, NQ: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let k0 = (i % p.NQ) * 4u;
  let n0 = (i / p.NQ) * 4u;
  let kc = min(vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.IN - 1u));
  let d0 = min(n0 + 0u, p.N - 1u) * p.OUT;
  let d1 = min(n0 + 1u, p.N - 1u) * p.OUT;
  let d2 = min(n0 + 2u, p.N - 1u) * p.OUT;
  let d3 = min(n0 + 3u, p.N - 1u) * p.OUT;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  for (var o = 0u; o < p.OUT; o++) {
    let wr = o * p.IN;
    let wv = vec4<f32>(w[wr + kc.x], w[wr + kc.y], w[wr + kc.z], w[wr + kc.w]);
    a0 += dy[d0 + o] * wv;
    a1 += dy[d1 + o] * wv;
    a2 += dy[d2 + o] * wv;
    a3 += dy[d3 + o] * wv;
  }
  let cols = min(4u, p.IN - k0);
  if (n0 + 0u < p.N) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + 0u) * p.IN + k0 + c] = a0[c]; }
  }
  if (n0 + 1u < p.N) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + 1u) * p.IN + k0 + c] = a1[c]; }
  }
  if (n0 + 2u < p.N) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + 2u) * p.IN + k0 + c] = a2[c]; }
  }
  if (n0 + 3u < p.N) {
    for (var c = 0u; c < cols; c++) { dx[(n0 + 3u) * p.IN + k0 + c] = a3[c]; }
  }
}
