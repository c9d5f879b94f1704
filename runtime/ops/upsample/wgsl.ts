// WGSL forward of upsample1d / upsample2d (integer scales; the rule of
// runtime/format/spec.ts `Upsample`, the same as the CPU twin cpu.ts): one thread per
// output cell computes its two source taps per axis and their weights.
// Shapes: x is (N, C, inH, inW), y is (N, C, outH, outW); 1-D has inH = 1.
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { Upsample } from "../../format/spec.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = (["ih", "iw", "oh", "ow", "sh", "sw"] as const).map((n) => [n, "u32"] as const);

/** Upsample forward source for a mode ("nearest" or "linear": bilinear in 2-D). */
export function upsampleWgsl(mode: Upsample["mode"]): string {
  const taps = mode === "nearest"
    ? `fn taps(o: u32, s: u32, n: u32) -> vec3<f32> { let i = f32(o / s); return vec3<f32>(i, i, 0.0); }`
    : `fn taps(o: u32, s: u32, n: u32) -> vec3<f32> {
  let src = max(0.0, (f32(o) + 0.5) / f32(s) - 0.5);
  let i0 = min(floor(src), f32(n - 1u));
  return vec3<f32>(i0, min(i0 + 1.0, f32(n - 1u)), src - floor(src));
}`;
  return `// upsample ${mode}
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
// source taps of output o along an axis of n inputs: (i0, i1, weight of i1)
${taps}
${PROLOGUE}
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let base = (i / (p.ow * p.oh)) * p.ih * p.iw;
  let r = taps(oy, p.sh, p.ih);
  let c = taps(ox, p.sw, p.iw);
  let r0 = base + u32(r.x) * p.iw;
  let r1 = base + u32(r.y) * p.iw;
  let top = (1.0 - c.z) * x[r0 + u32(c.x)] + c.z * x[r0 + u32(c.y)];
  let bottom = (1.0 - c.z) * x[r1 + u32(c.x)] + c.z * x[r1 + u32(c.y)];
  y[i] = (1.0 - r.z) * top + r.z * bottom;
}
`;
}

/** The upsample forward kernel of a layer over `batch` samples. */
export function upsampleKernel(u: Upsample, batch: number, limits: DispatchLimits): ForwardKernel {
  const values = { ih: u.inH, iw: u.inW, oh: u.outH, ow: u.outW, sh: u.sh, sw: u.sw };
  const threads = batch * u.c * u.outH * u.outW;
  return forwardKernel(
    `upsample ${u.mode}`,
    upsampleWgsl(u.mode),
    ["x", "y"],
    LAYOUT,
    values,
    threads,
    limits,
  );
}
