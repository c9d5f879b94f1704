// WGSL forward of the joins, one dispatch per input ("part") so any number
// of inputs binds two buffers: add part 0 copies x into y, part k > 0 adds x
// to y, and the last part applies the fused activation (an Epilogue, identity
// when none); concat part k copies input k into its channel range of y.
// Shapes: add x, y are (N, per); concat x is (N, per_k) and y (N, outPer)
// with input k at element offset off_k = Σ_{j<k} per_j of each sample.
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write). Twin: cpu.ts.

import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";
import { actFunction, type Epilogue } from "../activation/wgsl.ts";

const ADD_LAYOUT = [["acc", "u32"], ["last", "u32"], ["alpha", "f32"], ["beta", "f32"]] as const;
const CONCAT_LAYOUT = [["per", "u32"], ["outPer", "u32"], ["off", "u32"]] as const;

/** Add part source: y = (acc ? y + x : x), then act() on the last part. */
export function addWgsl(act: Epilogue["act"] | "identity"): string {
  return `// add (one input per dispatch)${act === "identity" ? "" : ` + ${act}`}
${uniformDecl(ADD_LAYOUT)}
${roleDecls(["x", "y"])}
${actFunction(act)}
${PROLOGUE}
  var v = x[i];
  if (p.acc == 1u) { v = y[i] + v; }
  if (p.last == 1u) { v = act(v); }
  y[i] = v;
}
`;
}

/** Part `part` of `n` of an add over `total` = N·per values, the epilogue on the last. */
export function addKernel(
  total: number,
  n: number,
  part: number,
  limits: DispatchLimits,
  epilogue: Epilogue | null = null,
): ForwardKernel {
  const act = epilogue?.act ?? "identity";
  const values = {
    acc: part > 0 ? 1 : 0,
    last: part === n - 1 ? 1 : 0,
    alpha: epilogue?.alpha ?? 0,
    beta: epilogue?.beta ?? 0,
  };
  return forwardKernel(`add ${part + 1}/${n}`, addWgsl(act), ["x", "y"], ADD_LAYOUT, values, total, limits);
}

const MUL_LAYOUT = [["part", "u32"], ["c", "u32"], ["spatial", "u32"], ["bcast", "u32"]] as const;

/** Mul part source: part 0 copies x into y, part 1 multiplies y by s (per channel when bcast). */
export function mulWgsl(): string {
  return `// mul (x, then its scale)
${uniformDecl(MUL_LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  if (p.part == 0u) {
    y[i] = x[i];
  } else {
    // per channel: s is (N, C), one value per (sample, channel) of y (N, C, spatial)
    let at = select(i, i / p.spatial, p.bcast == 1u);
    y[i] = y[i] * x[at];
  }
}
`;
}

/** Part `part` (0: x, 1: the scale) of a mul over `batch` samples of (c, spatial). */
export function mulKernel(
  c: number,
  spatial: number,
  broadcast: boolean,
  part: number,
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  const values = { part, c, spatial, bcast: broadcast ? 1 : 0 };
  return forwardKernel(
    `mul ${part + 1}/2`,
    mulWgsl(),
    ["x", "y"],
    MUL_LAYOUT,
    values,
    batch * c * spatial,
    limits,
  );
}

/** Concat part source: copy a (N, per) input into y at offset `off` of each (outPer) sample. */
export function concatWgsl(): string {
  return `// concat (one input per dispatch)
${uniformDecl(CONCAT_LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  y[(i / p.per) * p.outPer + p.off + i % p.per] = x[i];
}
`;
}

/** Part `part` of a concat of inputs with `channels` channels of `spatial` positions, over `batch` samples. */
export function concatKernel(
  channels: readonly number[],
  spatial: number,
  part: number,
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  const per = channels[part] * spatial;
  const off = channels.slice(0, part).reduce((a, b) => a + b, 0) * spatial;
  const outPer = channels.reduce((a, b) => a + b, 0) * spatial;
  return forwardKernel(
    `concat ${part + 1}/${channels.length}`,
    concatWgsl(),
    ["x", "y"],
    CONCAT_LAYOUT,
    { per, outPer, off },
    batch * per,
    limits,
  );
}
