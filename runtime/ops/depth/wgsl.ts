// WGSL depth↔space (twin of cpu.ts): one thread per output value copies the
// input value `src` names (geometry.ts depthSourceWgsl). Shapes: x, y
// (N, per) with per = c·b²·h·w. Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";
import { type DepthGeometry, depthSourceWgsl } from "./geometry.ts";

const LAYOUT = (["b", "c", "h", "w", "per"] as const).map((n) => [n, "u32"] as const);

/** The depth↔space source of a direction and channel order. */
export function depthWgsl(toSpace: boolean, crd: boolean): string {
  return `// ${toSpace ? `depth to space (${crd ? "CRD" : "DCR"})` : "space to depth"}
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${depthSourceWgsl(toSpace, crd)}
${PROLOGUE}
  let n = i / p.per;
  y[i] = x[n * p.per + src(i % p.per)];
}
`;
}

/** The depth↔space kernel of a layer over `batch` samples. */
export function depthKernel(g: DepthGeometry, batch: number, limits: DispatchLimits): ForwardKernel {
  const per = g.c * g.block * g.block * g.h * g.w;
  const values = { b: g.block, c: g.c, h: g.h, w: g.w, per };
  return forwardKernel("depth", depthWgsl(g.toSpace, g.crd), ["x", "y"], LAYOUT, values, batch * per, limits);
}
