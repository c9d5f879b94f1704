// ONNX Conv and ConvTranspose → conv2d/conv1d and their transposed forms
// (train/convert/ maps through this entry). A Pad pending before a Conv
// merges into its padding; auto_pad SAME_UPPER/SAME_LOWER/VALID map to ours;
// a 1×1 ungrouped Conv on pooled (C,1,1) features becomes a dense layer.
// Shapes: weight (O, I/groups, kh, kw) for Conv, (I, O/groups, kh, kw) for
// ConvTranspose, as the format's own.

import type { LayerSpec } from "../../../runtime/format/spec.ts";
import { type OnnxMapper, ourPad, prod, same } from "../../convert/onnx_node.ts";
import { attr, attrInt, attrInts, attrString } from "../../convert/onnx_proto.ts";

/** Conv / ConvTranspose. */
const mapConv: OnnxMapper = (ctx) => {
  const { n, op, get, value, cst, set, emit, no, spatial } = ctx;
  const x = value(0);
  // a 1×1 conv on pooled (C, 1, 1) features (squeeze-excitation) is a dense layer
  if (
    op === "Conv" && x.ours.length === 1 && x.shape.length > 1 && prod(x.shape) === x.shape[0] &&
    !x.pad
  ) {
    const w = cst(1, "weight");
    const b = get(2) ? cst(2, "bias") : undefined;
    if (prod(w.dims.slice(2)) !== 1 || attrInt(n, "group", 1) !== 1 || w.dims[1] !== x.shape[0]) {
      no("on pooled (C, 1, 1) features only an ungrouped 1×1 conv is supported");
    }
    const pads = attrInts(n, "pads", []) ?? [];
    if (pads.some((p) => p !== 0)) no("padding a pooled (C, 1, 1) input is not supported");
    const units = w.dims[0];
    const params = [Float32Array.from(w.data), ...(b ? [Float32Array.from(b.data)] : [])];
    set(
      emit({ type: "dense", units, bias: b !== undefined }, [x], params, [
        units,
        ...x.shape.slice(1),
      ]),
    );
    return;
  }
  const d = spatial(x, op);
  const w = cst(1, "weight");
  if (w.dims.length !== d + 2) no(`weight has ${w.dims.length} dims, expected ${d + 2}`);
  const b = get(2) ? cst(2, "bias") : undefined;
  const group = attrInt(n, "group", 1);
  const k = w.dims.slice(2);
  const ks = attrInts(n, "kernel_shape", k)!;
  if (!same(ks, k)) no(`kernel_shape ${ks} does not match the weight's ${k}`);
  const strides = attrInts(n, "strides", k.map(() => 1))!;
  const dil = attrInts(n, "dilations", k.map(() => 1))!;
  const auto = attrString(n, "auto_pad", "NOTSET");
  let pads = attrInts(n, "pads", k.map(() => 0).concat(k.map(() => 0)))!;
  const transposed = op === "ConvTranspose";
  if (x.pad) {
    if (transposed) no("a Pad before ConvTranspose is not supported");
    if (auto !== "NOTSET" && auto !== "VALID") no(`a Pad before auto_pad ${auto} is not supported`);
    pads = pads.map((p, i) => p + x.pad![i]);
  }
  const filters = transposed ? w.dims[1] * group : w.dims[0];
  const pair = (v: number[]) => (d === 2 ? [v[0], v[1]] : v[0]);
  let padding: unknown;
  if (auto === "SAME_UPPER" && !transposed) padding = "same";
  else if (auto === "VALID") padding = "valid";
  else if (auto === "SAME_LOWER" && !transposed) {
    // total as "same", the extra cell before
    const sp = x.shape.slice(1);
    const tot = sp.map((len, i) =>
      Math.max(0, (Math.ceil(len / strides[i]) - 1) * strides[i] + dil[i] * (k[i] - 1) + 1 - len)
    );
    padding = ourPad([...tot.map((t) => Math.ceil(t / 2)), ...tot.map((t) => Math.floor(t / 2))], d);
  } else if (auto === "NOTSET") padding = ourPad(pads, d);
  else no(`auto_pad ${auto} is not supported here`);
  const spec: Record<string, unknown> = {
    type: transposed ? (d === 2 ? "conv2dtranspose" : "conv1dtranspose") : (d === 2 ? "conv2d" : "conv1d"),
    filters,
    kernel: pair(k),
    stride: pair(strides),
    dilation: pair(dil),
    padding,
    groups: group,
    bias: b !== undefined,
  };
  if (transposed) {
    const op2 = attrInts(n, "output_padding", k.map(() => 0))!;
    spec.outputPadding = pair(op2);
    if (attr(n, "output_shape")) no("output_shape is not supported (give pads and output_padding)");
  }
  const params = [Float32Array.from(w.data)];
  if (b) {
    if (b.data.length !== filters) no(`bias has ${b.data.length} values, expected ${filters}`);
    params.push(Float32Array.from(b.data));
  }
  set(emit(spec as unknown as LayerSpec, [x], params));
};

/** The ONNX operators this file maps. */
export const ONNX_CONV: Record<string, OnnxMapper> = {
  Conv: mapConv,
  ConvTranspose: mapConv,
};
