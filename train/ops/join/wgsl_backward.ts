// WGSL backward of the joins and the gradient sum of a layer read by several
// others. add: ∂L/∂x_k = dy for every input (a copy); concat: ∂L/∂x_k is
// input k's channel slice of dy; accumulate: g += part, when a second reader
// of a value adds its share of the gradient (the first reader writes g).
// Shapes: dy is (N, outPer); dx_k (N, per_k) with input k at element offset
// off_k of each dy sample (add: per = outPer, off = 0). Twin: reference.ts.
// mul: ∂L/∂x = δ·s, ∂L/∂s = δ·x (summed per channel when s is per channel).
// Bindings: 0 uniforms, 1 src (read), 2 dst (read_write) (mul: see each).

import { type Binding, elementwise, type Kernel, reduction, WG } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["src", "read"], ["dst", "read_write"]];

/** dx (N, per) = dy's slice at offset `off` of each (outPer) sample: add (per = outPer) and concat backward. */
export function joinSliceBackward(batch: number, per: number, outPer: number, off: number): Kernel {
  const dims = [["PER", "u32", per], ["OUTPER", "u32", outPer], ["OFF", "u32", off]] as const;
  return elementwise(
    "join dX",
    dims,
    DECLS,
    batch * per,
    "  dst[i] = src[(i / PER) * OUTPER + OFF + i % PER];",
  );
}

/** mul's ∂L/∂x = δ·s over (batch, c, spatial); s per channel when `broadcast`. Bindings: 1 dy, 2 s, 3 dx. */
export function mulBackwardX(batch: number, c: number, spatial: number, broadcast: boolean): Kernel {
  const decls: Binding[] = [["dy", "read"], ["s", "read"], ["dx", "read_write"]];
  const at = broadcast ? "i / SP" : "i";
  return elementwise(
    "mul dX",
    [["SP", "u32", spatial]],
    decls,
    batch * c * spatial,
    `  dx[i] = dy[i] * s[${at}];`,
  );
}

/**
 * mul's ∂L/∂s = δ·x: per (sample, channel) the sum over its `spatial` positions when `broadcast` (one
 * workgroup each), else elementwise. Bindings: 1 dy, 2 x, 3 ds.
 */
export function mulBackwardScale(batch: number, c: number, spatial: number, broadcast: boolean): Kernel {
  const decls: Binding[] = [["dy", "read"], ["x", "read"], ["ds", "read_write"]];
  if (!broadcast) return elementwise("mul dS", [], decls, batch * c * spatial, "  ds[i] = dy[i] * x[i];");
  return reduction(
    "mul dS",
    [["SP", "u32", spatial]],
    decls,
    batch * c,
    `    for (var j = t; j < SP; j += ${WG}u) { acc += dy[o * SP + j] * x[o * SP + j]; }`,
    "    ds[o] = total;",
  );
}

/** dst += src over `count` values: a gradient share added to one already written. */
export function accumulateGrad(count: number): Kernel {
  return elementwise("gradient sum", [], DECLS, count, "  dst[i] = dst[i] + src[i];");
}
