// WGSL pad forward: one thread per output cell reads the input cell that
// `src` (geometry.ts, padSourceWgsl) names along each axis, or the constant.
// Shapes: x (N, C, ih, iw), y (N, C, oh, ow); 1-D has ih = oh = 1.
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { PadMode } from "../../format/spec.ts";
import type { LayerOf } from "../op_entry.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";
import { padSourceWgsl } from "./geometry.ts";

const LAYOUT = [
  ...(["ih", "iw", "oh", "ow", "pt", "pl"] as const).map((n) => [n, "u32"] as const),
  ["fill", "f32"],
] as const;

/** The pad forward source of `mode`. */
export function padWgsl(mode: PadMode): string {
  return `// pad ${mode}
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${padSourceWgsl(mode)}
${PROLOGUE}
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let plane = i / (p.ow * p.oh);
  let sy = src(oy, p.pt, p.ih);
  let sx = src(ox, p.pl, p.iw);
  if (sy < 0 || sx < 0) {
    y[i] = p.fill;
  } else {
    y[i] = x[plane * p.ih * p.iw + u32(sy) * p.iw + u32(sx)];
  }
}
`;
}

/** The pad kernel of a layer over `batch` samples. */
export function padKernel(l: LayerOf<"pad">, batch: number, limits: DispatchLimits): ForwardKernel {
  const values = { ih: l.inH, iw: l.inW, oh: l.outH, ow: l.outW, pt: l.pt, pl: l.pl, fill: l.value };
  const threads = batch * l.c * l.outH * l.outW;
  return forwardKernel(`pad ${l.mode}`, padWgsl(l.mode), ["x", "y"], LAYOUT, values, threads, limits);
}
