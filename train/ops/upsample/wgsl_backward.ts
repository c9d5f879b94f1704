// WGSL backward of upsampling, gather form: one thread per input cell sums
// dy·weight over the outputs that read it. Along an axis of scale s, input i
// is read only by outputs o in [(i − 1)·s, (i + 2)·s) (linear) or
// [i·s, (i + 1)·s) (nearest); each candidate's taps are recomputed with the
// forward's rule and contribute only where a tap is i.
// Shapes: dy is (N, C, outH, outW), dx (N, C, inH, inW); 1-D has inH = 1.
// Bindings: 0 uniforms, 1 dy (read), 2 dx (write).

import type { Upsample } from "../../../runtime/format/spec.ts";
import { elementwise, type Kernel, u32Dims } from "../../webgpu/training_kernel.ts";

/** dx of an upsample layer over `batch` samples. */
export function upsampleBackward(u: Upsample, batch: number): Kernel {
  const weight = u.mode === "nearest"
    ? `fn weight(o: u32, s: u32, n: u32, i: u32) -> f32 { return select(0.0, 1.0, o / s == i); }`
    : `fn weight(o: u32, s: u32, n: u32, i: u32) -> f32 {
  let src = max(0.0, (f32(o) + 0.5) / f32(s) - 0.5);
  let i0 = u32(floor(src));
  let i1 = min(i0 + 1u, n - 1u);
  let l = src - floor(src);
  return select(0.0, 1.0 - l, i0 == i) + select(0.0, l, i1 == i);
}`;
  const helpers = `// the weight with which output o (of an axis with n inputs, scale s) reads input i
${weight}`;
  const reach = u.mode === "nearest" ? [0, 1] : [1, 2]; // candidate outputs [(i − a)·s, (i + b)·s)
  const body = `
  let ix = i % IW;
  let iy = (i / IW) % IH;
  let plane = i / (IW * IH);
  let oy0 = max(i32(iy) - ${reach[0]}, 0) * i32(SH);
  let oy1 = min((iy + ${reach[1]}u) * SH, OH);
  let ox0 = max(i32(ix) - ${reach[0]}, 0) * i32(SW);
  let ox1 = min((ix + ${reach[1]}u) * SW, OW);
  var s = 0.0;
  for (var oy = u32(oy0); oy < oy1; oy++) {
    let wy = weight(oy, SH, IH, iy);
    if (wy == 0.0) { continue; }
    for (var ox = u32(ox0); ox < ox1; ox++) {
      s += wy * weight(ox, SW, IW, ix) * dy[(plane * OH + oy) * OW + ox];
    }
  }
  dx[i] = s;`;
  const dims = u32Dims({ IH: u.inH, IW: u.inW, OH: u.outH, OW: u.outW, SH: u.sh, SW: u.sw });
  return elementwise(
    `upsample ${u.mode} dX`,
    dims,
    [["dy", "read"], ["dx", "read_write"]],
    batch * u.c * u.inH * u.inW,
    body,
    helpers,
  );
}
