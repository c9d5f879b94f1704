// WGSL fully connected forward with implicit flatten and an optional fused
// bias and elementwise activation epilogue.
// Shapes: x is (N, inF); w is (outF, inF) row-major; b is (outF); y is
// (N, outF). One thread per output value.
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

/** Dense forward source for a variant (bias or not, fused activation or none). */
export function denseWgsl(bias: boolean, epilogue: Epilogue["act"] | null): string {
  return `// dense forward${bias ? " + bias" : ""}${epilogue ? ` + ${epilogue}` : ""}
${uniformDecl(["inF", "outF", "alpha"], ["u32", "u32", "f32"])}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> b: array<f32>;" : ""}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> y: array<f32>;
${actFunction(epilogue ?? "identity")}
${PROLOGUE}
  let o = i % p.outF;
  let xBase = (i / p.outF) * p.inF;
  let wBase = o * p.inF;
  var s = 0.0;
  for (var k = 0u; k < p.inF; k++) { s += x[xBase + k] * w[wBase + k]; }
${bias ? "  s += b[o];\n" : ""}  y[i] = act(s);
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
  const d = planDispatch(batch * l.outF, limits, "dense");
  return {
    label: `dense${epilogue ? `+${epilogue.act}` : ""}`,
    code: denseWgsl(l.bias, epilogue?.act ?? null),
    bindings: l.bias ? ["x", "w", "b", "y"] : ["x", "w", "y"],
    uniforms: uniformBytes(d, [["u32", l.inF], ["u32", l.outF], ["f32", epilogue?.alpha ?? 0]]),
    dispatch: d,
  };
}
