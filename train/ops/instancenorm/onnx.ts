// ONNX InstanceNormalization → an instancenorm layer (scale and B as its
// parameters, epsilon as ONNX defines it).

import { type OnnxMapper, prod } from "../../convert/onnx_node.ts";
import { attrFloat } from "../../convert/onnx_proto.ts";

/** InstanceNormalization. */
const mapInstanceNorm: OnnxMapper = (ctx) => {
  const { n, value, cst, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const [s, b] = [cst(1, "scale"), cst(2, "B")];
  const c = x.shape[0];
  if (s.data.length !== c || b.data.length !== c || prod(s.dims) !== c) {
    no(`scale and B must have ${c} values (one per channel), got ${s.data.length} and ${b.data.length}`);
  }
  const spec = { type: "instancenorm" as const, epsilon: attrFloat(n, "epsilon", 1e-5) };
  set(emit(spec, [x], [Float32Array.from(s.data), Float32Array.from(b.data)], x.shape));
};

/** The ONNX operators this file maps. */
export const ONNX_INSTANCENORM: Record<string, OnnxMapper> = {
  InstanceNormalization: mapInstanceNorm,
};
