// WGSL backward of pad2d / pad1d (twin of reference.ts), one thread per input
// cell gathering the dy cells that read it: along each axis its own output
// cell (k = 0: o = i + before) and any border cell k − 1 of the
// before+after border cells whose source is i (reflect and edge). Loops run
// (1 + pt + pb)·(1 + pl + pr) steps per cell.
// Shapes: dy (N, C, oh, ow), dx (N, C, ih, iw). Bindings: 1 dy (read), 2 dx (read_write).

import type { PadMode } from "../../../runtime/format/spec.ts";
import type { LayerOf } from "../../../runtime/ops/op_entry.ts";
import { padSourceWgsl } from "../../../runtime/ops/pad/geometry.ts";
import { type Binding, elementwise, type Kernel, u32Dims } from "../../webgpu/training_kernel.ts";

const DECLS: Binding[] = [["dy", "read"], ["dx", "read_write"]];

/** WGSL `fn cell(i, k, before, n) -> u32`: the output index of candidate k for input i along an axis. */
const CELL = `fn cell(i: u32, k: u32, before: u32, n: u32) -> u32 {
  if (k == 0u) { return i + before; }
  if (k <= before) { return k - 1u; }
  return before + n + (k - 1u - before);
}`;

/** dx of a pad layer of `mode`. */
export function padBackward(l: LayerOf<"pad">, batch: number): Kernel {
  const mode: PadMode = l.mode;
  const dims = u32Dims({
    IH: l.inH,
    IW: l.inW,
    OH: l.outH,
    OW: l.outW,
    PT: l.pt,
    PB: l.pb,
    PL: l.pl,
    PR: l.pr,
  });
  // a constant border reads no input, so only the cell itself (k = 0) contributes
  const ky = mode === "constant" ? "1u" : "1u + PT + PB", kx = mode === "constant" ? "1u" : "1u + PL + PR";
  return elementwise(
    `pad ${mode} dX`,
    dims,
    DECLS,
    batch * l.c * l.inH * l.inW,
    `  let ix = i % IW;
  let iy = (i / IW) % IH;
  let plane = i / (IW * IH);
  var acc = 0.0;
  for (var a = 0u; a < ${ky}; a++) {
    let oy = cell(iy, a, PT, IH);
    if (a > 0u && src(oy, PT, IH) != i32(iy)) { continue; }
    for (var b = 0u; b < ${kx}; b++) {
      let ox = cell(ix, b, PL, IW);
      if (b > 0u && src(ox, PL, IW) != i32(ix)) { continue; }
      acc += dy[(plane * OH + oy) * OW + ox];
    }
  }
  dx[i] = acc;`,
    `${padSourceWgsl(mode)}\n${CELL}`,
  );
}
