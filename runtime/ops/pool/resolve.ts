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

/** Whether each of `out` windows of k taps (stride s, dilation d, leading pad p) reads a cell of [0, n). */
function everyWindowHits(out: number, k: number, s: number, d: number, p: number, n: number): boolean {
  for (let o = 0; o < out; o++) {
    let hit = false;
    for (let u = 0; u < k && !hit; u++) hit = o * s - p + u * d >= 0 && o * s - p + u * d < n;
    if (!hit) return false;
  }
  return true;
}

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
    // max pools may be dilated (ONNX MaxPool dilations); the others have no dilation
    if (s.dilation !== undefined && kind !== "max") {
      throw new TypeError(`${what}: ${kind} pooling has no dilation`);
    }
    const [dh, dw] = s.dilation === undefined
      ? [1, 1]
      : axes(s.dilation, dims, `${what}.dilation`, undefined, 1, LIMITS.maxKernel);
    refuseCausal(s.padding, what);
    const g = { kh, kw, sh, sw, dh, dw };
    const pad = resolvePadding(s.padding, dims, inH, inW, g, what);
    const [outH, outW] = windowOut(inH, inW, g, pad, dims, what);
    const [pt, pb, pl, pr] = pad;
    // pad < window on each side: every window then covers at least one real cell (a dilated window is
    // checked tap by tap, as its taps may step over the input)
    if (
      dh === 1 && dw === 1 ? pt >= kh || pb >= kh || pl >= kw || pr >= kw : (
        !everyWindowHits(outH, kh, sh, dh, pt, inH) || !everyWindowHits(outW, kw, sw, dw, pl, inW)
      )
    ) {
      throw new RangeError(
        dh === 1 && dw === 1
          ? `${what}: padding [${pt},${pb},${pl},${pr}] must be smaller than the window ${kh}x${kw} on each side`
          : `${what}: padding [${pt},${pb},${pl},${pr}] leaves a ${kh}x${kw} window (dilation ${dh}x${dw}) ` +
            `with no input cell`,
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
