// The instancenorm layer type's resolver: each (sample, channel) normalised
// over its own positions, then scaled and shifted per channel (ONNX
// InstanceNormalization; style-transfer nets). x and y are (C, ...) of one
// shape, spatial = elements / C; epsilon > 0 and finite; params scale, bias (C).

import type { LayerSpec } from "../../format/spec_types.ts";
import { channelsOf, fieldsOf, type LayerBase, type Resolver } from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

/** The instancenorm family's resolvers by layer type. */
export const INSTANCENORM_RESOLVERS: Record<string, Resolver> = {
  instancenorm: (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const e = fieldsOf(spec).epsilon ?? 1e-5;
    if (typeof e !== "number" || !(e > 0) || !Number.isFinite(Math.fround(e))) {
      throw new TypeError(`${what}.epsilon must be a positive finite number, got ${quote(e)}`);
    }
    const [c, spatial] = channelsOf(inShape);
    return { ...base, outShape: [...inShape], op: "instancenorm", eps: e, c, spatial };
  },
};
