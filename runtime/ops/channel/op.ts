// The per-channel entry of the runtime op table: scale and prelu, one value
// (or two) per channel broadcast over the channel's positions.
// Shapes: x and y are (N, C, spatial) flattened; params (C) each.

import type { LayerOf, OpEntry } from "../op_entry.ts";
import { channelForward } from "./cpu.ts";

/** channel: scale (params s, t) and prelu (params a). */
export const CHANNEL: OpEntry<LayerOf<"channel">> = {
  op: "channel",
  fuses: false,
  cpu: (l, c) => channelForward(l.mode, l.c, l.spatial, c.xs[0], c.params, c.batch, c.y),
};
