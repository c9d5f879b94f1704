// im2col convolution for ungrouped layers on the register-blocked gemm
// (runtime/cpu/gemm.ts): im2col of one sample into (pixels, K) rows
// (K = inC·kh·kw, each row one receptive field), then gemm against the
// weights (outC, K) as stored. Bias and an optional fused ReLU are applied on
// store. Shapes: x (N,inC,inH,inW) → y (N,outC,outH,outW).
// Invariants: groups = 1 only (cpu.ts runs conv_direct.ts otherwise);
// callers have checked lengths; sums run in float64, one f32 rounding per
// output; the im2col scratch is module-level and grows only (no per-call
// allocation once warm).

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import type { ConvGeometry } from "./geometry.ts";
import { gemmNT } from "../../cpu/gemm.ts";
import { Scratch } from "../../cpu/scratch.ts";

/** y = act(conv(x, w) + b), groups = 1; act = relu when `relu`. `b` may be null. */
export const conv2dGemm: LayerKernel<[g: ConvGeometry, w: Float32Array]> = (
  g,
  w,
  b,
  x,
  batch,
  y,
  relu,
  scratch = new Scratch(),
) => {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outC, outH, outW } = g;
  if (g.groups !== 1) throw new RangeError(`conv2dGemm needs groups = 1, got ${g.groups}`);
  const K = inC * kh * kw;
  const P = outH * outW;
  const col = scratch.f32("im2col cols", P * K);
  const inPlane = inH * inW;
  for (let n = 0; n < batch; n++) {
    // col[p*K + (c*kh + ky)*kw + kx] = x[n, c, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw], 0 outside
    const xN = n * inC * inPlane;
    let q = 0;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * sh - pt;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * sw - pl;
        for (let c = 0; c < inC; c++) {
          const xC = xN + c * inPlane;
          for (let ky = 0; ky < kh; ky++) {
            const iy = iy0 + ky * dh;
            if (iy < 0 || iy >= inH) {
              for (let kx = 0; kx < kw; kx++) col[q++] = 0;
              continue;
            }
            const xRow = xC + iy * inW;
            for (let kx = 0, ix = ix0; kx < kw; kx++, ix += dw) {
              col[q++] = ix >= 0 && ix < inW ? x[xRow + ix] : 0;
            }
          }
        }
      }
    }
    gemmNT(w, 0, col, 0, outC, P, K, b, relu, y, n * outC * P, P, 1);
  }
  return y;
};
