// WGSL backward of the channel shuffle (twin of reference.ts): one thread per
// input value q = i·(C/g) + j takes dy at output channel j·g + i.
// Shapes: dy, dx (N, C, S). Bindings: 1 dy (read), 2 dx (read_write).

import { type Binding, elementwise, type Kernel } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** dx of a channel shuffle over `batch` samples. */
export function shuffleBackward(l: { groups: number; c: number; spatial: number }, batch: number): Kernel {
  const dims = [["C", "u32", l.c], ["S", "u32", l.spatial], ["G", "u32", l.groups]] as const;
  return elementwise(
    "shuffle dX",
    dims,
    DECLS,
    batch * l.c * l.spatial,
    `  let q = (i / S) % C;
  let n = i / (S * C);
  let per = C / G;
  let o = (q % per) * G + q / per;
  dx[i] = dy[(n * C + o) * S + i % S];`,
  );
}
