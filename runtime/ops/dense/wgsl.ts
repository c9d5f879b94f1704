// WGSL fully connected forward with implicit flatten and an optional fused
// bias and elementwise activation epilogue.
// Shapes: x is (N, inF); w is (outF, inF) row-major; b is (outF); y is
// (N, outF). One thread per OUT_BLOCK outputs × N_BLOCK samples.
// Bindings: 0 uniforms, 1 x (read), 2 w (read), [3 b (read)], last y.

import { type Epilogue, weightedHead } from "../activation/wgsl.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, paramRoles, PROLOGUE } from "../../webgpu/kernel.ts";

/** Outputs computed by one thread (they share every input load). */
export const OUT_BLOCK = 4;

const LAYOUT = [["inF", "u32"], ["outF", "u32"], ["alpha", "f32"], ["beta", "f32"], ["nb", "u32"], [
  "n",
  "u32",
]] as const;

/** Samples computed by one thread (each output weight loaded feeds all of them). */
export const N_BLOCK = 4;

/**
 * Dense forward source for a variant (bias or not, fused activation or none).
 * Register-blocked: one thread computes OUT_BLOCK outputs × N_BLOCK samples
 * (16 accumulators; per k, 4 x and 4 w loads feed 16 multiply-adds).
 * Threads are ordered (sample block, output block); samples and outputs of a
 * block beyond the batch / outF read clamped rows and are never written.
 */
export function denseWgsl(bias: boolean, epilogue: Epilogue["act"] | null): string {
  return `${
    weightedHead(
      `dense forward, ${OUT_BLOCK} outputs × ${N_BLOCK} samples per thread`,
      LAYOUT,
      bias,
      epilogue,
    )
  }
${PROLOGUE}
  let n0 = (i / p.nb) * ${N_BLOCK}u;
  let o0 = (i % p.nb) * ${OUT_BLOCK}u;
  let os = min(vec4<u32>(o0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.outF - 1u));
  let ns = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.n - 1u));
  let rows = os * p.inF;
  let xr = ns * p.inF;
  var s0 = vec4<f32>(0.0);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var s3 = vec4<f32>(0.0);
  for (var k = 0u; k < p.inF; k++) {
    let wv = vec4<f32>(w[rows.x + k], w[rows.y + k], w[rows.z + k], w[rows.w + k]);
    s0 += x[xr.x + k] * wv;
    s1 += x[xr.y + k] * wv;
    s2 += x[xr.z + k] * wv;
    s3 += x[xr.w + k] * wv;
  }
${bias ? "  let bv = vec4<f32>(b[os.x], b[os.y], b[os.z], b[os.w]);" : "  let bv = vec4<f32>(0.0);"}
  let outs = min(${OUT_BLOCK}u, p.outF - o0);
  let nn = min(${N_BLOCK}u, p.n - n0);
  for (var q = 0u; q < nn; q++) {
    var sq = s0;
    if (q == 1u) { sq = s1; } else if (q == 2u) { sq = s2; } else if (q == 3u) { sq = s3; }
    sq += bv;
    let at = (n0 + q) * p.outF + o0;
    for (var k = 0u; k < outs; k++) { y[at + k] = act(sq[k]); }
  }
}
`;
}

/** The dense forward kernel over `batch` samples. */
export function denseKernel(
  l: { inF: number; outF: number; bias: boolean },
  batch: number,
  limits: DispatchLimits,
  epilogue: Epilogue | null = null,
): ForwardKernel {
  const nb = Math.ceil(l.outF / OUT_BLOCK);
  const values = {
    inF: l.inF,
    outF: l.outF,
    alpha: epilogue?.alpha ?? 0,
    beta: epilogue?.beta ?? 0,
    nb,
    n: batch,
  };
  return forwardKernel(
    `dense${epilogue ? `+${epilogue.act}` : ""}`,
    denseWgsl(l.bias, epilogue?.act ?? null),
    paramRoles(l.bias),
    LAYOUT,
    values,
    Math.ceil(batch / N_BLOCK) * nb,
    limits,
  );
}
