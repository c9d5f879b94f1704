// WGSL backward of the joins and the gradient sum of a layer read by several
// others. add: ∂L/∂x_k = dy for every input (a copy); concat: ∂L/∂x_k is
// input k's channel slice of dy; accumulate: g += part, when a second reader
// of a value adds its share of the gradient (the first reader writes g).
// Shapes: dy is (N, outPer); dx_k (N, per_k) with input k at element offset
// off_k of each dy sample (add: per = outPer, off = 0). Twin: reference.ts.
// Bindings: 0 uniforms, 1 src (read), 2 dst (read_write).

import { elementwise, type Kernel, storageDecls } from "../../webgpu/training_kernel.ts";

const DECLS = storageDecls([["src", "read"], ["dst", "read_write"]]);

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

/** dst += src over `count` values: a gradient share added to one already written. */
export function accumulateGrad(count: number): Kernel {
  return elementwise("gradient sum", [], DECLS, count, "  dst[i] = dst[i] + src[i];");
}
