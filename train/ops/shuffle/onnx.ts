// ONNX channel shuffle → a shuffle layer. torch.onnx writes ShuffleNet's
// channel shuffle as Reshape (N,C,…) → (N,g,C/g,…), Transpose perm
// (0,2,1,3,…), Reshape back: the first Reshape is a view (mapReshape keeps
// the data as they are, train/convert/graph_ops.ts), this Transpose is the
// shuffle, and the last Reshape a view again. Any other Transpose of a
// computed value is refused.

import type { OnnxMapper } from "../../convert/onnx_node.ts";
import { attrInts } from "../../convert/onnx_proto.ts";

/** Transpose (of a computed value: only the channel shuffle). */
const mapTranspose: OnnxMapper = (ctx) => {
  const { n, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1;
  const perm = attrInts(n, "perm", undefined) ?? Array.from({ length: r }, (_, k) => r - 1 - k);
  const [g, per, ...rest] = x.shape;
  const shuffle = r === x.ours.length + 2 && g * per === x.ours[0] &&
    rest.every((d, k) => d === x.ours[k + 1]) &&
    perm.every((p, k) => p === (k === 1 ? 2 : k === 2 ? 1 : k));
  if (!shuffle) {
    no(
      `perm ${perm.join(",")} of (N,${x.shape.join(",")}) is not supported (only the channel shuffle: ` +
        `(N,g,C/g,…) with perm 0,2,1,…)`,
    );
  }
  set(emit({ type: "shuffle", groups: g }, [x], [], [per, g, ...rest]));
};

/** The ONNX operators this file maps. */
export const ONNX_SHUFFLE: Record<string, OnnxMapper> = {
  Transpose: mapTranspose,
};
