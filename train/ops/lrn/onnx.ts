// ONNX LRN → an lrn layer (size, alpha, beta, bias as ONNX defines them).

import type { OnnxMapper } from "../../convert/onnx_node.ts";
import { attrFloat, attrInt } from "../../convert/onnx_proto.ts";

/** LRN. */
const mapLrn: OnnxMapper = (ctx) => {
  const { n, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const size = attrInt(n, "size", 0);
  if (size < 1) no("size is required (≥ 1)");
  const spec = {
    type: "lrn" as const,
    size,
    alpha: attrFloat(n, "alpha", 1e-4),
    beta: attrFloat(n, "beta", 0.75),
    bias: attrFloat(n, "bias", 1),
  };
  set(emit(spec, [x], [], x.shape));
};

/** The ONNX operators this file maps. */
export const ONNX_LRN: Record<string, OnnxMapper> = {
  LRN: mapLrn,
};
