// The training op table: every training layer op's gradient entry
// (train/ops/<family>/grad.ts), by op name. The float64 reference
// (layer_reference.ts) and the WebGPU backward (train/webgpu/layer_backward.ts)
// dispatch through it; the forward kernels are the runtime's (runtime/ops/table.ts).

import type { TrainResolvedLayer } from "../layers.ts";
import type { GradEntry, TrainLayerOf } from "./grad_entry.ts";
import { CONV_GRAD, CONV_T_GRAD } from "./conv/grad.ts";
import { GLOBAL_AVG_POOL_GRAD, POOL_GRAD } from "./pool/grad.ts";
import { DENSE_GRAD } from "./dense/grad.ts";
import { UPSAMPLE_GRAD } from "./upsample/grad.ts";
import { ACT_GRAD, FLATTEN_GRAD } from "./activation/grad.ts";
import { DROPOUT_GRAD } from "./dropout/grad.ts";
import { BATCHNORM_GRAD } from "./batchnorm/grad.ts";
import { ADD_GRAD, CONCAT_GRAD, MUL_GRAD } from "./join/grad.ts";
import { CHANNEL_GRAD } from "./channel/grad.ts";
import { PAD_GRAD } from "./pad/grad.ts";
import { LRN_GRAD } from "./lrn/grad.ts";
import { SHUFFLE_GRAD } from "./shuffle/grad.ts";
import { TILE_GRAD } from "./tile/grad.ts";
import { INSTANCENORM_GRAD } from "./instancenorm/grad.ts";
import { DEPTH_GRAD } from "./depth/grad.ts";
import { CSLICE_GRAD } from "./slice/grad.ts";
import { quote } from "../../runtime/quote.ts";

/** One gradient entry per training op. */
export const GRADS: { readonly [K in TrainResolvedLayer["op"]]: GradEntry<TrainLayerOf<K>> } = {
  conv: CONV_GRAD,
  convT: CONV_T_GRAD,
  pool: POOL_GRAD,
  globalavgpool: GLOBAL_AVG_POOL_GRAD,
  dense: DENSE_GRAD,
  upsample: UPSAMPLE_GRAD,
  pad: PAD_GRAD,
  lrn: LRN_GRAD,
  shuffle: SHUFFLE_GRAD,
  instancenorm: INSTANCENORM_GRAD,
  depth: DEPTH_GRAD,
  cslice: CSLICE_GRAD,
  tile: TILE_GRAD,
  channel: CHANNEL_GRAD,
  act: ACT_GRAD,
  flatten: FLATTEN_GRAD,
  dropout: DROPOUT_GRAD,
  batchnorm: BATCHNORM_GRAD,
  add: ADD_GRAD,
  concat: CONCAT_GRAD,
  mul: MUL_GRAD,
};

/**
 * The gradient entry of layer `l`'s op.
 *
 * @example
 * ```ts
 * import { resolveTrainLayers } from "../layers.ts";
 * import { gradEntry } from "./table.ts";
 * const [sig] = resolveTrainLayers([{ type: "sigmoid" }], [2]);
 * if (gradEntry(sig).inputsToSave(sig).y !== true) throw new Error("sigmoid′ reads y");
 * ```
 */
export function gradEntry(l: TrainResolvedLayer): GradEntry {
  const e = GRADS[l.op] as GradEntry | undefined;
  if (!e) throw new TypeError(`no gradient entry for ${quote(String(l.op), 40)}`);
  return e;
}
