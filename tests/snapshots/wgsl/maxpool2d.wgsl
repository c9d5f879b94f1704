// ===== forward: maxpool
// max pool forward
struct P { total: u32, row: u32, ih: i32, iw: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }
  let ow = u32(p.ow);
  let oh = u32(p.oh);
  let ox = i32(i % ow);
  let oy = i32((i / ow) % oh);
  let plane = i / (ow * oh);
  let y0 = oy * p.sh - p.pt;
  let x0 = ox * p.sw - p.pl;
  let ylo = max(y0, 0);
  let yhi = min(y0 + p.kh, p.ih);
  let xlo = max(x0, 0);
  let xhi = min(x0 + p.kw, p.iw);
  var m = bitcast<f32>(0xff7fffffu);
  var hit = false;
  for (var iy = ylo; iy < yhi; iy++) {
    let row = (plane * u32(p.ih) + u32(iy)) * u32(p.iw);
    for (var ix = xlo; ix < xhi; ix++) {
      let v = x[row + u32(ix)];
      m = max(m, v);
      hit = true;
    }
  }
  y[i] = select(0.0, m, hit);
}

// ===== backward: maxpool dX tiled
// maxpool dX tiled
struct P { total: u32, row: u32, IH: i32, IW: i32, OH: i32, OW: i32, KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, TY: i32, TX: i32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }

  let tx = i32(i % u32(p.TX));
  let ty = i32((i / u32(p.TX)) % u32(p.TY));
  let plane = i / u32(p.TY * p.TX);
  let inBase = plane * u32(p.IH * p.IW);
  let y0 = ty * p.SH - p.PT;
  let x0 = tx * p.SW - p.PL;
  let ylo = max(y0, 0);
  let yhi = min(y0 + p.SH, p.IH);
  let xlo = max(x0, 0);
  let xhi = min(x0 + p.SW, p.IW);
  var d = 0.0;
  var bi = -1;
  if (ty < p.OH && tx < p.OW && ylo < yhi && xlo < xhi) {
    // first valid cell of the window with the largest value (strict >)
    var best = x[inBase + u32(ylo * p.IW + xlo)];
    bi = ylo * p.IW + xlo;
    for (var wy = ylo; wy < yhi; wy++) {
      for (var wx = xlo; wx < xhi; wx++) {
        let v = x[inBase + u32(wy * p.IW + wx)];
        if (v > best) { best = v; bi = wy * p.IW + wx; }
      }
    }
    d = dy[plane * u32(p.OH * p.OW) + u32(ty * p.OW + tx)];
  }
  for (var wy = ylo; wy < yhi; wy++) {
    for (var wx = xlo; wx < xhi; wx++) {
      let c = wy * p.IW + wx;
      dx[inBase + u32(c)] = select(0.0, d, c == bi);
    }
  }
}
