// The per-channel layer types' resolvers: scale (y = s_c·x + t_c: a batchnorm
// or a per-channel Mul/Add that no conv before it absorbs) and prelu
// (y = x > 0 ? x : a_c·x). x and y are (C, ...) of one shape; spatial = elements / C.

import type { ChannelMode } from "../../format/spec_types.ts";
import type { Resolver } from "../../format/spec_fields.ts";
import { channelsOf } from "../../format/spec_fields.ts";

function channel(mode: ChannelMode): Resolver {
  return (_spec, inShape, base) => {
    const [c, spatial] = channelsOf(inShape);
    return { ...base, outShape: [...inShape], op: "channel", mode, c, spatial };
  };
}

/** The per-channel family's resolvers by layer type. */
export const CHANNEL_RESOLVERS: Record<string, Resolver> = {
  scale: channel("scale"),
  prelu: channel("prelu"),
};
