// WGSL backward of the per-channel layers (twin of reference.ts). Shapes: x,
// dy, dx are (N, C, S) with S = spatial; w (C) is s (scale) or a (prelu).
//   dX[i]  = δ·s_c (scale), δ·(x > 0 ? 1 : a_c) (prelu)   one thread per value
//   dW[c]  = Σ_{n,j} δ·x (prelu: over x ≤ 0)              one workgroup per channel
//   dB[c]  = Σ_{n,j} δ (scale's t)                         one workgroup per channel
// Bindings: dX: 1 dy, [2 x (prelu)], w, dx; dW: 1 dy, 2 x, 3 dw; dB: 1 dy, 2 db.

import type { ChannelMode } from "../../../runtime/format/spec.ts";
import { type Binding, elementwise, type Kernel, reduction, WG } from "../../webgpu/training_kernel.ts";

const dims = (c: number, spatial: number, batch: number) =>
  [["C", "u32", c], ["S", "u32", spatial], ["N", "u32", batch]] as const;

/** dx of a per-channel layer (scale's does not read x, so it binds 1 dy, 2 w, 3 dx). */
export function channelBackwardInput(mode: ChannelMode, c: number, spatial: number, batch: number): Kernel {
  const decls: Binding[] = [["dy", "read"], ...(mode === "prelu" ? [["x", "read"] as const] : []), [
    "w",
    "read",
  ], [
    "dx",
    "read_write",
  ]];
  const expr = mode === "scale" ? "dy[i] * w[ch]" : "select(dy[i] * w[ch], dy[i], x[i] > 0.0)";
  return elementwise(
    `${mode} dX`,
    dims(c, spatial, batch),
    decls,
    batch * c * spatial,
    `  let ch = (i / S) % C;
  dx[i] = ${expr};`,
  );
}

/** The per-channel sum over (n, position) of `term` (in `dy[j]`, `x[j]`) into out[c]: dW or dB. */
function perChannelSum(
  label: string,
  c: number,
  spatial: number,
  batch: number,
  decls: Binding[],
  term: string,
) {
  return reduction(
    label,
    dims(c, spatial, batch),
    decls,
    c,
    `    for (var k = t; k < N * S; k += ${WG}u) {
      let j = ((k / S) * C + o) * S + k % S;
      acc += ${term};
    }`,
    `    ${decls[decls.length - 1][0]}[o] = total;`,
  );
}

/** dw (scale's ds or prelu's da) of a per-channel layer. */
export function channelBackwardWeight(mode: ChannelMode, c: number, spatial: number, batch: number): Kernel {
  const term = mode === "scale" ? "dy[j] * x[j]" : "select(dy[j] * x[j], 0.0, x[j] > 0.0)";
  return perChannelSum(
    `${mode} dW`,
    c,
    spatial,
    batch,
    [["dy", "read"], ["x", "read"], ["dw", "read_write"]],
    term,
  );
}

/** scale's dt. */
export function channelBackwardBias(c: number, spatial: number, batch: number): Kernel {
  return perChannelSum("scale dB", c, spatial, batch, [["dy", "read"], ["db", "read_write"]], "dy[j]");
}
