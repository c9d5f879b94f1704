// The upsample layer types' resolvers: upsample2d (nearest or bilinear) and
// upsample1d (nearest or linear) by integer scales. x is (C,H,W) or (C,L);
// y (C, H·sh, W·sw) or (C, L·s).

import type { LayerSpec } from "../../format/spec_types.ts";
import {
  axes,
  checkElements,
  fieldsOf,
  type LayerBase,
  LIMITS,
  type Resolver,
  spatialInput,
} from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

function upsample(dims: 1 | 2): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [c, inH, inW] = spatialInput(inShape, dims, what);
    const s = fieldsOf(spec);
    const [sh, sw] = axes(s.scale, dims, `${what}.scale`, undefined, 1, LIMITS.maxStride);
    const linear = dims === 2 ? "bilinear" : "linear";
    if (s.mode !== undefined && s.mode !== "nearest" && s.mode !== linear) {
      throw new TypeError(`${what}.mode must be "nearest" or "${linear}", got ${quote(s.mode)}`);
    }
    const outH = inH * sh, outW = inW * sw;
    const outShape = dims === 2 ? [c, outH, outW] : [c, outW];
    checkElements(outShape, what);
    const mode = s.mode === undefined || s.mode === "nearest" ? "nearest" : "linear";
    return { ...base, outShape, op: "upsample", mode, sh, sw, c, inH, inW, outH, outW };
  };
}

/** The upsample family's resolvers by layer type. */
export const UPSAMPLE_RESOLVERS: Record<string, Resolver> = {
  upsample2d: upsample(2),
  upsample1d: upsample(1),
};
