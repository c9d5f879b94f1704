// WGSL backward kernels of the activations. Shapes: x (layer input), y (layer
// output), dy and dx are all (N, C, spatial) flattened.
// An elementwise activation's dx expression is its `wgslGrad` in the
// activation table (runtime/ops/activation/table.ts), beside its forward;
// softmax (over C at each position) is written here: dx_k = y_k(δ_k − Σ_j δ_j y_j),
// and logsoftmax: dx_k = δ_k − exp(y_k) Σ_j δ_j.
// Bindings: 0 uniforms, then [x?, y?, dy (read), dx (write)]: x and y are
// bound only where the entry's `reads` says the derivative needs them
// (softmax: y). Shapes and α, β are uniforms (C, S = spatial; p.alpha, p.beta).

import type { ActivationType, ActParams } from "../../../runtime/format/spec.ts";
import { activationEntry, isColumnAct } from "../../../runtime/ops/activation/table.ts";
import { type Binding, elementwise, type Kernel } from "../../webgpu/training_kernel.ts";

/** Which of x / y the backward kernel of `act` reads. */
export function activationBackwardUses(act: ActivationType): { x: boolean; y: boolean } {
  return isColumnAct(act) ? { x: false, y: true } : { ...activationEntry(act).reads };
}

/** The dx kernel of `act` over (batch, c, spatial). */
export function activationBackward(l: ActParams, batch: number): Kernel {
  const { act, alpha, beta, c, spatial } = l;
  if (isColumnAct(act)) batch *= l.outer; // the blocks before the axis, as more samples
  const use = activationBackwardUses(act);
  const reads = [...(use.x ? ["x"] : []), ...(use.y ? ["y"] : []), "dy"];
  const decls: Binding[] = [...reads.map((n) => [n, "read"] as const), ["dx", "read_write"]];
  if (act === "logsoftmax" || act === "softmax") {
    // per column: logsoftmax dx = dy − softmax·Σ dy (y is log-probabilities); softmax dx = y·(dy − Σ dy·y)
    const log = act === "logsoftmax", v = log ? "sum" : "dot";
    return elementwise(
      `${act} dX`,
      [["C", "u32", c], ["S", "u32", spatial]],
      decls,
      batch * spatial,
      `  let base = (i / S) * C * S + i % S;
  var ${v} = 0.0;
  for (var k = 0u; k < C; k++) { ${v} += ${log ? "dy[base + k * S]" : "dy[base + k * S] * y[base + k * S]"}; }
  for (var k = 0u; k < C; k++) {
    let j = base + k * S;
    dx[j] = ${log ? "dy[j] - exp(y[j]) * sum" : "y[j] * (dy[j] - dot)"};
  }`,
    );
  }
  const dims = [["alpha", "f32", alpha], ["beta", "f32", beta]] as const;
  const e = activationEntry(act);
  return elementwise(
    `${act} dX`,
    dims,
    decls,
    batch * c * spatial,
    `  dx[i] = ${e.wgslGrad};`,
    e.wgslHelpers,
  );
}
