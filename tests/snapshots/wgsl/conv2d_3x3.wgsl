// ===== forward: conv
// conv forward, 8 channels × 8 columns per thread + bias
struct P { total: u32, row: u32, ic: u32, ih: i32, iw: i32, oc: u32, oh: u32, ow: u32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, icg: u32, ocg: u32, alpha: f32, nb: u32, nx: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
fn act(v: f32) -> f32 { return v; }
fn tapRange(o0: i32, d: i32, k: i32, len: i32) -> vec2<i32> {
  var lo = 0;
  if (o0 < 0) { lo = (-o0 + d - 1) / d; }
  var hi = k;
  if (o0 + (k - 1) * d >= len) { hi = select(0, (len - 1 - o0) / d + 1, len - 1 - o0 >= 0); }
  return vec2<i32>(lo, min(hi, k));
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let xb = i % p.nx;
  var r = i / p.nx;
  let oy = r % p.oh;
  r = r / p.oh;
  let blk = r % p.nb;
  r = r / p.nb;
  let g = r % (p.oc / p.ocg);
  let n = r / (p.oc / p.ocg);
  let ocl0 = blk * 8u;
  let oc0 = g * p.ocg + ocl0;
  let ksize = u32(p.kh * p.kw);
  let wStride = p.icg * ksize; // between output channels
  // channels of the block beyond the group read the group's last channel and are never written
  let w0 = (g * p.ocg + min(ocl0 + 0u, p.ocg - 1u)) * wStride;
  let w1 = (g * p.ocg + min(ocl0 + 1u, p.ocg - 1u)) * wStride;
  let w2 = (g * p.ocg + min(ocl0 + 2u, p.ocg - 1u)) * wStride;
  let w3 = (g * p.ocg + min(ocl0 + 3u, p.ocg - 1u)) * wStride;
  let w4 = (g * p.ocg + min(ocl0 + 4u, p.ocg - 1u)) * wStride;
  let w5 = (g * p.ocg + min(ocl0 + 5u, p.ocg - 1u)) * wStride;
  let w6 = (g * p.ocg + min(ocl0 + 6u, p.ocg - 1u)) * wStride;
  let w7 = (g * p.ocg + min(ocl0 + 7u, p.ocg - 1u)) * wStride;
  let ox0 = xb * 8u;
  let iy0 = i32(oy) * p.sh - p.pt;
  // input column of each of the outputs at tap kx = 0, 4 per segment
  let ix0_0 = vec4<i32>(i32(ox0) * p.sw - p.pl) + vec4<i32>(0, 1, 2, 3) * p.sw;
  let ix0_1 = vec4<i32>(i32(ox0) * p.sw - p.pl) + vec4<i32>(4, 5, 6, 7) * p.sw;
  let ry = tapRange(iy0, p.dh, p.kh, p.ih);
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  var a4_0 = vec4<f32>(0.0);
  var a4_1 = vec4<f32>(0.0);
  var a5_0 = vec4<f32>(0.0);
  var a5_1 = vec4<f32>(0.0);
  var a6_0 = vec4<f32>(0.0);
  var a6_1 = vec4<f32>(0.0);
  var a7_0 = vec4<f32>(0.0);
  var a7_1 = vec4<f32>(0.0);
  let xPlane0 = (n * p.ic + g * p.icg) * u32(p.ih);
  let inPlane = u32(p.ih * p.iw);
  for (var ky = ry.x; ky < ry.y; ky++) {
    let xRow = (xPlane0 + u32(iy0 + ky * p.dh)) * u32(p.iw);
    for (var kx = 0; kx < p.kw; kx++) {
      // column masks and indices once per tap; the channel loop only steps planes
      let ix_0 = ix0_0 + vec4<i32>(kx * p.dw);
      let ok_0 = (ix_0 >= vec4<i32>(0)) & (ix_0 < vec4<i32>(p.iw));
      var ci_0 = vec4<u32>(clamp(ix_0, vec4<i32>(0), vec4<i32>(p.iw - 1))) + vec4<u32>(xRow);
      let ix_1 = ix0_1 + vec4<i32>(kx * p.dw);
      let ok_1 = (ix_1 >= vec4<i32>(0)) & (ix_1 < vec4<i32>(p.iw));
      var ci_1 = vec4<u32>(clamp(ix_1, vec4<i32>(0), vec4<i32>(p.iw - 1))) + vec4<u32>(xRow);
      var wi = u32(ky * p.kw + kx);
      for (var c = 0u; c < p.icg; c++) {
        let xv_0 = select(vec4<f32>(0.0), vec4<f32>(x[ci_0.x], x[ci_0.y], x[ci_0.z], x[ci_0.w]), ok_0);
        let xv_1 = select(vec4<f32>(0.0), vec4<f32>(x[ci_1.x], x[ci_1.y], x[ci_1.z], x[ci_1.w]), ok_1);
        let wv0 = w[w0 + wi];
        a0_0 += wv0 * xv_0;
        a0_1 += wv0 * xv_1;
        let wv1 = w[w1 + wi];
        a1_0 += wv1 * xv_0;
        a1_1 += wv1 * xv_1;
        let wv2 = w[w2 + wi];
        a2_0 += wv2 * xv_0;
        a2_1 += wv2 * xv_1;
        let wv3 = w[w3 + wi];
        a3_0 += wv3 * xv_0;
        a3_1 += wv3 * xv_1;
        let wv4 = w[w4 + wi];
        a4_0 += wv4 * xv_0;
        a4_1 += wv4 * xv_1;
        let wv5 = w[w5 + wi];
        a5_0 += wv5 * xv_0;
        a5_1 += wv5 * xv_1;
        let wv6 = w[w6 + wi];
        a6_0 += wv6 * xv_0;
        a6_1 += wv6 * xv_1;
        let wv7 = w[w7 + wi];
        a7_0 += wv7 * xv_0;
        a7_1 += wv7 * xv_1;
        ci_0 += vec4<u32>(inPlane);
        ci_1 += vec4<u32>(inPlane);
        wi += ksize;
      }
    }
  }
  let plane = p.oh * p.ow;
  let at = (n * p.oc + oc0) * plane + oy * p.ow + ox0;
  let cols = min(8u, p.ow - ox0);
  if (ocl0 + 0u < p.ocg) {
    let o = at + 0u * plane;
    let bj = b[oc0 + 0u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a0_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a0_1[k - 4u] + bj); }
  }
  if (ocl0 + 1u < p.ocg) {
    let o = at + 1u * plane;
    let bj = b[oc0 + 1u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a1_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a1_1[k - 4u] + bj); }
  }
  if (ocl0 + 2u < p.ocg) {
    let o = at + 2u * plane;
    let bj = b[oc0 + 2u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a2_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a2_1[k - 4u] + bj); }
  }
  if (ocl0 + 3u < p.ocg) {
    let o = at + 3u * plane;
    let bj = b[oc0 + 3u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a3_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a3_1[k - 4u] + bj); }
  }
  if (ocl0 + 4u < p.ocg) {
    let o = at + 4u * plane;
    let bj = b[oc0 + 4u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a4_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a4_1[k - 4u] + bj); }
  }
  if (ocl0 + 5u < p.ocg) {
    let o = at + 5u * plane;
    let bj = b[oc0 + 5u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a5_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a5_1[k - 4u] + bj); }
  }
  if (ocl0 + 6u < p.ocg) {
    let o = at + 6u * plane;
    let bj = b[oc0 + 6u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a6_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a6_1[k - 4u] + bj); }
  }
  if (ocl0 + 7u < p.ocg) {
    let o = at + 7u * plane;
    let bj = b[oc0 + 7u];
    for (var k = 0u; k < min(cols, 4u); k++) { y[o + k] = act(a7_0[k - 0u] + bj); }
    for (var k = 4u; k < min(cols, 8u); k++) { y[o + k] = act(a7_1[k - 4u] + bj); }
  }
}

// ===== backward: conv dW lanes
// conv dW lanes 3×3, column step 1, dilation 1, 8 lanes × 1
struct P { total: u32, row: u32, N: u32, IC: u32, OC: u32, ICG: u32, OCG: u32, IH: i32, IW: i32, OH: i32, OW: i32, KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, NPER: u32, NCH: u32, TAPS: u32, STRIDE: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;
@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let chunk = wid.x % p.NCH;
  let ic = wid.x / p.NCH;
  if (ic >= p.IC) { return; }
  let grp = ic / p.ICG;
  let icl = ic % p.ICG;
  // channels past the group read its last channel and write nothing
  let ocl0 = chunk * 8u + 0u + lid.x;
  let oc0 = grp * p.OCG + min(ocl0, p.OCG - 1u);
  let s = wid.y;
  let n0 = s * p.NPER;
  let n1 = min(n0 + p.NPER, p.N);
  var a0_0_0 = 0.0;
  var a0_0_1 = 0.0;
  var a0_0_2 = 0.0;
  var a0_1_0 = 0.0;
  var a0_1_1 = 0.0;
  var a0_1_2 = 0.0;
  var a0_2_0 = 0.0;
  var a0_2_1 = 0.0;
  var a0_2_2 = 0.0;
  var sb0 = 0.0;
  for (var n = n0; n < n1; n++) {
    let dBase0 = (n * p.OC + oc0) * u32(p.OH * p.OW);
    let xBase = i32((n * p.IC + ic) * u32(p.IH * p.IW));
    for (var oy = 0; oy < p.OH; oy++) {
      let dRow0 = dBase0 + u32(oy * p.OW);
      for (var ox = 0; ox < p.OW; ox += 4) {
        let d0_0 = dy[dRow0 + u32(ox)];
        let d0_1 = select(0.0, dy[dRow0 + u32(min(ox + 1, p.OW - 1))], ox + 1 < p.OW);
        let d0_2 = select(0.0, dy[dRow0 + u32(min(ox + 2, p.OW - 1))], ox + 2 < p.OW);
        let d0_3 = select(0.0, dy[dRow0 + u32(min(ox + 3, p.OW - 1))], ox + 3 < p.OW);
        sb0 += (d0_0 + d0_1) + (d0_2 + d0_3);
        let c0 = ox * p.SW - p.PL;
        {
          let iy = oy * p.SH - p.PT + 0 * p.DH;
          if (iy >= 0 && iy < p.IH) {
            let xr = xBase + iy * p.IW;
            let v0 = select(0.0, x[u32(xr + clamp(c0 + 0, 0, p.IW - 1))], c0 + 0 >= 0 && c0 + 0 < p.IW);
            let v1 = select(0.0, x[u32(xr + clamp(c0 + 1, 0, p.IW - 1))], c0 + 1 >= 0 && c0 + 1 < p.IW);
            let v2 = select(0.0, x[u32(xr + clamp(c0 + 2, 0, p.IW - 1))], c0 + 2 >= 0 && c0 + 2 < p.IW);
            let v3 = select(0.0, x[u32(xr + clamp(c0 + 3, 0, p.IW - 1))], c0 + 3 >= 0 && c0 + 3 < p.IW);
            let v4 = select(0.0, x[u32(xr + clamp(c0 + 4, 0, p.IW - 1))], c0 + 4 >= 0 && c0 + 4 < p.IW);
            let v5 = select(0.0, x[u32(xr + clamp(c0 + 5, 0, p.IW - 1))], c0 + 5 >= 0 && c0 + 5 < p.IW);
            a0_0_0 += d0_0 * v0 + d0_1 * v1 + d0_2 * v2 + d0_3 * v3;
            a0_0_1 += d0_0 * v1 + d0_1 * v2 + d0_2 * v3 + d0_3 * v4;
            a0_0_2 += d0_0 * v2 + d0_1 * v3 + d0_2 * v4 + d0_3 * v5;
          }
        }
        {
          let iy = oy * p.SH - p.PT + 1 * p.DH;
          if (iy >= 0 && iy < p.IH) {
            let xr = xBase + iy * p.IW;
            let v0 = select(0.0, x[u32(xr + clamp(c0 + 0, 0, p.IW - 1))], c0 + 0 >= 0 && c0 + 0 < p.IW);
            let v1 = select(0.0, x[u32(xr + clamp(c0 + 1, 0, p.IW - 1))], c0 + 1 >= 0 && c0 + 1 < p.IW);
            let v2 = select(0.0, x[u32(xr + clamp(c0 + 2, 0, p.IW - 1))], c0 + 2 >= 0 && c0 + 2 < p.IW);
            let v3 = select(0.0, x[u32(xr + clamp(c0 + 3, 0, p.IW - 1))], c0 + 3 >= 0 && c0 + 3 < p.IW);
            let v4 = select(0.0, x[u32(xr + clamp(c0 + 4, 0, p.IW - 1))], c0 + 4 >= 0 && c0 + 4 < p.IW);
            let v5 = select(0.0, x[u32(xr + clamp(c0 + 5, 0, p.IW - 1))], c0 + 5 >= 0 && c0 + 5 < p.IW);
            a0_1_0 += d0_0 * v0 + d0_1 * v1 + d0_2 * v2 + d0_3 * v3;
            a0_1_1 += d0_0 * v1 + d0_1 * v2 + d0_2 * v3 + d0_3 * v4;
            a0_1_2 += d0_0 * v2 + d0_1 * v3 + d0_2 * v4 + d0_3 * v5;
          }
        }
        {
          let iy = oy * p.SH - p.PT + 2 * p.DH;
          if (iy >= 0 && iy < p.IH) {
            let xr = xBase + iy * p.IW;
            let v0 = select(0.0, x[u32(xr + clamp(c0 + 0, 0, p.IW - 1))], c0 + 0 >= 0 && c0 + 0 < p.IW);
            let v1 = select(0.0, x[u32(xr + clamp(c0 + 1, 0, p.IW - 1))], c0 + 1 >= 0 && c0 + 1 < p.IW);
            let v2 = select(0.0, x[u32(xr + clamp(c0 + 2, 0, p.IW - 1))], c0 + 2 >= 0 && c0 + 2 < p.IW);
            let v3 = select(0.0, x[u32(xr + clamp(c0 + 3, 0, p.IW - 1))], c0 + 3 >= 0 && c0 + 3 < p.IW);
            let v4 = select(0.0, x[u32(xr + clamp(c0 + 4, 0, p.IW - 1))], c0 + 4 >= 0 && c0 + 4 < p.IW);
            let v5 = select(0.0, x[u32(xr + clamp(c0 + 5, 0, p.IW - 1))], c0 + 5 >= 0 && c0 + 5 < p.IW);
            a0_2_0 += d0_0 * v0 + d0_1 * v1 + d0_2 * v2 + d0_3 * v3;
            a0_2_1 += d0_0 * v1 + d0_1 * v2 + d0_2 * v3 + d0_3 * v4;
            a0_2_2 += d0_0 * v2 + d0_1 * v3 + d0_2 * v4 + d0_3 * v5;
          }
        }
      }
    }
  }
  if (ocl0 < p.OCG) {
    let o = s * p.STRIDE + oc0 * p.TAPS + icl * 9u;
    part[o + 0u] = a0_0_0;
    part[o + 1u] = a0_0_1;
    part[o + 2u] = a0_0_2;
    part[o + 3u] = a0_1_0;
    part[o + 4u] = a0_1_1;
    part[o + 5u] = a0_1_2;
    part[o + 6u] = a0_2_0;
    part[o + 7u] = a0_2_1;
    part[o + 8u] = a0_2_2;
    if (icl == 0u) { part[s * p.STRIDE + p.OC * p.TAPS + oc0] = sb0; }
  }
}

// ===== backward: conv dW reduce + db
// conv dW reduce + db
struct P { total: u32, row: u32, SPLITS: u32, STRIDE: u32, NW: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;
@group(0) @binding(3) var<storage, read_write> db: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }

  var t = 0.0;
  for (var s = 0u; s < p.SPLITS; s++) { t += part[s * p.STRIDE + i]; }
  if (i < p.NW) { dw[i] = t; } else { db[i - p.NW] = t; }
}

// ===== backward: conv dX unit
// conv dX unit
struct P { total: u32, row: u32, N: u32, IC: u32, OC: u32, ICG: u32, OCG: u32, IH: i32, IW: i32, OH: i32, OW: i32, KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, NX: u32, NB: u32, GROUPS: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }

  let xb = i % p.NX;
  var r = i / p.NX;
  let iy = i32(r % u32(p.IH));
  r = r / u32(p.IH);
  let blk = r % p.NB;
  r = r / p.NB;
  let grp = r % p.GROUPS;
  let n = r / p.GROUPS;
  let icl0 = blk * 4u;
  let kk = u32(p.KH * p.KW);
  let w0 = min(icl0 + 0u, p.ICG - 1u) * kk;
  let w1 = min(icl0 + 1u, p.ICG - 1u) * kk;
  let w2 = min(icl0 + 2u, p.ICG - 1u) * kk;
  let w3 = min(icl0 + 3u, p.ICG - 1u) * kk;
  let ix0 = i32(xb * 8u);
  let plane = u32(p.OH * p.OW);
  var a0_0 = vec4<f32>(0.0);
  var a0_1 = vec4<f32>(0.0);
  var a1_0 = vec4<f32>(0.0);
  var a1_1 = vec4<f32>(0.0);
  var a2_0 = vec4<f32>(0.0);
  var a2_1 = vec4<f32>(0.0);
  var a3_0 = vec4<f32>(0.0);
  var a3_1 = vec4<f32>(0.0);
  for (var ky = 0; ky < p.KH; ky++) {
    let oy = iy + p.PT - ky * p.DH;
    if (oy < 0 || oy >= p.OH) { continue; }
    for (var kx = 0; kx < p.KW; kx++) {
      let ox0 = vec4<i32>(ix0 + p.PL - kx * p.DW) + vec4<i32>(0, 1, 2, 3);
      let ok0 = (ox0 >= vec4<i32>(0)) & (ox0 < vec4<i32>(p.OW));
      var di0 = vec4<u32>(clamp(ox0, vec4<i32>(0), vec4<i32>(p.OW - 1))) +
        vec4<u32>((n * p.OC + grp * p.OCG) * plane + u32(oy * p.OW));
      let ox1 = vec4<i32>(ix0 + p.PL - kx * p.DW) + vec4<i32>(4, 5, 6, 7);
      let ok1 = (ox1 >= vec4<i32>(0)) & (ox1 < vec4<i32>(p.OW));
      var di1 = vec4<u32>(clamp(ox1, vec4<i32>(0), vec4<i32>(p.OW - 1))) +
        vec4<u32>((n * p.OC + grp * p.OCG) * plane + u32(oy * p.OW));
      var wi = (grp * p.OCG) * p.ICG * kk + u32(ky * p.KW + kx);
      for (var ocl = 0u; ocl < p.OCG; ocl++) {
        let dv0 = select(vec4<f32>(0.0), vec4<f32>(dy[di0.x], dy[di0.y], dy[di0.z], dy[di0.w]), ok0);
        let dv1 = select(vec4<f32>(0.0), vec4<f32>(dy[di1.x], dy[di1.y], dy[di1.z], dy[di1.w]), ok1);
        let wv0 = w[wi + w0];
        a0_0 += wv0 * dv0;
        a0_1 += wv0 * dv1;
        let wv1 = w[wi + w1];
        a1_0 += wv1 * dv0;
        a1_1 += wv1 * dv1;
        let wv2 = w[wi + w2];
        a2_0 += wv2 * dv0;
        a2_1 += wv2 * dv1;
        let wv3 = w[wi + w3];
        a3_0 += wv3 * dv0;
        a3_1 += wv3 * dv1;
        di0 += vec4<u32>(plane);
        di1 += vec4<u32>(plane);
        wi += p.ICG * kk;
      }
    }
  }
  let cols = min(8u, u32(p.IW - ix0));
  let o = ((n * p.IC + grp * p.ICG + icl0) * u32(p.IH) + u32(iy)) * u32(p.IW) + u32(ix0);
  if (icl0 + 0u < p.ICG) {
    for (var k = 0u; k < min(cols, 4u); k++) { dx[o + 0u * u32(p.IH * p.IW) + k] = a0_0[k - 0u]; }
    for (var k = 4u; k < min(cols, 8u); k++) { dx[o + 0u * u32(p.IH * p.IW) + k] = a0_1[k - 4u]; }
  }
  if (icl0 + 1u < p.ICG) {
    for (var k = 0u; k < min(cols, 4u); k++) { dx[o + 1u * u32(p.IH * p.IW) + k] = a1_0[k - 0u]; }
    for (var k = 4u; k < min(cols, 8u); k++) { dx[o + 1u * u32(p.IH * p.IW) + k] = a1_1[k - 4u]; }
  }
  if (icl0 + 2u < p.ICG) {
    for (var k = 0u; k < min(cols, 4u); k++) { dx[o + 2u * u32(p.IH * p.IW) + k] = a2_0[k - 0u]; }
    for (var k = 4u; k < min(cols, 8u); k++) { dx[o + 2u * u32(p.IH * p.IW) + k] = a2_1[k - 4u]; }
  }
  if (icl0 + 3u < p.ICG) {
    for (var k = 0u; k < min(cols, 4u); k++) { dx[o + 3u * u32(p.IH * p.IW) + k] = a3_0[k - 0u]; }
    for (var k = 4u; k < min(cols, 8u); k++) { dx[o + 3u * u32(p.IH * p.IW) + k] = a3_1[k - 4u]; }
  }
}
