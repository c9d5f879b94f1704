// WGSL backward kernels of the activations. Shapes: x (layer input), y (layer
// output), dy and dx are all (N, C, spatial) flattened.
//   relu: δ·[x>0]; leakyrelu: δ·(x>0 ? 1 : α); elu: δ·(x>0 ? 1 : y+α);
//   sigmoid: δ·y(1−y); tanh: δ(1−y²); clip: δ·[α ≤ x ≤ β];
//   hardswish: δ·(x ≤ −3 ? 0 : x < 3 ? (2x+3)/6 : 1); identity: δ;
//   softmax (over C at each position): dx_k = y_k(δ_k − Σ_j δ_j y_j).
// Bindings: 0 uniforms, then [x?, y?, dy (read), dx (write)]: x is bound
// only for relu/leakyrelu/elu/clip/hardswish, y only for
// elu/sigmoid/tanh/softmax (absent ones removed). Shapes and α, β are
// uniforms (C, S = spatial; ALPHA, BETA).

import type { ActivationType, ActParams } from "../../../runtime/format/spec.ts";
import { elementwise, type Kernel, storageDecls } from "../../webgpu/training_kernel.ts";

/** Which of x / y the backward kernel of `act` reads. */
export function activationBackwardUses(act: ActivationType): { x: boolean; y: boolean } {
  return {
    x: act === "relu" || act === "leakyrelu" || act === "elu" || act === "clip" || act === "hardswish" ||
      act === "hardsigmoid",
    y: act === "elu" || act === "sigmoid" || act === "tanh" || act === "softmax",
  };
}

/** The dx kernel of `act` over (batch, c, spatial). */
export function activationBackward(l: ActParams, batch: number): Kernel {
  const { act, alpha, beta, c, spatial } = l;
  const use = activationBackwardUses(act);
  const reads = [...(use.x ? ["x"] : []), ...(use.y ? ["y"] : []), "dy"];
  const decls = storageDecls([...reads.map((n) => [n, "read"] as const), ["dx", "read_write"]]);
  const a = "ALPHA";
  if (act === "softmax") {
    return elementwise(
      "softmax dX",
      [["C", "u32", c], ["S", "u32", spatial]],
      decls,
      batch * spatial,
      `  let base = (i / S) * C * S + i % S;
  var dot = 0.0;
  for (var k = 0u; k < C; k++) { dot += dy[base + k * S] * y[base + k * S]; }
  for (var k = 0u; k < C; k++) {
    let j = base + k * S;
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
    clip: "select(0.0, dy[i], x[i] >= ALPHA && x[i] <= BETA)",
    hardswish: "dy[i] * select(select(1.0, (2.0 * x[i] + 3.0) / 6.0, x[i] < 3.0), 0.0, x[i] <= -3.0)",
    hardsigmoid: "select(0.0, ALPHA * dy[i], ALPHA * x[i] + BETA > 0.0 && ALPHA * x[i] + BETA < 1.0)",
    identity: "dy[i]",
  };
  const dims = act === "leakyrelu" || act === "elu"
    ? [["ALPHA", "f32", alpha] as const]
    : act === "clip" || act === "hardsigmoid"
    ? [["ALPHA", "f32", alpha] as const, ["BETA", "f32", beta] as const]
    : [];
  return elementwise(`${act} dX`, dims, decls, batch * c * spatial, `  dx[i] = ${expr[act]};`);
}
