// WGSL channel slice (twin of cpu.ts): one thread per output value copies
// from channel start + k of its sample. Shapes: x (N, C, S), y (N, count, S).
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = (["start", "count", "c", "spatial"] as const).map((n) => [n, "u32"] as const);

/** The channel slice source. */
export function channelSliceWgsl(): string {
  return `// channel slice
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let per = p.count * p.spatial;
  let n = i / per;
  y[i] = x[n * p.c * p.spatial + p.start * p.spatial + i % per];
}
`;
}

/** The channel slice kernel of a layer over `batch` samples. */
export function channelSliceKernel(
  l: { start: number; count: number; c: number; spatial: number },
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  const values = { start: l.start, count: l.count, c: l.c, spatial: l.spatial };
  return forwardKernel(
    "channel slice",
    channelSliceWgsl(),
    ["x", "y"],
    LAYOUT,
    values,
    batch * l.count * l.spatial,
    limits,
  );
}
