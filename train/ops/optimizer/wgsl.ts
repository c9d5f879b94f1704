// WGSL optimizer update of one parameter tensor, in place, elementwise.
// The learning rate and Adam bias corrections arrive per step through the
// step uniform (STEP_UNIFORM in ../dropout/wgsl.ts); hyper-parameters are baked.
//   sgd:   g ← grad + wd·p; with momentum μ: v ← μ·v + g; step = nesterov ?
//          g + μ·v : v (plain SGD: step = g); p ← p − lr·step
//   adam:  g ← grad + wd·p (L2); adamw: g ← grad and p ← p − lr·wd·p first
//          (decoupled); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
//          p ← p − lr · (m/bc1) / (sqrt(v/bc2) + eps), bc_k = 1 − β_k^t
// Bindings: 0 u (uniform), 1 grad (read), 2 p, then slots: sgd with momentum
// 3 v; adam/adamw 3 m, 4 v (slotCount of cpu.ts). Defaults
// and validation come from resolveOptimizer, so both backends agree.

import type { ResolvedOptimizer } from "./cpu.ts";
import { STEP_UNIFORM } from "../dropout/wgsl.ts";
import { slotCount } from "./cpu.ts";
import { elementwise, f32, type Kernel } from "../../webgpu/wgsl_util.ts";

/** The update kernel of a tensor of `count` values (o from resolveOptimizer, cpu.ts). */
export function optimizerKernel(o: ResolvedOptimizer, count: number): Kernel {
  const wd = o.weightDecay;
  const slots = slotCount(o);
  const decls = `${STEP_UNIFORM}
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
${slots >= 1 ? "@group(0) @binding(3) var<storage, read_write> s1: array<f32>;" : ""}
${slots >= 2 ? "@group(0) @binding(4) var<storage, read_write> s2: array<f32>;" : ""}`;
  let body: string;
  if (o.type === "sgd") {
    const mu = o.momentum;
    const g = `  let g = grad[i] + ${f32(wd)} * p[i];`;
    if (mu > 0) {
      const stepExpr = o.nesterov ? `g + ${f32(mu)} * v` : "v";
      body = `${g}
  let v = ${f32(mu)} * s1[i] + g;
  s1[i] = v;
  p[i] = p[i] - u.lr * (${stepExpr});`;
    } else {
      body = `${g}
  p[i] = p[i] - u.lr * g;`;
    }
  } else {
    const b1 = o.beta1, b2 = o.beta2, eps = o.eps;
    const decoupled = o.type === "adamw";
    body = `  var pv = p[i];
  ${
      decoupled
        ? `pv = pv - u.lr * ${f32(wd)} * pv;\n  let g = grad[i];`
        : `let g = grad[i] + ${f32(wd)} * pv;`
    }
  let m = ${f32(b1)} * s1[i] + ${f32(1 - b1)} * g;
  let v = ${f32(b2)} * s2[i] + ${f32(1 - b2)} * g * g;
  s1[i] = m;
  s2[i] = v;
  p[i] = pv - u.lr * (m / u.bc1) / (sqrt(v / u.bc2) + ${f32(eps)});`;
  }
  return elementwise(`${o.type} update`, decls, count, body);
}
