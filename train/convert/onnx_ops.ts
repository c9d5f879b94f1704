// The one table of ONNX operators the converter maps: each op folder's entries
// (train/ops/<family>/onnx.ts) and the graph-level ops (graph_ops.ts), merged.
// Invariant: an operator appears in exactly one folder's entries (checked
// here at import: a duplicate is a programming error, not a user's).

import { ONNX_ACTIVATION } from "../ops/activation/onnx.ts";
import { ONNX_BATCHNORM } from "../ops/batchnorm/onnx.ts";
import { ONNX_CHANNEL } from "../ops/channel/onnx.ts";
import { ONNX_LRN } from "../ops/lrn/onnx.ts";
import { ONNX_SHUFFLE } from "../ops/shuffle/onnx.ts";
import { ONNX_INSTANCENORM } from "../ops/instancenorm/onnx.ts";
import { ONNX_DEPTH } from "../ops/depth/onnx.ts";
import { ONNX_SLICE } from "../ops/slice/onnx.ts";
import { ONNX_TILE } from "../ops/tile/onnx.ts";
import { ONNX_CONV } from "../ops/conv/onnx.ts";
import { ONNX_DENSE } from "../ops/dense/onnx.ts";
import { ONNX_JOIN } from "../ops/join/onnx.ts";
import { ONNX_POOL } from "../ops/pool/onnx.ts";
import { ONNX_UPSAMPLE } from "../ops/upsample/onnx.ts";
import { ONNX_GRAPH } from "./graph_ops.ts";
import type { OnnxMapper } from "./onnx_node.ts";
import { ACTIVATIONS } from "../../runtime/ops/activation/table.ts";

const PARTS = [
  ONNX_GRAPH,
  ONNX_CONV,
  ONNX_BATCHNORM,
  ONNX_ACTIVATION,
  ONNX_CHANNEL,
  ONNX_LRN,
  ONNX_SHUFFLE,
  ONNX_INSTANCENORM,
  ONNX_DEPTH,
  ONNX_SLICE,
  ONNX_POOL,
  ONNX_DENSE,
  ONNX_JOIN,
  ONNX_UPSAMPLE,
  ONNX_TILE,
];

/**
 * Most inputs each mapped or constant-folded operator takes in ONNX
 * (Operators.md, opsets 7–21, optional inputs counted): a node with more is
 * refused by name, never read as if the extra inputs were not there.
 */
export const ONNX_MAX_INPUTS: Readonly<Record<string, number>> = {
  // the activation table's operators (runtime/ops/activation/table.ts) are unary: one input each
  ...Object.fromEntries(Object.values(ACTIVATIONS).flatMap((a) => a.onnx ? [[a.onnx.op, 1]] : [])),
  Constant: 0,
  Identity: 1,
  Dropout: 3,
  Shape: 1,
  Pad: 4,
  Flatten: 1,
  Reshape: 2,
  Squeeze: 2,
  Unsqueeze: 2,
  Conv: 3,
  ConvTranspose: 3,
  BatchNormalization: 5,
  PRelu: 2,
  LRN: 1,
  Pow: 2,
  Tile: 2,
  InstanceNormalization: 3,
  DepthToSpace: 1,
  Split: 2,
  Slice: 5,
  SpaceToDepth: 1,
  Transpose: 1,
  Clip: 3,
  Softmax: 1,
  LogSoftmax: 1,
  MaxPool: 1,
  AveragePool: 1,
  GlobalAveragePool: 1,
  ReduceMean: 2,
  ReduceSum: 2,
  ReduceMax: 2,
  Gemm: 3,
  MatMul: 2,
  Add: 2,
  Sub: 2,
  Mul: 2,
  Div: 2,
  Sum: 2_147_483_647,
  Mean: 2_147_483_647,
  Concat: 2_147_483_647,
  Resize: 4,
  Upsample: 2,
  // folded only (fold_const.ts), never mapped to a layer
  Cast: 1,
  Gather: 2,
  ConstantOfShape: 1,
  Range: 3,
  Floor: 1,
  Ceil: 1,
};

function merge(parts: Record<string, OnnxMapper>[]): Map<string, OnnxMapper> {
  const all = new Map<string, OnnxMapper>();
  for (const p of parts) {
    for (const [op, f] of Object.entries(p)) {
      if (all.has(op)) throw new Error(`ONNX op ${op} has two mapping entries`);
      if (!(op in ONNX_MAX_INPUTS)) throw new Error(`ONNX op ${op} has no entry in ONNX_MAX_INPUTS`);
      all.set(op, f);
    }
  }
  return all;
}

/**
 * Every mapped ONNX operator and its entry.
 *
 * @example
 * ```ts
 * import { ONNX_OPS } from "./onnx_ops.ts";
 * if (!ONNX_OPS.has("Conv") || !ONNX_OPS.has("HardSigmoid") || ONNX_OPS.has("LSTM")) throw new Error();
 * ```
 */
export const ONNX_OPS: ReadonlyMap<string, OnnxMapper> = merge(PARTS);
