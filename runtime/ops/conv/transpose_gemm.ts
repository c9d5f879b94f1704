// The GEMM variant of the CPU transposed conv (runtime/format/spec.ts op "convT"):
// per sample and group, the columns C = Wᵀ·X — M = (outC/groups)·kh·kw rows
// (output channel, tap), N = inH·inW input positions, K = inC/groups — on the
// shared register-blocked gemm, then col2im adds column (o', u, v) at input
// (iy, ix) into output (iy·sh − pt + u·dh, ix·sw − pl + v·dw) of channel o'.
// Wᵀ and Xᵀ are K-contiguous copies made per call (M·K and N·K values, small
// against the M·N·K product).
// Shapes: x is (N, inC, inH, inW); w is (inC, outC/groups, kh, kw); b is
// (outC); y is (N, outC, outH, outW); 1-D has kh = sh = dh = 1, inH = 1.
// Invariants: callers check lengths; the gemm sums K in float64 and stores
// f32 columns, col2im sums the taps in float64 and rounds once.

import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import { gemmNT } from "../../cpu/gemm.ts";
import { tapRanges } from "./geometry.ts";
import type { ConvGeometry } from "./geometry.ts";

import { Scratch } from "../../cpu/scratch.ts";

/** Scratch bytes the GEMM variant holds for `g` (Wᵀ, Xᵀ, columns, float64 output planes of a group). */
export function convTGemmScratchBytes(g: ConvGeometry): number {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups, taps = g.kh * g.kw, P = g.inH * g.inW;
  return 4 * (ocg * taps * icg + P * icg + ocg * taps * P) + 8 * ocg * g.outH * g.outW;
}

/**
 * y = convT(x, w) + b (ReLU on store when `relu`) through the gemm. Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { convTransposeGemm } from "./transpose_gemm.ts";
 * const l = resolveLayer({ type: "conv1dtranspose", filters: 1, kernel: 2, stride: 2, bias: false }, [1, 2]);
 * if (l.op !== "convT") throw new Error();
 * const y = convTransposeGemm(l, Float32Array.of(1, 10), null, Float32Array.of(1, 2), 1, new Float32Array(4), false);
 * if (y.join() !== "1,10,2,20") throw new Error(y.join());
 * ```
 */
export const convTransposeGemm: LayerKernel<[g: ConvGeometry, w: Float32Array]> = (
  g,
  w,
  b,
  x,
  batch,
  y,
  relu,
  scratch = new Scratch(),
) => {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups, taps = g.kh * g.kw;
  const P = g.inH * g.inW, outPlane = g.outH * g.outW, M = ocg * taps;
  const wt = scratch.f32("convT gemm Wt", M * icg), xt = scratch.f32("convT gemm Xt", P * icg);
  const cols = scratch.f32("convT gemm cols", M * P), acc = scratch.f64("convT gemm acc", ocg * outPlane);
  const rows = tapRanges(g.inH, g.kh, g.sh, g.dh, g.pt, g.outH);
  const colR = tapRanges(g.inW, g.kw, g.sw, g.dw, g.pl, g.outW);
  for (let grp = 0; grp < g.groups; grp++) {
    // Wᵀ: row (o', tap) holds w[ic, o', tap] over the group's input channels
    for (let c = 0; c < icg; c++) {
      const wB = (grp * icg + c) * M;
      for (let r = 0; r < M; r++) wt[r * icg + c] = w[wB + r];
    }
    for (let n = 0; n < batch; n++) {
      const xB = (n * g.inC + grp * icg) * P;
      for (let c = 0; c < icg; c++) for (let p = 0; p < P; p++) xt[p * icg + c] = x[xB + c * P + p];
      gemmNT(wt, 0, xt, 0, M, P, icg, null, false, cols, 0, P, 1);
      for (let o = 0; o < ocg; o++) acc.fill(b ? b[grp * ocg + o] : 0, o * outPlane, (o + 1) * outPlane);
      for (let o = 0; o < ocg; o++) {
        const aB = o * outPlane;
        for (let u = 0; u < g.kh; u++) {
          for (let v = 0; v < g.kw; v++) {
            const cB = ((o * g.kh + u) * g.kw + v) * P;
            const ix0 = colR[2 * v], ix1 = colR[2 * v + 1], oxOff = v * g.dw - g.pl;
            for (let iy = rows[2 * u]; iy < rows[2 * u + 1]; iy++) {
              const yr = aB + (iy * g.sh - g.pt + u * g.dh) * g.outW + oxOff, cr = cB + iy * g.inW;
              for (let ix = ix0; ix < ix1; ix++) acc[yr + ix * g.sw] += cols[cr + ix];
            }
          }
        }
      }
      const yB = (n * g.outC + grp * ocg) * outPlane;
      for (let k = 0; k < ocg * outPlane; k++) y[yB + k] = relu && !(acc[k] > 0) ? 0 : acc[k];
    }
  }
  return y;
};
