// The error function, which JavaScript's Math and WGSL both lack, written
// once for the activation table (erf, gelu): in float64 for the CPU kernel
// and the references, and as a WGSL snippet for the GPU forward.
// Both sum the series erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)),
// whose terms are all positive (no cancellation at any x); |x| ≥ 6 (float64)
// or ≥ 4 (f32) is ±1 to within the type's precision.
// Invariants: erf64 is odd, |erf64(x)| ≤ 1, and it is within 1e-15 of the
// true value; the WGSL form is within a few f32 ulps.

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf(x) in float64.
 *
 * @example
 * ```ts
 * import { erf64 } from "./erf.ts";
 * if (Math.abs(erf64(1) - 0.8427007929497149) > 1e-15 || erf64(-7) !== -1) throw new Error();
 * ```
 */
export function erf64(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return x > 0 ? 1 : -1;
  if (Number.isNaN(x)) return NaN;
  const a2 = a * a;
  let t = a, s = a;
  // the ratio of term n+1 to term n is 2a²/(2n+3): it falls below 1/2 from n = 2a², after which
  // 60 more terms are far below 2⁻⁵³ of the sum
  for (let n = 1; n < 2 * a2 + 60; n++) {
    t *= 2 * a2 / (2 * n + 1);
    s += t;
  }
  const r = Math.min(TWO_OVER_SQRT_PI * Math.exp(-a2) * s, 1);
  return x < 0 ? -r : r;
}

/**
 * WGSL statements that set `let <name>: f32` to erf(<arg>), for the body of
 * an activation's `fn act(v: f32)` (a WGSL function body has no nested functions).
 *
 * @example
 * ```ts
 * import { erfWgsl } from "./erf.ts";
 * if (!erfWgsl("e", "v").includes("let e = ")) throw new Error();
 * ```
 */
export function erfWgsl(name: string, arg: string): string {
  return `let ${name}_x = ${arg}; let ${name}_a = min(abs(${name}_x), 4.0); let ${name}_a2 = ${name}_a * ${name}_a;
  var ${name}_t = ${name}_a; var ${name}_s = ${name}_a;
  for (var n = 1u; n < 96u; n++) { ${name}_t *= 2.0 * ${name}_a2 / f32(2u * n + 1u); ${name}_s += ${name}_t; }
  let ${name} = sign(${name}_x) * min(${TWO_OVER_SQRT_PI} * exp(-${name}_a2) * ${name}_s, 1.0);`;
}
