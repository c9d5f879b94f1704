// WGSL backward of the channel shuffle (twin of reference.ts): one thread per
// input value q = i·(C/g) + j takes dy at output channel j·g + i.
// Shapes: dy, dx (N, C, S). Bindings: 1 dy (read), 2 dx (read_write).

import { type Binding, elementwise, type Kernel, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** dx of a channel shuffle over `batch` samples. */
export function shuffleBackward(l: { groups: number; c: number; spatial: number }, batch: number): Kernel {
  // dx at channel q is dy at the channel q went to: o = (q mod C/G)·G + q div (C/G)
  const body = `  let q = (i / S) % C;
  let n = i / (S * C);
  let per = C / G;
  let o = (q % per) * G + q / per;
  dx[i] = dy[(n * C + o) * S + i % S];`;
  const dims = u32Dims({ C: l.c, S: l.spatial, G: l.groups });
  return elementwise("shuffle dX", dims, DECLS, batch * l.c * l.spatial, body);
}
