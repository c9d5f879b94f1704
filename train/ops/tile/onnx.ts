// ONNX Tile of a computed value → a tile layer (torch's `repeat`). The
// repeats are a constant; the batch axis repeats once. Tile of constants is
// folded before it gets here (train/convert/fold_const.ts).

import { type OnnxMapper, same } from "../../convert/onnx_node.ts";

/** Tile. */
const mapTile: OnnxMapper = (ctx) => {
  const { cst, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const reps = [...cst(1, "repeats").data];
  if (reps.length !== x.shape.length + 1) {
    no(`repeats ${reps.join(",")} must give one count per axis of (N,${x.shape.join(",")})`);
  }
  if (reps[0] !== 1) no(`repeating the batch axis (${reps[0]} times) is not supported`);
  if (!same(x.shape, x.ours)) no(`tiling the reshaped view (N,${x.shape.join(",")}) is not supported`);
  set(emit({ type: "tile", repeats: reps.slice(1) }, [x], []));
};

/** The ONNX operators this file maps. */
export const ONNX_TILE: Record<string, OnnxMapper> = {
  Tile: mapTile,
};
