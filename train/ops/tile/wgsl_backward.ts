// WGSL backward of the tile layer (twin of reference.ts): one thread per
// input value (a, b, c) of a sample sums dy over its R0·R1·R2 copies
// (r0·I0 + a, r1·I1 + b, r2·I2 + c). Shapes: dy (N, O0, O1, O2), dx (N, I0, I1, I2).
// Bindings: 0 uniforms, 1 dy (read), 2 dx (read_write).

import type { LayerOf } from "../../../runtime/ops/op_entry.ts";
import { type Binding, elementwise, type Kernel, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** dx of a tile layer over `batch` samples. */
export function tileBackward(l: LayerOf<"tile">, batch: number): Kernel {
  const [I0, I1, I2] = l.dims, [R0, R1, R2] = l.reps;
  const body = `  let per = I0 * I1 * I2;
  let c = i % I2;
  let b = (i / I2) % I1;
  let a = (i / (I2 * I1)) % I0;
  let base = (i / per) * per * R0 * R1 * R2;
  var s = 0.0;
  for (var r0 = 0u; r0 < R0; r0++) {
    for (var r1 = 0u; r1 < R1; r1++) {
      let row = base + ((r0 * I0 + a) * I1 * R1 + r1 * I1 + b) * I2 * R2;
      for (var r2 = 0u; r2 < R2; r2++) { s += dy[row + r2 * I2 + c]; }
    }
  }
  dx[i] = s;`;
  const dims = u32Dims({ I0, I1, I2, R0, R1, R2 });
  return elementwise("tile dX", dims, DECLS, batch * I0 * I1 * I2, body);
}
