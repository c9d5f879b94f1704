// WGSL channel shuffle (twin of cpu.ts shuffleSource): one thread per output
// value copies from channel (o mod g)·(C/g) + ⌊o / g⌋ of its sample.
// Shapes: x, y (N, C, spatial). Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { LayerOf } from "../op_entry.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = [["c", "u32"], ["spatial", "u32"], ["groups", "u32"]] as const;

/** The channel shuffle source. */
export function shuffleWgsl(): string {
  return `// channel shuffle
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let pos = i % p.spatial;
  let o = (i / p.spatial) % p.c;
  let n = i / (p.spatial * p.c);
  let src = (o % p.groups) * (p.c / p.groups) + o / p.groups;
  y[i] = x[(n * p.c + src) * p.spatial + pos];
}
`;
}

/** The shuffle kernel of a layer over `batch` samples. */
export function shuffleKernel(l: LayerOf<"shuffle">, batch: number, limits: DispatchLimits): ForwardKernel {
  const values = { c: l.c, spatial: l.spatial, groups: l.groups };
  return forwardKernel("shuffle", shuffleWgsl(), ["x", "y"], LAYOUT, values, batch * l.c * l.spatial, limits);
}
