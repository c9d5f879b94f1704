// The lrn layer type's resolver: local response normalisation across
// channels (ONNX LRN, AlexNet / GoogLeNet). x and y are (C, ...) of one shape;
// spatial = elements / C. size ∈ [1, 255]; alpha, beta, bias finite, bias > 0
// or alpha ≥ 0 keeping the base positive is the model's business (a
// non-positive base gives NaN, as in ONNX).

import type { LayerSpec } from "../../format/spec_types.ts";
import { fieldsOf, int, type LayerBase, type Resolver } from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

/** The largest LRN window (the backward loops over size² terms per value). */
export const MAX_LRN_SIZE = 255;

function num(v: unknown, what: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(Math.fround(v))) {
    throw new TypeError(`${what} must be a finite number (within float32 range), got ${quote(v)}`);
  }
  return v;
}

/** The lrn family's resolvers by layer type. */
export const LRN_RESOLVERS: Record<string, Resolver> = {
  lrn: (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const s = fieldsOf(spec);
    const size = int(s.size, `${what}.size`, 1, MAX_LRN_SIZE);
    const alpha = num(s.alpha, `${what}.alpha`, 1e-4);
    const beta = num(s.beta, `${what}.beta`, 0.75);
    const bias = num(s.bias, `${what}.bias`, 1);
    const c = inShape[0];
    const spatial = inShape.reduce((a, b) => a * b, 1) / c;
    return { ...base, outShape: [...inShape], op: "lrn", size, alpha, beta, bias, c, spatial };
  },
};
