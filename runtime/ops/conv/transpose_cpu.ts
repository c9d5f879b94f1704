// The CPU forward of conv2dtranspose / conv1dtranspose (the adjoint of a
// convolution as a layer; runtime/format/spec.ts op "convT") and the one function
// that picks its kernel, first match wins:
//   "gemm"     inC/groups ≥ 2: columns Wᵀ·X on the gemm + col2im (transpose_gemm.ts;
//              2.3–3× the scatter's speed at 16×16×16 → 16, k2 s2, batch 16)
//   "scatter"  any (depthwise and 1-channel groups, where it is faster): here,
//              a scatter per (output channel, input channel, tap) into a float64 output plane.
// Input (iy, ix) of channel ic adds x·w[ic, o, u, v] to output
// (iy·sh − pt + u·dh, ix·sw − pl + v·dw); per tap the valid input rows and
// columns are precomputed (tapRanges), so the inner loop has no tests.
// Shapes: x is (N, inC, inH, inW); w is (inC, outC/groups, kh, kw) (PyTorch /
// ONNX layout); b is (outC); y is (N, outC, outH, outW). conv1dtranspose is
// the 2-D form with kh = sh = dh = 1, inH = outH = 1.
// Invariants: callers check lengths; sums in float64, one f32 rounding.

import { Scratch } from "../../cpu/scratch.ts";
import type { LayerKernel } from "../../cpu/layer_kernel.ts";
import { type ConvGeometry, tapRanges } from "./geometry.ts";
import { convTransposeGemm } from "./transpose_gemm.ts";

/** The CPU transposed-conv kernels. */
export type ConvTVariant = "gemm" | "scatter";

/** Every kernel that can run `g`, in order of preference (the first runs; "scatter" runs any). */
export function convTVariants(g: ConvGeometry): ConvTVariant[] {
  return g.inC / g.groups >= 2 ? ["gemm", "scatter"] : ["scatter"];
}

/**
 * y = convT(x, w) + b with the kernel convTVariants picks (or `variant`). Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { convTCpu, convTVariants } from "./transpose_cpu.ts";
 * const l = resolveLayer({ type: "conv2dtranspose", filters: 2, kernel: 2, stride: 2 }, [4, 3, 3]);
 * if (l.op !== "convT" || convTVariants(l)[0] !== "gemm") throw new Error();
 * const y = convTCpu(l, new Float32Array(32).fill(1), null, new Float32Array(36).fill(1), 1, new Float32Array(72), false);
 * if (y[0] !== 4) throw new Error(String(y[0]));
 * ```
 */
export function convTCpu(
  g: ConvGeometry,
  w: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  batch: number,
  y: Float32Array,
  relu: boolean,
  variant: ConvTVariant = convTVariants(g)[0],
  scratch: Scratch = new Scratch(),
): Float32Array {
  return (variant === "gemm" ? convTransposeGemm : convTransposeCpu)(g, w, b, x, batch, y, relu, scratch);
}

type ConvTKernel = LayerKernel<[g: ConvGeometry, w: Float32Array]>;

/**
 * y = convT(x, w) + b (ReLU on store when `relu`). Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { convTransposeCpu } from "./transpose_cpu.ts";
 * const l = resolveLayer({ type: "conv1dtranspose", filters: 1, kernel: 2, stride: 2, bias: false }, [1, 2]);
 * if (l.op !== "convT") throw new Error();
 * const y = convTransposeCpu(l, Float32Array.of(1, 10), null, Float32Array.of(1, 2), 1, new Float32Array(4), false);
 * if (y.join() !== "1,10,2,20") throw new Error(y.join());
 * ```
 */
export const convTransposeCpu: ConvTKernel = (g, w, b, x, batch, y, relu, scratch = new Scratch()) => {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  const inPlane = g.inH * g.inW, outPlane = g.outH * g.outW;
  // per tap: the input rows / columns whose output lands inside the image (no bounds tests below)
  const rows = tapRanges(g.inH, g.kh, g.sh, g.dh, g.pt, g.outH);
  const cols = tapRanges(g.inW, g.kw, g.sw, g.dw, g.pl, g.outW);
  const acc = scratch.f64("convT scatter acc", outPlane);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < g.outC; o++) {
      const grp = Math.floor(o / ocg), ol = o % ocg;
      acc.fill(b ? b[o] : 0, 0, outPlane);
      for (let c = 0; c < icg; c++) {
        const ic = grp * icg + c, xB = (n * g.inC + ic) * inPlane;
        for (let u = 0; u < g.kh; u++) {
          for (let v = 0; v < g.kw; v++) {
            const wv = w[((ic * ocg + ol) * g.kh + u) * g.kw + v];
            const ix0 = cols[2 * v], ix1 = cols[2 * v + 1], oxOff = v * g.dw - g.pl;
            for (let iy = rows[2 * u]; iy < rows[2 * u + 1]; iy++) {
              const yr = (iy * g.sh - g.pt + u * g.dh) * g.outW + oxOff, xr = xB + iy * g.inW;
              for (let ix = ix0; ix < ix1; ix++) acc[yr + ix * g.sw] += wv * x[xr + ix];
            }
          }
        }
      }
      const yB = (n * g.outC + o) * outPlane;
      for (let k = 0; k < outPlane; k++) y[yB + k] = relu && !(acc[k] > 0) ? 0 : acc[k];
    }
  }
  return y;
};
