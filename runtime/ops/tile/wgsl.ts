// WGSL tile (twin of cpu.ts tileSource): one thread per output value copies
// input (a mod I0, b mod I1, c mod I2) of its sample. Shapes: x (N, I0, I1, I2),
// y (N, I0·R0, I1·R1, I2·R2). Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { LayerOf } from "../op_entry.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = (["i0", "i1", "i2", "o0", "o1", "o2"] as const).map((n) => [n, "u32"] as const);

/** The tile source. */
export function tileWgsl(): string {
  return `// tile
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let per = p.o0 * p.o1 * p.o2;
  let r = i % per;
  let c = r % p.o2;
  let b = (r / p.o2) % p.o1;
  let a = r / (p.o2 * p.o1);
  y[i] = x[(i / per) * p.i0 * p.i1 * p.i2 + ((a % p.i0) * p.i1 + b % p.i1) * p.i2 + c % p.i2];
}
`;
}

/** The tile kernel of a layer over `batch` samples. */
export function tileKernel(l: LayerOf<"tile">, batch: number, limits: DispatchLimits): ForwardKernel {
  const [i0, i1, i2] = l.dims, [o0, o1, o2] = l.dims.map((d, k) => d * l.reps[k]);
  const values = { i0, i1, i2, o0, o1, o2 };
  return forwardKernel("tile", tileWgsl(), ["x", "y"], LAYOUT, values, batch * o0 * o1 * o2, limits);
}
