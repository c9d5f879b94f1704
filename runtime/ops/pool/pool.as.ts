// AssemblyScript (built by `deno task build:wasm`): the wasm forward of the
// 2-D pools (1-D: kh = sh = 1). Semantics as pool_direct.ts: max ignores
// padded cells, avg divides by kh·kw (padded cells count as zero), avgvalid
// by the real cells, l2 = sqrt(Σ x²). A 2×2 stride-2 unpadded max pool runs
// four outputs per step on f32x4. Shapes: x is (planes, inH, inW), y
// (planes, outH, outW), planes = N·C. mode: 0 max, 1 avg, 2 avgvalid, 3 l2.
// Invariants: the caller (runtime/ops/pool/wasm.ts) has checked the geometry;
// every window covers at least one real cell (the spec refuses padding ≥ the
// window).

function max2x2(x: usize, y: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32): void {
  for (let p = 0; p < planes; p++) {
    const xp = x + (<usize>(p * inH * inW) << 2), yp = y + (<usize>(p * outH * outW) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const r0 = xp + (<usize>(2 * oy * inW) << 2), r1 = r0 + (<usize>inW << 2);
      const yo = yp + (<usize>(oy * outW) << 2);
      let ox = 0;
      for (; ox + 4 <= outW; ox += 4) {
        const o = <usize>(2 * ox) << 2;
        const a = f32x4.max(v128.load(r0 + o), v128.load(r1 + o));
        const b = f32x4.max(v128.load(r0 + o, 16), v128.load(r1 + o, 16));
        // a = (m0, m1, m2, m3), b = (m4, ...): outputs max(m0,m1), max(m2,m3), max(m4,m5), max(m6,m7)
        const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6), odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        v128.store(yo + (<usize>ox << 2), f32x4.max(even, odd));
      }
      for (; ox < outW; ox++) {
        const o = <usize>(2 * ox) << 2;
        store<f32>(yo + (<usize>ox << 2), max(max(load<f32>(r0 + o), load<f32>(r0 + o, 4)), max(load<f32>(r1 + o), load<f32>(r1 + o, 4))));
      }
    }
  }
}

/** y = pool(x) over `planes` planes. */
export function pool2d(
  x: usize, y: usize, planes: i32, mode: i32,
  inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  if (mode == 0 && kh == 2 && kw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && 2 * outW <= inW && 2 * outH <= inH) {
    max2x2(x, y, planes, inH, inW, outH, outW);
    return;
  }
  const inv: f32 = 1 / <f32>(kh * kw);
  for (let p = 0; p < planes; p++) {
    const xp = x + (<usize>(p * inH * inW) << 2);
    let q = y + (<usize>(p * outH * outW) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const s0 = oy * sh - pt;
      const iy0 = s0 < 0 ? 0 : s0, iy1 = s0 + kh > inH ? inH : s0 + kh;
      for (let ox = 0; ox < outW; ox++) {
        const t0 = ox * sw - pl;
        const ix0 = t0 < 0 ? 0 : t0, ix1 = t0 + kw > inW ? inW : t0 + kw;
        let v: f32 = mode == 0 ? -Infinity : 0;
        for (let iy = iy0; iy < iy1; iy++) {
          const r = xp + (<usize>(iy * inW) << 2);
          for (let ix = ix0; ix < ix1; ix++) {
            const t = load<f32>(r + (<usize>ix << 2));
            if (mode == 0) v = t > v ? t : v;
            else if (mode == 3) v += t * t;
            else v += t;
          }
        }
        if (mode == 1) v *= inv;
        else if (mode == 2) v /= <f32>((iy1 - iy0) * (ix1 - ix0));
        else if (mode == 3) v = sqrt<f32>(v);
        store<f32>(q, v);
        q += 4;
      }
    }
  }
}
