// Fast CPU paths for ungrouped convolution and dense layers on top of the
// register-blocked gemm (gemm.ts). Convolution = im2col of one sample into
// 4-wide panels, then gemm against weights packed once at load. Dense = the
// batch packed per call against packed weights. Bias and an optional fused
// ReLU are applied on store. Shapes as in conv.ts / dense.ts: x (N,inC,inH,inW)
// → y (N,outC,outH,outW); x (N,inF) → y (N,outF).
// Invariants: only groups = 1 (callers fall back to conv.ts otherwise);
// callers have checked lengths; sums run in float64, one f32 rounding per
// output; scratch buffers are module-level and grow only (no per-call
// allocation once warm).

import type { ConvGeometry } from "./conv.ts";
import { gemmPacked, packPanels, panelLength } from "./gemm.ts";

/** Weights (outC, inC, kh, kw) as gemm A panels. Throws RangeError for grouped convs. */
export function packConvWeights(g: ConvGeometry, w: Float32Array): Float32Array {
  if (g.groups !== 1) throw new RangeError(`packed conv needs groups = 1, got ${g.groups}`);
  const K = g.inC * g.kh * g.kw;
  return packPanels(w, 0, g.outC, K, K, new Float32Array(panelLength(g.outC, K)), true);
}

/** Weights (outF, inF) as gemm A panels. */
export function packDenseWeights(inF: number, outF: number, w: Float32Array): Float32Array {
  return packPanels(w, 0, outF, inF, inF, new Float32Array(panelLength(outF, inF)), true);
}

/** Output positions o in [lo, hi) per kernel tap whose input index o*s - p + k*d lies in [0, inLen). */
function validRanges(
  kLen: number,
  s: number,
  d: number,
  p: number,
  inLen: number,
  outLen: number,
): Int32Array {
  const r = new Int32Array(2 * kLen);
  for (let k = 0; k < kLen; k++) {
    const off = k * d - p;
    let lo = off >= 0 ? 0 : Math.ceil(-off / s);
    let hi = inLen - 1 - off < 0 ? 0 : Math.floor((inLen - 1 - off) / s) + 1;
    if (lo > outLen) lo = outLen;
    if (hi > outLen) hi = outLen;
    if (hi < lo) hi = lo;
    r[2 * k] = lo;
    r[2 * k + 1] = hi;
  }
  return r;
}

let cols = new Float32Array(0);
let xs = new Float32Array(0);

/** y = act(conv(x, w) + b) with `ap` from packConvWeights; act = relu when `relu`. `b` may be null. */
export function conv2dGemm(
  g: ConvGeometry,
  ap: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  relu: boolean,
): Float32Array {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outC, outH, outW } = g;
  const K = inC * kh * kw;
  const P = outH * outW;
  const need = panelLength(P, K);
  if (cols.length < need) cols = new Float32Array(need);
  const col = cols;
  const rowR = validRanges(kh, sh, dh, pt, inH, outH);
  const colR = validRanges(kw, sw, dw, pl, inW, outW);
  const K4 = 4 * K;
  const inPlane = inH * inW;
  for (let n = 0; n < batch; n++) {
    // col[(p>>2)*4K + 4k + (p&3)] = x[c, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw], 0 outside
    for (let c = 0; c < inC; c++) {
      const xC = (n * inC + c) * inPlane;
      for (let ky = 0; ky < kh; ky++) {
        const oy0 = rowR[2 * ky], oy1 = rowR[2 * ky + 1];
        const yOff = ky * dh - pt;
        for (let kx = 0; kx < kw; kx++) {
          const ox0 = colR[2 * kx], ox1 = colR[2 * kx + 1];
          const xOff = kx * dw - pl;
          const kOff = 4 * ((c * kh + ky) * kw + kx);
          let p = 0;
          for (let oy = 0; oy < outH; oy++) {
            if (oy < oy0 || oy >= oy1) {
              for (let ox = 0; ox < outW; ox++, p++) col[(p >> 2) * K4 + kOff + (p & 3)] = 0;
              continue;
            }
            const xRow = xC + (oy * sh + yOff) * inW + xOff;
            for (let ox = 0; ox < outW; ox++, p++) {
              col[(p >> 2) * K4 + kOff + (p & 3)] = ox >= ox0 && ox < ox1 ? x[xRow + ox * sw] : 0;
            }
          }
        }
      }
    }
    gemmPacked(ap, col, outC, P, K, b, relu, y, n * outC * P, P, 1);
  }
  return y;
}

/** y = act(x·wᵀ + b) with `wp` from packDenseWeights; act = relu when `relu`. `b` may be null. */
export function denseGemm(
  inF: number,
  outF: number,
  wp: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  relu: boolean,
): Float32Array {
  const need = panelLength(batch, inF);
  if (xs.length < need) xs = new Float32Array(need);
  packPanels(x, 0, batch, inF, inF, xs, false);
  gemmPacked(wp, xs, outF, batch, inF, b, relu, y, 0, 1, outF);
  return y;
}
