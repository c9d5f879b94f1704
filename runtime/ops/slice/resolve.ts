// The channel slice's resolver: `count` channels of x from channel `start`
// (ONNX Split / Slice along the channel axis, GLU's halves). x is (C, ...),
// y (count, ...); 0 ≤ start, start + count ≤ C.

import type { LayerSpec } from "../../format/spec_types.ts";
import { channelsOf, fieldsOf, int, type LayerBase, type Resolver } from "../../format/spec_fields.ts";

/** The slice family's resolvers by layer type. */
export const SLICE_RESOLVERS: Record<string, Resolver> = {
  channelslice: (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const s = fieldsOf(spec), [c, spatial] = channelsOf(inShape);
    const start = int(s.start, `${what}.start`, 0, c - 1);
    const count = int(s.count, `${what}.count`, 1, c - start);
    return { ...base, outShape: [count, ...inShape.slice(1)], op: "cslice", start, count, c, spatial };
  },
};
