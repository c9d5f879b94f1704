// The shuffle layer type's resolver: channel shuffle (ShuffleNet) with
// `groups` groups: the channels viewed as (groups, C/groups) are transposed to
// (C/groups, groups). x and y are (C, ...) of one shape; groups divides C.

import type { LayerSpec } from "../../format/spec_types.ts";
import {
  channelsOf,
  fieldsOf,
  int,
  type LayerBase,
  LIMITS,
  type Resolver,
} from "../../format/spec_fields.ts";

/** The shuffle family's resolvers by layer type. */
export const SHUFFLE_RESOLVERS: Record<string, Resolver> = {
  shuffle: (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [c, spatial] = channelsOf(inShape);
    const groups = int(fieldsOf(spec).groups, `${what}.groups`, 1, LIMITS.maxDim);
    if (c % groups) throw new RangeError(`${what}: groups=${groups} must divide the ${c} channels`);
    return { ...base, outShape: [...inShape], op: "shuffle", groups, c, spatial };
  },
};
