// Optimizer updates of one parameter tensor, in place, elementwise; the same
// formulas as wgsl.ts. Arithmetic is float64, storage
// (p and slots) float32, so a run is bit-reproducible and its state exact.
//   sgd:   g ← grad + wd·p (L2); with momentum μ > 0: v ← μ·v + g;
//          step = nesterov ? g + μ·v : v (plain SGD: step = g); p ← p − lr·step
//   adam:  g ← grad + wd·p (L2); adamw: g ← grad and p ← p − lr·wd·p first
//          (decoupled); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
//          p ← p − lr · (m/bc1) / (sqrt(v/bc2) + eps), bc_k = 1 − β_k^t
// t is the 1-based step number. Weight decay applies to every tensor.
// Slots per tensor: sgd with momentum [v]; plain sgd []; adam/adamw [m, v].

import type { OptimizerConfig } from "../../backend.ts";
import { quote } from "../../../runtime/quote.ts";

export interface ResolvedOptimizer {
  type: "sgd" | "adam" | "adamw";
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

function num(v: unknown, what: string, def: number, lo: number, hi: number, hiOpen: boolean): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`optimizer.${what} must be a finite number, got ${quote(v)}`);
  }
  if (v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new RangeError(`optimizer.${what} must be in [${lo}, ${hi}${hiOpen ? ")" : "]"}, got ${v}`);
  }
  return v;
}

/** Validate an optimizer config and fill in defaults (adamw weight decay 0.01, others 0). */
export function resolveOptimizer(o: OptimizerConfig): ResolvedOptimizer {
  const t = (o as { type?: unknown })?.type;
  if (t !== "sgd" && t !== "adam" && t !== "adamw") {
    throw new TypeError(`optimizer.type must be "sgd", "adam" or "adamw", got ${quote(t)}`);
  }
  const a = o as Record<string, unknown>;
  if (a.nesterov !== undefined && typeof a.nesterov !== "boolean") {
    throw new TypeError(`optimizer.nesterov must be boolean, got ${quote(a.nesterov)}`);
  }
  return {
    type: t,
    momentum: num(a.momentum, "momentum", 0, 0, 1, true),
    nesterov: a.nesterov === true,
    beta1: num(a.beta1, "beta1", 0.9, 0, 1, true),
    beta2: num(a.beta2, "beta2", 0.999, 0, 1, true),
    eps: num(a.eps, "eps", 1e-8, Number.MIN_VALUE, Infinity, false),
    weightDecay: num(a.weightDecay, "weightDecay", t === "adamw" ? 0.01 : 0, 0, Infinity, false),
  };
}

/** Number of optimizer slots per parameter tensor. */
export function slotCount(o: ResolvedOptimizer): number {
  if (o.type === "sgd") return o.momentum > 0 ? 1 : 0;
  return 2;
}

/** One update of tensor p with gradient g; t is the 1-based step number. */
export function optimizerUpdate(
  o: ResolvedOptimizer,
  p: Float32Array,
  g: Float64Array,
  slots: Float32Array[],
  lr: number,
  t: number,
): void {
  const wd = o.weightDecay;
  const n = p.length;
  if (o.type === "sgd") {
    const mu = o.momentum;
    if (mu > 0) {
      const v = slots[0];
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * p[i];
        const vi = Math.fround(mu * v[i] + gi);
        v[i] = vi;
        p[i] = p[i] - lr * (o.nesterov ? gi + mu * vi : vi);
      }
    } else {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * (g[i] + wd * p[i]);
    }
    return;
  }
  const b1 = o.beta1, b2 = o.beta2, eps = o.eps;
  const bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
  const m = slots[0], v = slots[1];
  const decoupled = o.type === "adamw";
  for (let i = 0; i < n; i++) {
    let pv = p[i];
    let gi = g[i];
    if (decoupled) pv = pv - lr * wd * pv;
    else gi += wd * pv;
    const mi = Math.fround(b1 * m[i] + (1 - b1) * gi);
    const vi = Math.fround(b2 * v[i] + (1 - b2) * gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] = pv - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
  }
}
