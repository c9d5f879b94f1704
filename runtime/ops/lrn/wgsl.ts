// WGSL local response normalisation across channels (twin of cpu.ts): one
// thread per value sums x² over its channel window and scales x by
// (bias + alpha/size · sum)^(−beta). Shapes: x, y (N, C, spatial).
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { LayerOf } from "../op_entry.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";
import { lrnWindow } from "./cpu.ts";

const LAYOUT = [
  ["c", "u32"],
  ["spatial", "u32"],
  ["before", "u32"],
  ["after", "u32"],
  ["k", "f32"],
  ["beta", "f32"],
  ["bias", "f32"],
] as const;

/** The LRN forward source. */
export function lrnWgsl(): string {
  return `// lrn across channels
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let pos = i % p.spatial;
  let ch = (i / p.spatial) % p.c;
  let base = (i / (p.spatial * p.c)) * p.c * p.spatial + pos;
  var sum = 0.0;
  for (var j = u32(max(0, i32(ch) - i32(p.before))); j <= min(p.c - 1u, ch + p.after); j++) {
    let v = x[base + j * p.spatial];
    sum += v * v;
  }
  y[i] = x[i] * pow(p.bias + p.k * sum, -p.beta);
}
`;
}

/** The LRN kernel of a layer over `batch` samples. */
export function lrnKernel(l: LayerOf<"lrn">, batch: number, limits: DispatchLimits): ForwardKernel {
  const [before, after] = lrnWindow(l.size);
  const values = {
    c: l.c,
    spatial: l.spatial,
    before,
    after,
    k: l.alpha / l.size,
    beta: l.beta,
    bias: l.bias,
  };
  return forwardKernel("lrn", lrnWgsl(), ["x", "y"], LAYOUT, values, batch * l.c * l.spatial, limits);
}
