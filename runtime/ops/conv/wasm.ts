// The wasm forward of conv (conv2d / conv1d, every stride, padding, dilation,
// groups): its kernel is conv.as.ts (im2col per sample and group, then the SIMD
// gemm). Shapes: x is (N, inC, inH, inW), w (outC, inC/groups, kh, kw) as
// stored, b (outC), y (N, outC, outH, outW); scratch is one group's (K, P)
// im2col, none for a 1×1 stride-1 unpadded conv (it reads x in place).

import type { LayerOf, WasmForward } from "../op_entry.ts";
import type { ConvGeometry } from "./geometry.ts";
import { windowArgs } from "../../wasm/engine.ts";

/** A 1×1, stride-1, unpadded conv: the gemm reads x in place (mirrors conv.as.ts). */
const inPlace = (g: ConvGeometry): boolean =>
  g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 &&
  g.inH === g.outH && g.inW === g.outW;

/** conv on the wasm kernels. */
export const CONV_WASM: WasmForward<LayerOf<"conv">> = {
  scratch: (g) => inPlace(g) ? 0 : (g.inC / g.groups) * g.kh * g.kw * g.outH * g.outW,
  run: (g, c) =>
    c.k.conv2d(
      c.xs[0],
      c.params[0],
      g.bias ? c.params[1] : 0,
      c.y,
      c.scratch,
      c.batch,
      g.inC,
      g.outC,
      g.groups,
      g.dh,
      g.dw,
      c.relu ? 1 : 0,
      ...windowArgs(g),
    ),
};
