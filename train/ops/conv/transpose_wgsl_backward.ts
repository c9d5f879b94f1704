// WGSL backward of the transposed convolution (the rule of
// transpose_reference.ts), gather forms, no atomics:
//   dX: one thread per input cell sums w·δ over the (output channel, tap)
//       pairs it wrote to — an ordinary convolution of δ;
//   dW: one thread per weight (ic, o, u, v) sums x·δ over n and the input
//       cells whose tap lands inside the output;
//   db: the conv's per-channel reduction (wgsl_backward.ts convBackwardBias).
// Shapes: x (N, inC, inH, inW); w (inC, outC/groups, kh, kw); dy (N, outC, outH, outW).
// Bindings: 0 uniforms (convDims); dX: 1 dy, 2 w, 3 dx; dW: 1 dy, 2 x, 3 dw.

import type { ConvGeometry } from "../../../runtime/ops/conv/geometry.ts";
import { elementwise, type Kernel } from "../../webgpu/training_kernel.ts";
import { convDims, convFlops } from "./wgsl_backward.ts";

/** dx (N, inC, inH, inW) of a transposed conv. */
export function convTransposeBackwardInput(g: ConvGeometry, batch: number): Kernel {
  const body = `
  let ix = i32(i % u32(IW));
  let iy = i32((i / u32(IW)) % u32(IH));
  let ic = (i / u32(IW * IH)) % IC;
  let n = i / (u32(IW * IH) * IC);
  let grp = ic / ICG;
  var s = 0.0;
  for (var o = 0u; o < OCG; o++) {
    for (var u = 0; u < KH; u++) {
      let oy = iy * SH - PT + u * DH;
      if (oy < 0 || oy >= OH) { continue; }
      for (var v = 0; v < KW; v++) {
        let ox = ix * SW - PL + v * DW;
        if (ox < 0 || ox >= OW) { continue; }
        let d = dy[((n * OC + grp * OCG + o) * u32(OH) + u32(oy)) * u32(OW) + u32(ox)];
        s += d * w[((ic * OCG + o) * u32(KH) + u32(u)) * u32(KW) + u32(v)];
      }
    }
  }
  dx[i] = s;`;
  const decls = [["dy", "read"], ["w", "read"], ["dx", "read_write"]] as const;
  const count = batch * g.inC * g.inH * g.inW;
  return {
    ...elementwise("conv transpose dX", convDims(g, batch), decls, count, body),
    flops: convFlops(g, batch),
  };
}

/** dw (inC, outC/groups, kh, kw) of a transposed conv. */
export function convTransposeBackwardWeight(g: ConvGeometry, batch: number): Kernel {
  const body = `
  let v = i32(i % u32(KW));
  let u = i32((i / u32(KW)) % u32(KH));
  let o = (i / u32(KW * KH)) % OCG;
  let ic = i / (u32(KW * KH) * OCG);
  let oc = (ic / ICG) * OCG + o;
  var s = 0.0;
  for (var n = 0u; n < N; n++) {
    for (var iy = 0; iy < IH; iy++) {
      let oy = iy * SH - PT + u * DH;
      if (oy < 0 || oy >= OH) { continue; }
      for (var ix = 0; ix < IW; ix++) {
        let ox = ix * SW - PL + v * DW;
        if (ox < 0 || ox >= OW) { continue; }
        let xv = x[((n * IC + ic) * u32(IH) + u32(iy)) * u32(IW) + u32(ix)];
        s += xv * dy[((n * OC + oc) * u32(OH) + u32(oy)) * u32(OW) + u32(ox)];
      }
    }
  }
  dw[i] = s;`;
  const decls = [["dy", "read"], ["x", "read"], ["dw", "read_write"]] as const;
  const count = g.inC * (g.outC / g.groups) * g.kh * g.kw;
  return {
    ...elementwise("conv transpose dW", convDims(g, batch), decls, count, body),
    flops: convFlops(g, batch),
  };
}
