// Small ONNX models built in the tests (protobuf through the converter's own
// onnx-proto binding): one graph input "x" of (N, ...shape), one output "y".

import { onnx } from "../../train/convert/onnx_proto.ts";

/** A one-node-after-input ONNX model built here (input (N, ...shape)), for the refusals. */
export function tiny(
  nodes: object[],
  shape: (number | string)[],
  inits: object[] = [],
  opset = 13,
): Uint8Array {
  const vi = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: "t",
      node: nodes,
      initializer: inits,
      input: [vi("x", ["N", ...shape])],
      output: [vi("y", ["N"])],
    },
  })).finish();
}
/** An INTS attribute. */
export const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
/** A STRING attribute. */
export const str = (name: string, v: string) => ({ name, type: 3, s: new TextEncoder().encode(v) });
/** A float initializer. */
export const fl = (name: string, dims: number[], v: number[]) => ({ name, dims, dataType: 1, floatData: v });
