// WGSL optimizer update of one parameter tensor, in place, elementwise.
// The learning rate and Adam bias corrections arrive per step through the
// step uniform (STEP_STRUCT, STEP_BINDING in ../dropout/wgsl.ts); hyper-parameters are baked.
//   sgd:   g ← grad + wd·p; with momentum μ: v ← μ·v + g; step = nesterov ?
//          g + μ·v : v (plain SGD: step = g); p ← p − lr·step
//   adam:  g ← grad + wd·p (L2); adamw: g ← grad and p ← p − lr·wd·p first
//          (decoupled); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
//          p ← p − lr · (m/bc1) / (sqrt(v/bc2) + eps), bc_k = 1 − β_k^t
// Bindings: 0 uniforms (none but the count), 1 u (step uniform), 2 grad
// (read), 3 w (the parameter), then slots: sgd with momentum 4 v; adam/adamw
// 4 m, 5 v (slotCount of cpu.ts). Defaults
// and validation come from resolveOptimizer, so both backends agree.

import type { ResolvedOptimizer } from "./cpu.ts";
import { STEP_BINDING, STEP_STRUCT } from "../dropout/wgsl.ts";
import { slotCount } from "./cpu.ts";
import { type Binding, elementwise, f32, type Kernel } from "../../webgpu/training_kernel.ts";

/** The update kernel of a tensor of `count` values (o from resolveOptimizer, cpu.ts). */
export function optimizerKernel(o: ResolvedOptimizer, count: number): Kernel {
  const wd = o.weightDecay;
  const slots = slotCount(o);
  const tensors: Binding[] = [["grad", "read"], ["w", "read_write"], ["s1", "read_write"], [
    "s2",
    "read_write",
  ]];
  const bindings = [STEP_BINDING, ...tensors.slice(0, 2 + slots)];
  let body: string;
  if (o.type === "sgd") {
    const mu = o.momentum;
    const g = `  let g = grad[i] + ${f32(wd)} * w[i];`;
    if (mu > 0) {
      const stepExpr = o.nesterov ? `g + ${f32(mu)} * v` : "v";
      body = `${g}
  let v = ${f32(mu)} * s1[i] + g;
  s1[i] = v;
  w[i] = w[i] - u.lr * (${stepExpr});`;
    } else {
      body = `${g}
  w[i] = w[i] - u.lr * g;`;
    }
  } else {
    const b1 = o.beta1, b2 = o.beta2, eps = o.eps;
    const decoupled = o.type === "adamw";
    body = `  var pv = w[i];
  ${
      decoupled
        ? `pv = pv - u.lr * ${f32(wd)} * pv;\n  let g = grad[i];`
        : `let g = grad[i] + ${f32(wd)} * pv;`
    }
  let m = ${f32(b1)} * s1[i] + ${f32(1 - b1)} * g;
  let v = ${f32(b2)} * s2[i] + ${f32(1 - b2)} * g * g;
  s1[i] = m;
  s2[i] = v;
  w[i] = pv - u.lr * (m / u.bc1) / (sqrt(v / u.bc2) + ${f32(eps)});`;
  }
  return elementwise(`${o.type} update`, [], bindings, count, body, STEP_STRUCT);
}
