// WGSL backward kernels of the activations. Shapes: x (layer input), y (layer
// output), dy and dx are all (N, C, spatial) flattened.
//   relu: δ·[x>0]; leakyrelu: δ·(x>0 ? 1 : α); elu: δ·(x>0 ? 1 : y+α);
//   sigmoid: δ·y(1−y); tanh: δ(1−y²);
//   softmax (over C at each position): dx_k = y_k(δ_k − Σ_j δ_j y_j).
// Bindings: 0 x (read), 1 y (read), 2 dy (read), 3 dx (write); x is bound
// only for relu/leakyrelu/elu, y only for elu/sigmoid/tanh/softmax, so the
// bindings are renumbered: [x?, y?, dy, dx] with absent ones removed.

import type { ActivationType } from "../../../runtime/spec.ts";
import { elementwise, f32, type Kernel } from "../../webgpu/wgsl_util.ts";

/** Which of x / y the backward kernel of `act` reads. */
export function activationBackwardUses(act: ActivationType): { x: boolean; y: boolean } {
  return {
    x: act === "relu" || act === "leakyrelu" || act === "elu",
    y: act === "elu" || act === "sigmoid" || act === "tanh" || act === "softmax",
  };
}

export function activationBackward(
  act: ActivationType,
  alpha: number,
  c: number,
  spatial: number,
  batch: number,
): Kernel {
  const use = activationBackwardUses(act);
  const names = [...(use.x ? ["x"] : []), ...(use.y ? ["y"] : []), "dy"];
  const decls = names.map((n, k) => `@group(0) @binding(${k}) var<storage, read> ${n}: array<f32>;`)
    .join("\n") + `\n@group(0) @binding(${names.length}) var<storage, read_write> dx: array<f32>;`;
  const a = f32(alpha);
  if (act === "softmax") {
    return elementwise(
      "softmax dX",
      decls,
      batch * spatial,
      `  let base = (i / ${spatial}u) * ${c * spatial}u + i % ${spatial}u;
  var dot = 0.0;
  for (var k = 0u; k < ${c}u; k++) { dot += dy[base + k * ${spatial}u] * y[base + k * ${spatial}u]; }
  for (var k = 0u; k < ${c}u; k++) {
    let j = base + k * ${spatial}u;
    dx[j] = y[j] * (dy[j] - dot);
  }`,
    );
  }
  const expr: Record<Exclude<ActivationType, "softmax">, string> = {
    relu: "select(0.0, dy[i], x[i] > 0.0)",
    leakyrelu: `select(${a} * dy[i], dy[i], x[i] > 0.0)`,
    elu: `select(dy[i] * (y[i] + ${a}), dy[i], x[i] > 0.0)`,
    sigmoid: "dy[i] * y[i] * (1.0 - y[i])",
    tanh: "dy[i] * (1.0 - y[i] * y[i])",
  };
  return elementwise(`${act} dX`, decls, batch * c * spatial, `  dx[i] = ${expr[act]};`);
}
