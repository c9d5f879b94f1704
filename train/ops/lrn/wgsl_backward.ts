// WGSL backward of lrn (twin of reference.ts): one thread per value m sums,
// over the channels c whose window holds m (c ∈ [m − after, m + before]),
// δ_c·x_c·s_c^(−β−1), recomputing each s_c from x (size² loads per value).
// Shapes: x, dy, dx (N, C, S). Bindings: 1 dy, 2 x (read), 3 dx (read_write).

import type { LayerOf } from "../../../runtime/ops/op_entry.ts";
import { lrnWindow } from "../../../runtime/ops/lrn/cpu.ts";
import { type Binding, elementwise, type Kernel, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["x", "read"], ["dx", "read_write"]];

/** dx of an lrn layer over `batch` samples. */
export function lrnBackward(l: LayerOf<"lrn">, batch: number): Kernel {
  const [before, after] = lrnWindow(l.size);
  const dims = [
    ...u32Dims({ C: l.c, S: l.spatial, BEFORE: before, AFTER: after }),
    ["K", "f32", l.alpha / l.size],
    ["BETA", "f32", l.beta],
    ["BIAS", "f32", l.bias],
  ] as const;
  return elementwise(
    "lrn dX",
    dims,
    DECLS,
    batch * l.c * l.spatial,
    `  let m = (i / S) % C;
  let base = (i / (S * C)) * C * S + i % S;
  var acc = 0.0;
  for (var ch = u32(max(0, i32(m) - i32(AFTER))); ch <= min(C - 1u, m + BEFORE); ch++) {
    let j = base + ch * S;
    let s = base_of(ch, base);
    acc += dy[j] * x[j] * pow(s, -BETA - 1.0);
  }
  dx[i] = dy[i] * pow(base_of(m, base), -BETA) - 2.0 * K * BETA * x[i] * acc;`,
    // module scope sees the dims as uniform fields (main's lets are its own)
    `fn base_of(ch: u32, base: u32) -> f32 {
  var sum = 0.0;
  for (var j = u32(max(0, i32(ch) - i32(p.BEFORE))); j <= min(p.C - 1u, ch + p.AFTER); j++) {
    let v = x[base + j * p.S];
    sum += v * v;
  }
  return p.BIAS + p.K * sum;
}`,
  );
}
