// CPU convolution (cross-correlation, no kernel flip) for conv2d and conv1d,
// both in the unified 2-D window form of ResolvedLayer (conv1d has kh = sh =
// dh = 1, pt = pb = 0, inH = outH = 1). Supports groups (incl. depthwise),
// stride, dilation and asymmetric zero padding.
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw) row-major
// (conv1d (outC, inC/groups, kw) has the same layout); b is (outC);
// y is (N, outC, outH, outW).
// Invariants: callers have checked every length (see forward.ts). Each output
// plane is accumulated in float64 scratch and rounded to f32 once. The inner
// loops run over precomputed valid output ranges, so they need no bounds
// checks: padded cells contribute zero by never being visited.
// Output channels of a group are processed 4 at a time (each input value is
// loaded once for 4 accumulator planes), the remainder one at a time.

import { type ConvGeometry, tapRanges } from "./geometry.ts";
import { Scratch } from "../../cpu/scratch.ts";
import type { LayerKernel } from "../../cpu/layer_kernel.ts";

/** y = act(conv(x, w) + b), act = ReLU when `relu` (applied as each output is stored). `b` may be null (no bias). Writes into and returns `y`. */
export const conv2d: LayerKernel<[g: ConvGeometry, w: Float32Array]> = (
  g,
  w,
  b,
  x,
  batch,
  y,
  relu,
  scratch = new Scratch(),
) => {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outC, outH, outW, groups } = g;
  const icg = inC / groups; // input channels per group
  const ocg = outC / groups; // output channels per group
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  const kArea = kh * kw;
  const rowR = tapRanges(outH, kh, sh, dh, pt, inH);
  const colR = tapRanges(outW, kw, sw, dw, pl, inW);
  const acc = scratch.f64("conv direct acc", 4 * outPlane);
  const P1 = outPlane, P2 = 2 * outPlane, P3 = 3 * outPlane;
  for (let n = 0; n < batch; n++) {
    const xN = n * inC * inPlane;
    const yN = n * outC * outPlane;
    for (let grp = 0; grp < groups; grp++) {
      const icBase = grp * icg;
      let oc = grp * ocg;
      const ocEnd = oc + ocg;
      // blocks of 4 output channels: each input value is loaded once for 4 accumulators
      for (; oc + 4 <= ocEnd; oc += 4) {
        for (let j = 0; j < 4; j++) {
          const bv = b === null ? 0 : b[oc + j];
          const a0 = j * outPlane;
          for (let i = 0; i < outPlane; i++) acc[a0 + i] = bv;
        }
        const wStride = icg * kArea; // distance between consecutive output channels in w
        for (let icl = 0; icl < icg; icl++) {
          const xC = xN + (icBase + icl) * inPlane;
          const wC = (oc * icg + icl) * kArea;
          for (let ky = 0; ky < kh; ky++) {
            const oy0 = rowR[2 * ky];
            const oy1 = rowR[2 * ky + 1];
            if (oy0 >= oy1) continue;
            const yOff = ky * dh - pt;
            for (let kx = 0; kx < kw; kx++) {
              const ox0 = colR[2 * kx];
              const ox1 = colR[2 * kx + 1];
              if (ox0 >= ox1) continue;
              const wi = wC + ky * kw + kx;
              const w0 = w[wi], w1 = w[wi + wStride], w2 = w[wi + 2 * wStride], w3 = w[wi + 3 * wStride];
              const xOff = kx * dw - pl;
              for (let oy = oy0; oy < oy1; oy++) {
                const aRow = oy * outW;
                const xRow = xC + (oy * sh + yOff) * inW + xOff; // + ox*sw
                for (let ox = ox0; ox < ox1; ox++) {
                  const xv = x[xRow + ox * sw];
                  const a = aRow + ox;
                  acc[a] += w0 * xv;
                  acc[a + P1] += w1 * xv;
                  acc[a + P2] += w2 * xv;
                  acc[a + P3] += w3 * xv;
                }
              }
            }
          }
        }
        const yC = yN + oc * outPlane;
        const last = 4 * outPlane;
        if (relu) { for (let i = 0; i < last; i++) y[yC + i] = acc[i] > 0 ? acc[i] : 0; }
        else for (let i = 0; i < last; i++) y[yC + i] = acc[i];
      }
      // remaining output channels one at a time
      for (; oc < ocEnd; oc++) {
        const bv = b === null ? 0 : b[oc];
        for (let i = 0; i < outPlane; i++) acc[i] = bv;
        for (let icl = 0; icl < icg; icl++) {
          const xC = xN + (icBase + icl) * inPlane;
          const wC = (oc * icg + icl) * kArea;
          for (let ky = 0; ky < kh; ky++) {
            const oy0 = rowR[2 * ky];
            const oy1 = rowR[2 * ky + 1];
            if (oy0 >= oy1) continue;
            const yOff = ky * dh - pt;
            for (let kx = 0; kx < kw; kx++) {
              const ox0 = colR[2 * kx];
              const ox1 = colR[2 * kx + 1];
              if (ox0 >= ox1) continue;
              const wv = w[wC + ky * kw + kx];
              const xOff = kx * dw - pl;
              for (let oy = oy0; oy < oy1; oy++) {
                const aRow = oy * outW;
                const xRow = xC + (oy * sh + yOff) * inW + xOff; // + ox*sw
                if (sw === 1) {
                  for (let ox = ox0; ox < ox1; ox++) acc[aRow + ox] += wv * x[xRow + ox];
                } else {
                  for (let ox = ox0; ox < ox1; ox++) acc[aRow + ox] += wv * x[xRow + ox * sw];
                }
              }
            }
          }
        }
        const yC = yN + oc * outPlane;
        if (relu) { for (let i = 0; i < outPlane; i++) y[yC + i] = acc[i] > 0 ? acc[i] : 0; }
        else for (let i = 0; i < outPlane; i++) y[yC + i] = acc[i];
      }
    }
  }
  return y;
};
