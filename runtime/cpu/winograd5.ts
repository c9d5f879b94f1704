// Winograd F(2×2, 5×5) convolution for ungrouped 5×5, stride-1, undilated
// layers (any padding): 36 products per 2×2 output block and channel pair
// instead of 100. Same scheme as winograd.ts with n = 6 transform points
// (0, 1, −1, 2, −2, ∞): V = Bᵀ d B per 6×6 input tile (stride 2), M_ξ =
// U_ξ·V_ξ for the 36 positions ξ, Y = Aᵀ m A. Matrices are exact rationals.
// Layouts: U (36, outC, inC); V (36, tiles, inC); M (36, outC, tiles), all
// Float64Array: every intermediate stays in float64 and each output is
// rounded to f32 once. Shapes: x (N, inC, inH, inW) → y (N, outC, outH, outW).
// Invariant: callers check lengths and useWinograd5(g); scratch grows only.

import type { ConvGeometry } from "./conv.ts";
import { gemm64 } from "./winograd.ts";

const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G = [
  [1 / 4, 0, 0, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
  [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
  [0, 0, 0, 0, 1],
];
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 1],
];

/** True when the layer qualifies (5×5, stride 1, dilation 1, groups 1, ≥ 4 input channels). */
export function useWinograd5(g: ConvGeometry): boolean {
  return g.groups === 1 && g.kh === 5 && g.kw === 5 && g.sh === 1 && g.sw === 1 && g.dh === 1 &&
    g.dw === 1 && g.inC >= 4;
}

/** U = G g Gᵀ for every (oc, ic): w is (outC, inC, 5, 5) → U (36, outC, inC). */
export function winograd5Weights(g: ConvGeometry, w: Float32Array): Float64Array {
  const { inC, outC } = g;
  const plane = outC * inC;
  const u = new Float64Array(36 * plane);
  const t = new Float64Array(30); // G g: 6×5
  for (let q = 0; q < plane; q++) {
    const s = q * 25;
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 5; j++) {
        let v = 0;
        for (let k = 0; k < 5; k++) v += G[i][k] * w[s + 5 * k + j];
        t[5 * i + j] = v;
      }
    }
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let v = 0;
        for (let k = 0; k < 5; k++) v += t[5 * i + k] * G[j][k];
        u[(6 * i + j) * plane + q] = v;
      }
    }
  }
  return u;
}

let vBuf = new Float64Array(0);
let mBuf = new Float64Array(0);
const d = new Float64Array(36);
const e = new Float64Array(36);

/** y = act(conv5×5(x) + b) via Winograd; `u` from winograd5Weights; act = relu when `relu`. */
export function conv2dWinograd5(
  g: ConvGeometry,
  u: Float64Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  relu: boolean,
): Float32Array {
  const { pt, pl, inC, inH, inW, outC, outH, outW } = g;
  const tH = (outH + 1) >> 1, tW = (outW + 1) >> 1;
  const T = tH * tW;
  if (vBuf.length < 36 * T * inC) vBuf = new Float64Array(36 * T * inC);
  if (mBuf.length < 36 * outC * T) mBuf = new Float64Array(36 * outC * T);
  const V = vBuf, Mb = mBuf;
  const vStride = T * inC, mStride = outC * T, uStride = outC * inC;
  const inPlane = inH * inW, outPlane = outH * outW;
  for (let n = 0; n < batch; n++) {
    for (let ty = 0; ty < tH; ty++) {
      const iy0 = 2 * ty - pt;
      for (let tx = 0; tx < tW; tx++) {
        const ix0 = 2 * tx - pl;
        const t = ty * tW + tx;
        for (let c = 0; c < inC; c++) {
          const xc = (n * inC + c) * inPlane;
          for (let r = 0; r < 6; r++) {
            const iy = iy0 + r;
            const inside = iy >= 0 && iy < inH;
            const row = xc + iy * inW;
            for (let s = 0; s < 6; s++) {
              const ix = ix0 + s;
              d[6 * r + s] = inside && ix >= 0 && ix < inW ? x[row + ix] : 0;
            }
          }
          // e = Bᵀ d
          for (let i = 0; i < 6; i++) {
            const bi = BT[i];
            for (let s = 0; s < 6; s++) {
              let v = 0;
              for (let k = 0; k < 6; k++) if (bi[k] !== 0) v += bi[k] * d[6 * k + s];
              e[6 * i + s] = v;
            }
          }
          // V = e B (B = Btᵀ)
          const vv = t * inC + c;
          for (let i = 0; i < 6; i++) {
            for (let j = 0; j < 6; j++) {
              const bj = BT[j];
              let v = 0;
              for (let k = 0; k < 6; k++) if (bj[k] !== 0) v += e[6 * i + k] * bj[k];
              V[(6 * i + j) * vStride + vv] = v;
            }
          }
        }
      }
    }
    for (let xi = 0; xi < 36; xi++) gemm64(u, xi * uStride, V, xi * vStride, outC, T, inC, Mb, xi * mStride);
    for (let o = 0; o < outC; o++) {
      const bias = b === null ? 0 : b[o];
      const yo = (n * outC + o) * outPlane;
      for (let ty = 0; ty < tH; ty++) {
        for (let tx = 0; tx < tW; tx++) {
          const m = o * T + ty * tW + tx;
          // e (2×6) = Aᵀ m
          for (let i = 0; i < 2; i++) {
            const ai = AT[i];
            for (let s = 0; s < 6; s++) {
              let v = 0;
              for (let k = 0; k < 6; k++) if (ai[k] !== 0) v += ai[k] * Mb[(6 * k + s) * mStride + m];
              e[6 * i + s] = v;
            }
          }
          const oy = 2 * ty, ox = 2 * tx;
          for (let i = 0; i < 2; i++) {
            if (oy + i >= outH) break;
            for (let j = 0; j < 2; j++) {
              if (ox + j >= outW) break;
              const aj = AT[j];
              let v = bias;
              for (let k = 0; k < 6; k++) if (aj[k] !== 0) v += e[6 * i + k] * aj[k];
              y[yo + (oy + i) * outW + ox + j] = relu && v < 0 ? 0 : v;
            }
          }
        }
      }
    }
  }
  return y;
}
