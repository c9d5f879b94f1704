// WGSL fully connected forward with implicit flatten and an optional fused
// bias and elementwise activation epilogue.
// Shapes: x is (N, inF); w is (outF, inF) row-major; b is (outF); y is
// (N, outF). One thread per OUT_BLOCK outputs of one sample.
// Bindings: 0 uniforms, 1 x (read), 2 w (read), [3 b (read)], last y.

import { actFunction, type Epilogue } from "./activation.ts";
import {
  type DispatchLimits,
  type ForwardKernel,
  planDispatch,
  PROLOGUE,
  uniformBytes,
  uniformDecl,
} from "./common.ts";

/** Outputs computed by one thread (they share every input load). */
export const OUT_BLOCK = 4;

/** Dense forward source for a variant (bias or not, fused activation or none). Threads are ordered (n, block). */
export function denseWgsl(bias: boolean, epilogue: Epilogue["act"] | null): string {
  return `// dense forward${bias ? " + bias" : ""}${epilogue ? ` + ${epilogue}` : ""}
${uniformDecl(["inF", "outF", "alpha", "nb"], ["u32", "u32", "f32", "u32"])}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> b: array<f32>;" : ""}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> y: array<f32>;
${actFunction(epilogue ?? "identity")}
${PROLOGUE}
  let n = i / p.nb;
  let o0 = (i % p.nb) * ${OUT_BLOCK}u;
  // outputs of the block beyond outF read row o0 and are never written
  let valid = vec4<bool>(o0 < p.outF, o0 + 1u < p.outF, o0 + 2u < p.outF, o0 + 3u < p.outF);
  let os = select(vec4<u32>(o0), vec4<u32>(o0, o0 + 1u, o0 + 2u, o0 + 3u), valid);
  let rows = os * p.inF;
  let xBase = n * p.inF;
  var s = vec4<f32>(0.0);
  for (var k = 0u; k < p.inF; k++) {
    s += x[xBase + k] * vec4<f32>(w[rows.x + k], w[rows.y + k], w[rows.z + k], w[rows.w + k]);
  }
${bias ? "  s += vec4<f32>(b[os.x], b[os.y], b[os.z], b[os.w]);\n" : ""}  let at = n * p.outF + o0;
  for (var k = 0u; k < ${OUT_BLOCK}u; k++) {
    if (valid[k]) { y[at + k] = act(s[k]); }
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
  const d = planDispatch(batch * nb, limits, "dense");
  return {
    label: `dense${epilogue ? `+${epilogue.act}` : ""}`,
    code: denseWgsl(l.bias, epilogue?.act ?? null),
    bindings: l.bias ? ["x", "w", "b", "y"] : ["x", "w", "y"],
    uniforms: uniformBytes(d, [["u32", l.inF], ["u32", l.outF], ["f32", epilogue?.alpha ?? 0], ["u32", nb]]),
    dispatch: d,
  };
}
