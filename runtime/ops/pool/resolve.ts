// The pool layer types' resolvers: max/avg/l2 pools in 1-D and 2-D (the 2-D
// window form of runtime/format/spec_types.ts Window2d; stride defaults to the
// window; padding below the window on each side, so every window covers a real
// cell; avgpool `countPad: false` is mode "avgvalid") and globalavgpool.
// x is (C,H,W) or (C,L); y (C,outH,outW) or (C,outW); globalavgpool: y (C).

import type { LayerSpec, PoolMode } from "../../format/spec_types.ts";
import {
  axes,
  fieldsOf,
  type LayerBase,
  LIMITS,
  refuseCausal,
  resolvePadding,
  type Resolver,
  spatialInput,
  windowOf,
  windowOut,
} from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

/** A max/avg/l2 pool over a (kh × kw) window. */
function pool(kind: "max" | "avg" | "l2", dims: 1 | 2): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [inC, inH, inW] = spatialInput(inShape, dims, what);
    const s = fieldsOf(spec);
    const [kh, kw] = axes(s.size, dims, `${what}.size`, undefined, 1, LIMITS.maxKernel);
    const [sh, sw] = axes(
      s.stride ?? (dims === 2 ? [kh, kw] : kw),
      dims,
      `${what}.stride`,
      undefined,
      1,
      LIMITS.maxStride,
    );
    if (s.dilation !== undefined) throw new TypeError(`${what}: pooling has no dilation`);
    refuseCausal(s.padding, what);
    const g = { kh, kw, sh, sw, dh: 1, dw: 1 };
    const pad = resolvePadding(s.padding, dims, inH, inW, g, what);
    const [outH, outW] = windowOut(inH, inW, g, pad, dims, what);
    const [pt, pb, pl, pr] = pad;
    // pad < window on each side: every window then covers at least one real cell
    if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
      throw new RangeError(
        `${what}: padding [${pt},${pb},${pl},${pr}] must be smaller than the window ${kh}x${kw} on each side`,
      );
    }
    let mode: PoolMode = kind;
    if (s.countPad !== undefined) {
      if (kind !== "avg" || typeof s.countPad !== "boolean") {
        throw new TypeError(
          `${what}.countPad is a boolean of avgpool layers, got ${quote(s.countPad)}`,
        );
      }
      if (!s.countPad) mode = "avgvalid";
    }
    const outShape = dims === 2 ? [inC, outH, outW] : [inC, outW];
    const win = windowOf(g, pad, [inC, inH, inW], [inC, outH, outW]);
    return { ...base, outShape, op: "pool", mode, ...win };
  };
}

/** globalavgpool: the mean of each channel over every position. */
const globalAvgPool: Resolver = (_spec, inShape, base, what) => {
  if (inShape.length < 2) throw new TypeError(`${what} expects (C,H,W) or (C,L), got (${inShape.join(",")})`);
  const spatial = inShape.slice(1).reduce((a, b) => a * b, 1);
  return { ...base, outShape: [inShape[0]], op: "globalavgpool", c: inShape[0], spatial };
};

/** The pool family's resolvers by layer type. */
export const POOL_RESOLVERS: Record<string, Resolver> = {
  maxpool2d: pool("max", 2),
  avgpool2d: pool("avg", 2),
  l2pool2d: pool("l2", 2),
  maxpool1d: pool("max", 1),
  avgpool1d: pool("avg", 1),
  l2pool1d: pool("l2", 1),
  globalavgpool: globalAvgPool,
};
