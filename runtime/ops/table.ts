// The runtime op table: every resolved op's entry (runtime/ops/<family>/op.ts),
// by op name. The CPU executor (runtime/cpu/forward.ts), the WebGPU executor
// and the training backend (runtime/webgpu/layer_kernel.ts) dispatch through
// it; a new op is one more entry here, a wasm kernel one more field of its entry.
// Invariant: the key of each entry is its own `op` (checked by the type).

import type { ResolvedLayer } from "../format/spec.ts";
import type { LayerOf, OpEntry } from "./op_entry.ts";
import { CONV, CONV_T } from "./conv/op.ts";
import { GLOBAL_AVG_POOL, POOL } from "./pool/op.ts";
import { DENSE } from "./dense/op.ts";
import { UPSAMPLE } from "./upsample/op.ts";
import { ACT, FLATTEN } from "./activation/op.ts";
import { ADD, CONCAT, MUL } from "./join/op.ts";
import { CHANNEL } from "./channel/op.ts";
import { PAD } from "./pad/op.ts";
import { LRN } from "./lrn/op.ts";
import { SHUFFLE } from "./shuffle/op.ts";
import { TILE } from "./tile/op.ts";
import { INSTANCENORM } from "./instancenorm/op.ts";
import { DEPTH } from "./depth/op.ts";
import { CSLICE } from "./slice/op.ts";
import { quote } from "../quote.ts";

/** One entry per resolved op. */
export const OPS: { readonly [K in ResolvedLayer["op"]]: OpEntry<LayerOf<K>> } = {
  conv: CONV,
  convT: CONV_T,
  pool: POOL,
  globalavgpool: GLOBAL_AVG_POOL,
  dense: DENSE,
  upsample: UPSAMPLE,
  pad: PAD,
  lrn: LRN,
  shuffle: SHUFFLE,
  instancenorm: INSTANCENORM,
  depth: DEPTH,
  cslice: CSLICE,
  tile: TILE,
  channel: CHANNEL,
  act: ACT,
  flatten: FLATTEN,
  add: ADD,
  concat: CONCAT,
  mul: MUL,
};

/**
 * The entry of layer `l`'s op.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "../format/spec.ts";
 * import { Scratch } from "../cpu/scratch.ts";
 * import { opEntry } from "./table.ts";
 * const [relu] = resolveLayers([{ type: "relu" }], [3]);
 * const y = opEntry(relu).cpu(relu, {
 *   params: [], xs: [Float32Array.of(-1, 0, 2)], batch: 1, y: new Float32Array(3), relu: false, prepared: undefined,
 *   scratch: new Scratch(),
 * });
 * if (y.join() !== "0,0,2") throw new Error(y.join());
 * ```
 */
export function opEntry(l: ResolvedLayer): OpEntry {
  const e = OPS[l.op] as OpEntry | undefined;
  if (!e) throw new TypeError(`no op entry for ${quote(String(l.op), 40)}`);
  return e;
}
