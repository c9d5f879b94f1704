// AssemblyScript (built by `deno task build:wasm`): the wasm forward of conv2d /
// conv1d, every stride, padding, dilation and group count (depthwise too).
// Per sample and group: im2col of the group's input channels into a (K, P)
// scratch (K = inC/groups·kh·kw rows, one per kernel tap; P = outH·outW
// columns, one per output pixel), then the SIMD gemm (runtime/wasm/gemm.as.ts)
// of the weights (outC/groups, K) as stored against it, bias and an optional
// fused ReLU applied on store. A 1×1, stride-1, unpadded conv reads x in place.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC) or 0 (none); y is (N, outC, outH, outW); scratch holds K·P floats.
// Invariants: the caller (runtime/ops/conv/wasm.ts) has checked the geometry
// and placed every buffer in the arena; sums in f32.

import { gemm } from "../../wasm/gemm.as";

/** col[r*P + oy*outW + ox] = x[c, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw] (0 outside), r = (c*kh + ky)*kw + kx. */
function im2col(
  x: usize, col: usize, C: i32, inH: i32, inW: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32,
): void {
  let q = col;
  for (let c = 0; c < C; c++) {
    const xc = x + (<usize>(c * inH * inW) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const ox0 = kx * dw - pl; // ix at ox = 0
        // the ox whose ix lies in [0, inW): [lo, hi)
        let lo = ox0 >= 0 ? 0 : (-ox0 + sw - 1) / sw;
        let hi = inW - ox0 <= 0 ? 0 : (inW - ox0 + sw - 1) / sw;
        if (hi > outW) hi = outW;
        if (lo > hi) lo = hi;
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= inH) {
            memory.fill(q, 0, <usize>outW << 2);
          } else {
            const xr = xc + (<usize>(iy * inW) << 2);
            if (lo > 0) memory.fill(q, 0, <usize>lo << 2);
            if (sw == 1) {
              memory.copy(q + (<usize>lo << 2), xr + (<usize>(lo + ox0) << 2), <usize>(hi - lo) << 2);
            } else {
              for (let ox = lo; ox < hi; ox++) {
                store<f32>(q + (<usize>ox << 2), load<f32>(xr + (<usize>(ox * sw + ox0) << 2)));
              }
            }
            if (hi < outW) memory.fill(q + (<usize>hi << 2), 0, <usize>(outW - hi) << 2);
          }
          q += <usize>outW << 2;
        }
      }
    }
  }
}

/** y = act(conv(x, w) + b) for `batch` samples; act = ReLU when relu ≠ 0; b = 0 for no bias. */
export function conv2d(
  x: usize, w: usize, b: usize, y: usize, scratch: usize, batch: i32,
  inC: i32, outC: i32, groups: i32, dh: i32, dw: i32, relu: i32,
  inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const icg = inC / groups, ocg = outC / groups;
  const K = icg * kh * kw, P = outH * outW;
  const direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && inH == outH && inW == outW;
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xg = x + (<usize>((n * inC + g * icg) * inH * inW) << 2);
      let src = xg;
      if (!direct) {
        im2col(xg, scratch, icg, inH, inW, outH, outW, kh, kw, sh, sw, dh, dw, pt, pl);
        src = scratch;
      }
      gemm(
        w + (<usize>(g * ocg * K) << 2), src, y + (<usize>((n * outC + g * ocg) * P) << 2),
        ocg, P, K, K, P, P, b == 0 ? 0 : 1, b + (<usize>(g * ocg) << 2), relu,
      );
    }
  }
}
