// The lrn layer type's resolver: local response normalisation across
// channels (ONNX LRN, AlexNet / GoogLeNet). x and y are (C, ...) of one shape;
// spatial = elements / C. size ∈ [1, 255]; alpha, beta, bias finite, bias > 0
// or alpha ≥ 0 keeping the base positive is the model's business (a
// non-positive base gives NaN, as in ONNX).

import type { LayerSpec } from "../../format/spec_types.ts";
import {
  channelsOf,
  fieldsOf,
  finiteNumber,
  int,
  type LayerBase,
  type Resolver,
} from "../../format/spec_fields.ts";

/** The largest LRN window (the backward loops over size² terms per value). */
export const MAX_LRN_SIZE = 255;

/** The lrn family's resolvers by layer type. */
export const LRN_RESOLVERS: Record<string, Resolver> = {
  lrn: (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const s = fieldsOf(spec);
    const size = int(s.size, `${what}.size`, 1, MAX_LRN_SIZE);
    const alpha = finiteNumber(s.alpha, `${what}.alpha`, 1e-4);
    const beta = finiteNumber(s.beta, `${what}.beta`, 0.75);
    const bias = finiteNumber(s.bias, `${what}.bias`, 1);
    const [c, spatial] = channelsOf(inShape);
    return { ...base, outShape: [...inShape], op: "lrn", size, alpha, beta, bias, c, spatial };
  },
};
