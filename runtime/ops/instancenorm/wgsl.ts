// WGSL instance normalisation (twin of cpu.ts): one thread per (n, c) plane
// takes its mean and variance over the `spatial` positions, then writes the
// plane. Shapes: x, y (N, C, spatial); w = scale, b = bias (C).
// Bindings: 0 uniforms, 1 x, 2 w, 3 b (read), 4 y (read_write).

import type { LayerOf } from "../op_entry.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, paramRoles, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = [["c", "u32"], ["spatial", "u32"], ["eps", "f32"]] as const;

/** The instance-norm source. */
export function instanceNormWgsl(): string {
  return `// instance normalisation, one thread per (n, c) plane
${uniformDecl(LAYOUT)}
${roleDecls(paramRoles(true))}
${PROLOGUE}
  let at = i * p.spatial;
  let ch = i % p.c;
  var s = 0.0;
  for (var j = 0u; j < p.spatial; j++) { s += x[at + j]; }
  let mean = s / f32(p.spatial);
  var v = 0.0;
  for (var j = 0u; j < p.spatial; j++) { let d = x[at + j] - mean; v += d * d; }
  let k = w[ch] / sqrt(v / f32(p.spatial) + p.eps);
  for (var j = 0u; j < p.spatial; j++) { y[at + j] = k * (x[at + j] - mean) + b[ch]; }
}
`;
}

/** The instance-norm kernel of a layer over `batch` samples. */
export function instanceNormKernel(
  l: LayerOf<"instancenorm">,
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  const values = { c: l.c, spatial: l.spatial, eps: l.eps };
  return forwardKernel(
    "instancenorm",
    instanceNormWgsl(),
    paramRoles(true),
    LAYOUT,
    values,
    batch * l.c,
    limits,
  );
}
