// ONNX BatchNormalization (inference form) → folded into the conv, transposed
// conv or dense before it when it is that layer's only reader, else a
// per-channel scale layer (y = s_c·x + t_c). Invariant: the fold uses
// the node's epsilon: s = scale / sqrt(var + eps), t = B − mean·s.

import { affineLayer, bnScaleShift } from "./fold.ts";
import { CHANNEL_FOLDABLE, type OnnxMapper, scaleChannels } from "../../convert/onnx_node.ts";
import { attrFloat, attrInt } from "../../convert/onnx_proto.ts";

/** BatchNormalization. */
const mapBatchNormalization: OnnxMapper = (ctx) => {
  const { n, value, cst, set, emit, no, noPad, single, layers } = ctx;
  const x = value(0);
  noPad(x);
  if (attrInt(n, "training_mode", 0)) no("training_mode=1 is not supported");
  const [sc, bi, mean, vr] = [1, 2, 3, 4].map((k) => cst(k, ["scale", "B", "mean", "var"][k - 1]).data);
  const eps = attrFloat(n, "epsilon", 1e-5);
  const { s, t: shift } = bnScaleShift(sc, bi, mean, vr, eps);
  const prev = single(x) ? layers[x.layer] : null;
  const t = prev?.spec.type ?? "";
  if (prev && CHANNEL_FOLDABLE.includes(t)) {
    scaleChannels(prev, s, shift);
    set({ ...x });
  } else {
    const affine = affineLayer(s, shift);
    set(emit(affine.spec, [x], affine.params, x.shape));
  }
};

/** The ONNX operators this file maps. */
export const ONNX_BATCHNORM: Record<string, OnnxMapper> = {
  BatchNormalization: mapBatchNormalization,
};
