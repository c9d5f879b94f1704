// The CPU forward of pooling: which kernel runs a pool layer, in one place.
// Spec and shape rules: runtime/format/spec.ts (`maxpool2d`/`avgpool2d`/`l2pool2d`,
// the 1-D forms with kh = sh = 1, and `globalavgpool`).
// Shapes: x is (N, C, inH, inW); y is (N, C, outH, outW); global average
// pooling takes (N, C, spatial) to (N, C).
// Variants, first match wins:
//   "maxpool2x2"  max, 2×2 window, stride 2, no padding (maxpool2x2.ts)
//   "dilated"     max over a dilated window (pool_direct.ts dilatedMaxPool)
//   "direct"      every other window, mode and padding (pool_direct.ts)
// Invariants: callers have checked lengths; both variants give identical
// results where both apply (max is exact).

import type { PlainKernel } from "../../cpu/layer_kernel.ts";
import type { PoolMode, Window2d } from "../../format/spec.ts";
import { isMaxPool2x2, maxPool2x2 } from "./maxpool2x2.ts";
import { dilatedMaxPool, globalAvgPool, pool2d } from "./pool_direct.ts";

export { globalAvgPool };

/** The CPU pooling kernels. */
export type PoolVariant = "maxpool2x2" | "dilated" | "direct";

/**
 * The kernel that runs a pool layer on the CPU.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../../format/spec.ts";
 * import { poolVariant } from "./cpu.ts";
 * const l = resolveLayer({ type: "maxpool2d", size: 2 }, [3, 8, 8]);
 * if (l.op !== "pool" || poolVariant(l, l.mode) !== "maxpool2x2") throw new Error("unexpected");
 * ```
 */
export function poolVariant(g: Window2d, mode: PoolMode): PoolVariant {
  return isMaxPool2x2(g, mode) ? "maxpool2x2" : g.dh > 1 || g.dw > 1 ? "dilated" : "direct";
}

type PoolKernel = PlainKernel<[g: Window2d, mode: PoolMode]>;

/** y = pool(x). Writes into and returns `y`. */
export const poolCpu: PoolKernel = (g, mode, x, batch, y) => {
  const v = poolVariant(g, mode);
  return v === "maxpool2x2"
    ? maxPool2x2(g, x, batch, y)
    : v === "dilated"
    ? dilatedMaxPool(g, x, batch, y)
    : pool2d(g, mode, x, batch, y);
};
