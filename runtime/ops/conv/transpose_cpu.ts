// The CPU forward of conv2dtranspose / conv1dtranspose (the adjoint of a
// convolution as a layer; runtime/spec.ts op "convT"), one variant: a gather
// per output cell. Output (oy, ox) of channel o receives x[ic, iy, ix]·w[ic, o, u, v]
// for every tap (u, v) with oy = iy·sh − pt + u·dh and ox = ix·sw − pl + v·dw.
// Shapes: x is (N, inC, inH, inW); w is (inC, outC/groups, kh, kw) (PyTorch /
// ONNX layout); b is (outC); y is (N, outC, outH, outW). conv1dtranspose is
// the 2-D form with kh = sh = dh = 1, inH = outH = 1.
// Invariants: callers check lengths; sums in float64, one f32 rounding.

import type { Window2d } from "../../spec.ts";
import type { LayerKernel } from "../../cpu/layer_kernel.ts";

/** The geometry of a transposed conv. */
export type ConvTGeometry = Window2d & { groups: number };

type ConvTKernel = LayerKernel<[g: ConvTGeometry, w: Float32Array]>;

/**
 * y = convT(x, w) + b (ReLU on store when `relu`). Writes into and returns `y`.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../spec.ts";
 * import { convTransposeCpu } from "./transpose_cpu.ts";
 * const l = resolveLayer({ type: "conv1dtranspose", filters: 1, kernel: 2, stride: 2, bias: false }, [1, 2]);
 * if (l.op !== "convT") throw new Error();
 * const y = convTransposeCpu(l, Float32Array.of(1, 10), null, Float32Array.of(1, 2), 1, new Float32Array(4), false);
 * if (y.join() !== "1,10,2,20") throw new Error(y.join());
 * ```
 */
export const convTransposeCpu: ConvTKernel = (g, w, b, x, batch, y, relu) => {
  const icg = g.inC / g.groups, ocg = g.outC / g.groups;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < g.outC; o++) {
      const grp = Math.floor(o / ocg), ol = o % ocg;
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          let s = b ? b[o] : 0;
          for (let u = 0; u < g.kh; u++) {
            const ty = oy + g.pt - u * g.dh; // = iy·sh
            if (ty < 0 || ty % g.sh !== 0 || ty / g.sh >= g.inH) continue;
            const iy = ty / g.sh;
            for (let v = 0; v < g.kw; v++) {
              const tx = ox + g.pl - v * g.dw;
              if (tx < 0 || tx % g.sw !== 0 || tx / g.sw >= g.inW) continue;
              const ix = tx / g.sw;
              for (let c = 0; c < icg; c++) {
                const ic = grp * icg + c;
                s += x[((n * g.inC + ic) * g.inH + iy) * g.inW + ix] *
                  w[((ic * ocg + ol) * g.kh + u) * g.kw + v];
              }
            }
          }
          y[((n * g.outC + o) * g.outH + oy) * g.outW + ox] = relu && !(s > 0) ? 0 : s;
        }
      }
    }
  }
  return y;
};
