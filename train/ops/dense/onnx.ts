// ONNX Gemm and MatMul on flat (N,F) input with a constant B → dense.
// Shapes: our weight is (units, F) row-major, B is (F, units), or (units, F)
// with transB; alpha scales the weight, beta the bias C (per unit or scalar).

import { type OnnxMapper, prod } from "../../convert/onnx_node.ts";
import { attrFloat, attrInt } from "../../convert/onnx_proto.ts";

/** Gemm / MatMul. */
const mapGemm: OnnxMapper = (ctx) => {
  const { n, op, get, value, cst, set, emit, no, noPad } = ctx;
  const a = value(0);
  noPad(a);
  const bw = cst(1, "B");
  if (prod(a.shape) !== a.shape[0]) no(`input (N,${a.shape.join(",")}) must be flat (N,F)`);
  const inF = prod(a.shape);
  if (bw.dims.length !== 2) no(`B must be 2-D, got ${bw.dims}`);
  const transB = op === "Gemm" ? attrInt(n, "transB", 0) : 0;
  if (op === "Gemm" && attrInt(n, "transA", 0)) no("transA=1 is not supported");
  const [rows, cols] = bw.dims;
  const units = transB ? rows : cols;
  if ((transB ? cols : rows) !== inF) no(`B is ${rows}×${cols}, the input has ${inF} features`);
  const alpha = op === "Gemm" ? attrFloat(n, "alpha", 1) : 1,
    beta = op === "Gemm" ? attrFloat(n, "beta", 1) : 1;
  const w = new Float32Array(units * inF);
  for (let o = 0; o < units; o++) {
    for (let i = 0; i < inF; i++) {
      w[o * inF + i] = alpha * (transB ? bw.data[o * inF + i] : bw.data[i * units + o]);
    }
  }
  const params = [w];
  const c = op === "Gemm" && get(2) ? cst(2, "C") : undefined;
  if (c) {
    if (c.data.length !== units && c.data.length !== 1) {
      no(`C has ${c.data.length} values, expected ${units}`);
    }
    params.push(
      Float32Array.from({ length: units }, (_, o) => beta * c.data[c.data.length === 1 ? 0 : o]),
    );
  }
  set(emit({ type: "dense", units, bias: c !== undefined }, [a], params));
};

/** The ONNX operators this file maps. */
export const ONNX_DENSE: Record<string, OnnxMapper> = {
  Gemm: mapGemm,
  MatMul: mapGemm,
};
