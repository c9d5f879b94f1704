// The wasm forward of pool (max / avg / avgvalid / L2 over a 2-D window; 1-D
// pools are the 2-D window with kh = 1): its kernel is pool.as.ts (a 2×2
// stride-2 max pool on f32x4). Shapes: x is (N, C, inH, inW), y (N, C, outH, outW).

import type { LayerOf, WasmForward } from "../op_entry.ts";
import { windowArgs } from "../../wasm/engine.ts";

const MODES = { max: 0, avg: 1, avgvalid: 2, l2: 3 } as const;

/** pool on the wasm kernels. */
export const POOL_WASM: WasmForward<LayerOf<"pool">> = {
  // the kernel's windows are undilated (WindowArgs has no dilation): a dilated max pool runs the TS kernel
  accepts: (g) => g.dh === 1 && g.dw === 1,
  run: (g, c) => c.k.pool2d(c.xs[0], c.y, c.batch * g.inC, MODES[g.mode], ...windowArgs(g)),
};
