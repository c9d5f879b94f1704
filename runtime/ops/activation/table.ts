// The elementwise activations, each described once: its formula in float64
// (which the CPU kernel and the float64 reference both evaluate), its
// derivative beside it, the same two in WGSL (the forward also serves as the
// fused epilogue of conv, dense and joins), how a spec's parameters become
// its α and β, and its ONNX operator. Softmax, which is not elementwise, is
// written in cpu.ts / wgsl.ts / the reference. Adding an activation is adding
// an entry here (docs/ARCHITECTURE.md, "Adding an activation").
// Invariants: f and the WGSL forward never overflow exp for finite input
// (only non-positive numbers are exponentiated; exp itself overflows to +∞
// above ~88.7 in f32, as ONNX's Exp does); α and β are finite f32;
// df(x, y) is the derivative at x where y = f(x) (PyTorch's choice at kinks:
// relu′(0) = 0, clip′ = 1 on the closed interval).

import { quote } from "../../quote.ts";
import { erf64, erfWgsl } from "./erf.ts";

/** 1/√2 and 1/√(2π), for gelu. */
const SQRT1_2 = Math.SQRT1_2, INV_SQRT_2PI = 0.3989422804014327;

/** How one spec parameter becomes α or β: its key in the layer spec and its default. */
export interface ActParam {
  key: string;
  default: number;
}

/** One elementwise activation y = f(x; α, β). */
export interface Activation {
  /**
   * y[i] = f(x[i]; α, β) for i < n, computed in float64: the CPU kernel (y a Float32Array: each value rounded
   * once) and the reference (Float64Arrays) both run it. Each entry writes its own loop so that every
   * activation's call site stays monomorphic (one shared loop calling f per element was 2–10× slower once
   * several activations had run); y may be x.
   */
  map: (x: ArrayLike<number>, y: Float32Array | Float64Array, n: number, a: number, b: number) => void;
  /** dy/dx at x, given y = f(x) */
  df: (x: number, y: number, a: number, b: number) => number;
  /** which of the layer's input x and output y the derivative reads (the WGSL backward binds only those) */
  reads: { x: boolean; y: boolean };
  /** WGSL body of `fn act(v: f32) -> f32`; α and β are the uniform fields `p.alpha`, `p.beta` */
  wgsl: string;
  /** WGSL expression of dx[i] in dy[i], x[i], y[i] and the uniform fields `p.alpha`, `p.beta` */
  wgslGrad: string;
  /** WGSL functions that `wgslGrad` calls (module scope, placed before the backward kernel's entry point) */
  wgslHelpers?: string;
  /** the spec parameters of α and β (absent: 0) */
  alpha?: ActParam;
  beta?: ActParam;
  /**
   * the ONNX operator, its attribute names for α and β, and the opset that introduced it when later than 14
   * (absent: no one-node ONNX form, see the converter)
   */
  onnx?: { op: string; alpha?: string; beta?: string; since?: number };
}

/** The largest finite f32: unbounded clip sides clip here, which keeps the bounds finite on every backend. */
export const FLT_MAX = 3.4028234663852886e38;

/** The name of an elementwise activation: one entry of ACTIVATIONS each. */
export type ElementwiseAct =
  | "relu"
  | "leakyrelu"
  | "thresholdedrelu"
  | "elu"
  | "sigmoid"
  | "tanh"
  | "clip"
  | "hardswish"
  | "hardsigmoid"
  | "softplus"
  | "softsign"
  | "selu"
  | "celu"
  | "gelu"
  | "erf"
  | "mish"
  | "exp"
  | "neg"
  | "abs"
  | "reciprocal"
  | "sqrt"
  | "log"
  | "affine"
  | "identity";

/** The activations over the channel axis at each position (not elementwise): softmax and its log. */
export type ColumnAct = "softmax" | "logsoftmax";

/**
 * Whether `act` normalises over the channel axis (softmax, logsoftmax) rather than acting on each value alone.
 *
 * @example
 * ```ts
 * import { isColumnAct } from "./table.ts";
 * if (!isColumnAct("logsoftmax") || isColumnAct("relu")) throw new Error();
 * ```
 */
export function isColumnAct(act: string): act is ColumnAct {
  return act === "softmax" || act === "logsoftmax";
}

/** Every elementwise activation of the format, by its resolved name. */
export const ACTIVATIONS: Readonly<Record<ElementwiseAct, Activation>> = {
  relu: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : 0;
      }
    },
    df: (x) => x > 0 ? 1 : 0,
    reads: { x: true, y: false },
    wgsl: "return max(v, 0.0);",
    wgslGrad: "select(0.0, dy[i], x[i] > 0.0)",
    onnx: { op: "Relu" },
  },
  leakyrelu: {
    map: (x, y, n, a) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : a * v;
      }
    },
    df: (x, _y, a) => x > 0 ? 1 : a,
    reads: { x: true, y: false },
    wgsl: "return select(p.alpha * v, v, v > 0.0);",
    wgslGrad: "select(p.alpha * dy[i], dy[i], x[i] > 0.0)",
    alpha: { key: "alpha", default: 0.01 },
    onnx: { op: "LeakyRelu", alpha: "alpha" },
  },
  thresholdedrelu: {
    map: (x, y, n, a) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > a ? v : 0;
      }
    },
    df: (x, _y, a) => x > a ? 1 : 0,
    reads: { x: true, y: false },
    wgsl: "return select(0.0, v, v > p.alpha);",
    wgslGrad: "select(0.0, dy[i], x[i] > p.alpha)",
    alpha: { key: "alpha", default: 1 },
    onnx: { op: "ThresholdedRelu", alpha: "alpha" },
  },
  elu: {
    map: (x, y, n, a) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : a * Math.expm1(v);
      }
    },
    df: (x, y, a) => x > 0 ? 1 : y + a,
    reads: { x: true, y: true },
    wgsl: "return select(p.alpha * (exp(min(v, 0.0)) - 1.0), v, v > 0.0);",
    wgslGrad: "select(dy[i] * (y[i] + p.alpha), dy[i], x[i] > 0.0)",
    alpha: { key: "alpha", default: 1 },
    onnx: { op: "Elu", alpha: "alpha" },
  },
  sigmoid: {
    // two forms so exp never overflows
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const e = Math.exp(-Math.abs(v));
        y[i] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      }
    },
    df: (_x, y) => y * (1 - y),
    reads: { x: false, y: true },
    wgsl: "let e = exp(-abs(v)); return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);",
    wgslGrad: "dy[i] * y[i] * (1.0 - y[i])",
    onnx: { op: "Sigmoid" },
  },
  tanh: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
    },
    df: (_x, y) => 1 - y * y,
    reads: { x: false, y: true },
    wgsl: "let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e);",
    wgslGrad: "dy[i] * (1.0 - y[i] * y[i])",
    onnx: { op: "Tanh" },
  },
  // clip(α = min, β = max); the spec's relu6 is clip(0, 6). ONNX Clip takes its bounds as inputs (opset ≥ 11)
  clip: {
    map: (x, y, n, a, b) => {
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], a), b);
    },
    df: (x, _y, a, b) => x >= a && x <= b ? 1 : 0,
    reads: { x: true, y: false },
    wgsl: "return min(max(v, p.alpha), p.beta);",
    wgslGrad: "select(0.0, dy[i], x[i] >= p.alpha && x[i] <= p.beta)",
    alpha: { key: "min", default: -FLT_MAX },
    beta: { key: "max", default: FLT_MAX },
  },
  // x·clip(x + 3, 0, 6)/6; its derivative is PyTorch's: 0 for x ≤ −3, (2x + 3)/6 for x < 3, else 1
  hardswish: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v * Math.min(Math.max(v + 3, 0), 6) / 6;
      }
    },
    df: (x) => x <= -3 ? 0 : x < 3 ? (2 * x + 3) / 6 : 1,
    reads: { x: true, y: false },
    wgsl: "return v * min(max(v + 3.0, 0.0), 6.0) / 6.0;",
    wgslGrad: "dy[i] * select(select(1.0, (2.0 * x[i] + 3.0) / 6.0, x[i] < 3.0), 0.0, x[i] <= -3.0)",
    onnx: { op: "HardSwish" },
  },
  // max(0, min(1, αx + β)); defaults 0.2, 0.5 (ONNX HardSigmoid; PyTorch's Hardsigmoid is α = 1/6)
  hardsigmoid: {
    map: (x, y, n, a, b) => {
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(a * x[i] + b, 0), 1);
    },
    df: (x, _y, a, b) => a * x + b > 0 && a * x + b < 1 ? a : 0,
    reads: { x: true, y: false },
    wgsl: "return min(max(p.alpha * v + p.beta, 0.0), 1.0);",
    wgslGrad: "select(0.0, p.alpha * dy[i], p.alpha * x[i] + p.beta > 0.0 && p.alpha * x[i] + p.beta < 1.0)",
    alpha: { key: "alpha", default: 0.2 },
    beta: { key: "beta", default: 0.5 },
    onnx: { op: "HardSigmoid", alpha: "alpha", beta: "beta" },
  },
  // log(1 + eˣ), written max(x, 0) + log1p(e^−|x|) so exp never overflows; its derivative is sigmoid(x)
  softplus: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
    },
    df: (x) => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
    reads: { x: true, y: false },
    wgsl: "return max(v, 0.0) + log(1.0 + exp(-abs(v)));",
    wgslGrad: "dy[i] * select(exp(x[i]) / (1.0 + exp(x[i])), 1.0 / (1.0 + exp(-x[i])), x[i] >= 0.0)",
    onnx: { op: "Softplus" },
  },
  // x / (1 + |x|)
  softsign: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v / (1 + Math.abs(v));
      }
    },
    df: (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
    reads: { x: true, y: false },
    wgsl: "return v / (1.0 + abs(v));",
    wgslGrad: "dy[i] / ((1.0 + abs(x[i])) * (1.0 + abs(x[i])))",
    onnx: { op: "Softsign" },
  },
  // γ·(x > 0 ? x : α(eˣ − 1)), α and γ (β here) the self-normalising constants by default
  selu: {
    map: (x, y, n, a, b) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = b * (v > 0 ? v : a * Math.expm1(v));
      }
    },
    df: (x, y, a, b) => x > 0 ? b : y + a * b,
    reads: { x: true, y: true },
    wgsl: "return p.beta * select(p.alpha * (exp(min(v, 0.0)) - 1.0), v, v > 0.0);",
    wgslGrad: "select(dy[i] * (y[i] + p.alpha * p.beta), dy[i] * p.beta, x[i] > 0.0)",
    alpha: { key: "alpha", default: 1.67326319217681884765625 },
    beta: { key: "gamma", default: 1.05070102214813232421875 },
    onnx: { op: "Selu", alpha: "alpha", beta: "gamma" },
  },
  // max(0, x) + min(0, α(e^(x/α) − 1)); α ≠ 0 (the resolver checks); for x ≤ 0, y′ = e^(x/α) = y/α + 1
  celu: {
    map: (x, y, n, a) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : a * Math.expm1(v / a);
      }
    },
    df: (x, y, a) => x > 0 ? 1 : y / a + 1,
    reads: { x: true, y: true },
    wgsl: "return select(p.alpha * (exp(min(v / p.alpha, 0.0)) - 1.0), v, v > 0.0);",
    wgslGrad: "select(dy[i] * (y[i] / p.alpha + 1.0), dy[i], x[i] > 0.0)",
    alpha: { key: "alpha", default: 1 },
    onnx: { op: "Celu", alpha: "alpha" },
  },
  // x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form (ONNX Gelu, approximate "none"); y′ = Φ(x) + x·φ(x),
  // and Φ(x) = y/x away from 0, which the WGSL backward uses so that it needs no erf
  gelu: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = 0.5 * v * (1 + erf64(v * SQRT1_2));
      }
    },
    df: (x) => 0.5 * (1 + erf64(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
    reads: { x: true, y: true },
    wgsl: `${erfWgsl("e", `v * ${SQRT1_2}`)}
  return 0.5 * v * (1.0 + e);`,
    wgslGrad:
      `dy[i] * (select(0.5, y[i] / x[i], abs(x[i]) > 1e-3) + x[i] * ${INV_SQRT_2PI} * exp(-0.5 * x[i] * x[i]))`,
    onnx: { op: "Gelu", since: 20 },
  },
  // erf(x) (erf.ts); y′ = 2/√π·e^(−x²)
  erf: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = erf64(x[i]);
    },
    df: (x) => 1.1283791670955126 * Math.exp(-x * x),
    reads: { x: true, y: false },
    wgsl: `${erfWgsl("e", "v")}
  return e;`,
    wgslGrad: "dy[i] * 1.1283791670955126 * exp(-x[i] * x[i])",
    onnx: { op: "Erf" },
  },
  // x·tanh(softplus(x)); softplus ≥ 0, so tanh is written e^(−2s) with no overflow;
  // y′ = tanh(s) + x·(1 − tanh²(s))·sigmoid(x)
  mish: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v * Math.tanh(Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
      }
    },
    df: (x) => {
      const t = Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
      const e = Math.exp(-Math.abs(x));
      return t + x * (1 - t * t) * (x >= 0 ? 1 / (1 + e) : e / (1 + e));
    },
    reads: { x: true, y: false },
    wgsl: "let e = exp(-2.0 * (max(v, 0.0) + log(1.0 + exp(-abs(v))))); return v * (1.0 - e) / (1.0 + e);",
    wgslGrad: `dy[i] * mishGrad(x[i])`,
    wgslHelpers: `fn mishGrad(v: f32) -> f32 {
  let e = exp(-2.0 * (max(v, 0.0) + log(1.0 + exp(-abs(v)))));
  let t = (1.0 - e) / (1.0 + e);
  let q = exp(-abs(v));
  return t + v * (1.0 - t * t) * select(q / (1.0 + q), 1.0 / (1.0 + q), v >= 0.0);
}`,
    onnx: { op: "Mish", since: 18 },
  },
  exp: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
    },
    df: (_x, y) => y,
    reads: { x: false, y: true },
    wgsl: "return exp(v);",
    wgslGrad: "dy[i] * y[i]",
    onnx: { op: "Exp" },
  },
  neg: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = -x[i];
    },
    df: () => -1,
    reads: { x: false, y: false },
    wgsl: "return -v;",
    wgslGrad: "-dy[i]",
    onnx: { op: "Neg" },
  },
  // |x|; y′ = sign(x), 0 at 0 (PyTorch's choice)
  abs: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
    },
    df: (x) => Math.sign(x),
    reads: { x: true, y: false },
    wgsl: "return abs(v);",
    wgslGrad: "dy[i] * sign(x[i])",
    onnx: { op: "Abs" },
  },
  // 1/x (±∞ at 0, as ONNX); y′ = −y². The converter writes Div(a, b) of two computed values as a·(1/b)
  reciprocal: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = 1 / x[i];
    },
    df: (_x, y) => -y * y,
    reads: { x: false, y: true },
    wgsl: "return 1.0 / v;",
    wgslGrad: "-dy[i] * y[i] * y[i]",
    onnx: { op: "Reciprocal" },
  },
  // √x (NaN below 0, as ONNX); y′ = 1/(2y)
  sqrt: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
    },
    df: (_x, y) => 0.5 / y,
    reads: { x: false, y: true },
    wgsl: "return sqrt(v);",
    wgslGrad: "0.5 * dy[i] / y[i]",
    onnx: { op: "Sqrt" },
  },
  // ln x (NaN below 0, −∞ at 0, as ONNX); y′ = 1/x
  log: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
    },
    df: (x) => 1 / x,
    reads: { x: true, y: false },
    wgsl: "return log(v);",
    wgslGrad: "dy[i] / x[i]",
    onnx: { op: "Log" },
  },
  // αx + β: a scalar Mul/Div/Add/Sub by a constant that no conv or dense before it absorbs (the converter
  // writes it; out to ONNX as Mul then Add)
  affine: {
    map: (x, y, n, a, b) => {
      for (let i = 0; i < n; i++) y[i] = a * x[i] + b;
    },
    df: (_x, _y, a) => a,
    reads: { x: false, y: false },
    wgsl: "return p.alpha * v + p.beta;",
    wgslGrad: "p.alpha * dy[i]",
    alpha: { key: "scale", default: 1 },
    beta: { key: "shift", default: 0 },
  },
  identity: {
    map: (x, y, n) => {
      for (let i = 0; i < n; i++) y[i] = x[i];
    },
    df: () => 1,
    reads: { x: false, y: false },
    wgsl: "return v;",
    wgslGrad: "dy[i]",
    onnx: { op: "Identity" },
  },
};

/**
 * The entry of `act`, or a TypeError naming it (bounded) when there is none.
 *
 * @example
 * ```ts
 * import { activationEntry } from "./table.ts";
 * const e = activationEntry("leakyrelu");
 * const y = new Float64Array(2);
 * e.map([-2, 3], y, 2, 0.1, 0);
 * if (y.join() !== "-0.2,3" || e.df(-2, -0.2, 0.1, 0) !== 0.1) throw new Error(y.join());
 * ```
 */
export function activationEntry(act: string): Activation {
  if (!Object.hasOwn(ACTIVATIONS, act)) {
    throw new TypeError(`unknown activation ${quote(String(act), 64)}`);
  }
  return ACTIVATIONS[act as ElementwiseAct];
}
