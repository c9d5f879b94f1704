// The graph-level ONNX ops, which emit no computing layer of their own:
// Constant, Identity and Dropout (aliases), Shape (a constant: the shapes are
// static), Pad (a zero one held on its value until the Conv/AveragePool that
// reads it, else, and reflect / edge / a nonzero constant, a pad layer),
// Flatten, and Reshape/Squeeze/Unsqueeze (only flattening, or unit dims).

import { type Const, flatten, type OnnxMapper, prod, same } from "./onnx_node.ts";
import type { PadMode } from "../../runtime/format/spec.ts";
import { attr, attrFloat, attrInt, attrInts, attrString, tensorValues } from "./onnx_proto.ts";

/** Constant. */
const mapConstant: OnnxMapper = (ctx) => {
  const { n, name, set, no } = ctx;
  const t = attr(n, "value");
  if (t?.t) set({ kind: "const", ...tensorValues(t.t, `${name} value`) });
  else if (attr(n, "value_float")) {
    set({ kind: "const", dims: [], data: Float64Array.of(attrFloat(n, "value_float", 0)) });
  } else if (attr(n, "value_ints")) {
    const v = attrInts(n, "value_ints", [])!;
    set({ kind: "const", dims: [v.length], data: Float64Array.from(v) });
  } else if (attr(n, "value_int")) {
    set({ kind: "const", dims: [], data: Float64Array.of(attrInt(n, "value_int", 0)) });
  } else no("only value, value_float, value_int and value_ints constants are supported");
};

/** Identity / Dropout. */
const mapIdentity: OnnxMapper = (ctx) => {
  const { get, set } = ctx;
  set(get(0)!);
};

/** Shape. */
const mapShape: OnnxMapper = (ctx) => {
  const { value, set } = ctx;
  const v = value(0);
  set({ kind: "const", dims: [v.shape.length + 1], data: Float64Array.from([1, ...v.shape]) });
};

/** Pad. */
const mapPad: OnnxMapper = (ctx) => {
  const { n, opset, get, value, cst, set, no, noPad, padLayer } = ctx;
  const v = value(0);
  const mode = attrString(n, "mode", "constant");
  if (mode !== "constant" && mode !== "reflect" && mode !== "edge") {
    no(`mode ${JSON.stringify(mode.slice(0, 32))} is not supported (constant, reflect and edge are)`);
  }
  const pads = opset >= 11 ? [...cst(1, "pads").data] : attrInts(n, "pads", [])!;
  const cv = opset >= 11 ? get(2) : undefined;
  const fill = cv ? (cv as Const).data[0] : attrFloat(n, "value", 0);
  if (opset >= 18 && get(3)) no("the axes input is not supported (pads over every axis)");
  const r = v.shape.length + 1;
  if (pads.length !== 2 * r || pads[0] || pads[1] || pads[r] || pads[r + 1]) {
    no("only spatial padding is supported (none on N and C)");
  }
  if (pads.some((p) => p < 0)) no("negative pads (cropping) are not supported");
  const sp = [...pads.slice(2, r), ...pads.slice(r + 2)];
  if (mode !== "constant" || fill !== 0) {
    // reflect, edge or a nonzero constant: a pad layer now (after any zero Pad still pending)
    noPad(v);
    set(padLayer(v, sp, mode as PadMode, fill));
    return;
  }
  // a zero Pad waits for the Conv / AveragePool that reads it (merged into its padding) or becomes a layer
  const prev = v.pad ?? sp.map(() => 0);
  set({ ...v, pad: sp.map((p, i) => p + prev[i]) });
};

/** Flatten. */
const mapFlatten: OnnxMapper = (ctx) => {
  const { n, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  let axis = attrInt(n, "axis", 1);
  if (axis < 0) axis += x.shape.length + 1;
  if (axis !== 1) no(`axis ${axis} is not supported (only 1: keep the batch)`);
  set(flatten(x, emit));
};

/** Reshape / Squeeze / Unsqueeze. */
const mapReshape: OnnxMapper = (ctx) => {
  const { n, op, opset, get, value, cst, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const total = prod(x.shape);
  let target: number[];
  if (op === "Reshape") {
    const full = [1, ...x.shape];
    target = [...cst(1, "shape").data].map((v, i) => (v === 0 ? full[i] : v));
    if (target[0] === -1) target[0] = 1; // the batch (N = 1 while folding)
    const known = target.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    target = target.map((v) => (v === -1 ? total / known : v));
  } else {
    const axes = opset >= 13 && get(1) ? [...cst(1, "axes").data] : attrInts(n, "axes", undefined);
    const full = [1, ...x.shape];
    if (op === "Squeeze") {
      const r = full.length;
      const ax = (axes ?? full.map((v, i) => (v === 1 && i > 0 ? i : -1)).filter((i) => i >= 0)).map((
        a,
      ) => (a < 0 ? a + r : a));
      if (ax.includes(0)) no("squeezing the batch axis is not supported");
      target = full.filter((_, i) => !ax.includes(i));
    } else {
      target = [...full];
      for (
        const a of [...(axes ?? [])].map((a) => (a < 0 ? a + full.length + (axes ?? []).length : a))
          .sort((p, q) => p - q)
      ) {
        target.splice(a, 0, 1);
      }
    }
  }
  if (target.length < 1 || target[0] !== 1 && target[0] !== -1) {
    no(`reshaping the batch axis (to ${target}) is not supported`);
  }
  const per = target.slice(1);
  if (prod(per) !== total) {
    no(`target (N,${per.join(",")}) has another size than the input (N,${x.shape.join(",")})`);
  }
  if (same(per, x.shape)) set(x);
  else if (per.length === 1) set(flatten(x, emit));
  else if (
    prod(x.ours) === total && same(
      per.filter((v) => v !== 1),
      x.ours.filter((v) => v !== 1),
    ) && per.length >= x.ours.length
  ) {
    set({ ...x, shape: per }); // only unit dims change
  } else if (
    per.length === x.shape.length + 1 && per[0] * per[1] === x.shape[0] &&
    same(per.slice(2), x.shape.slice(1)) &&
    same(x.shape, x.ours)
  ) {
    set({ ...x, shape: per }); // the channels split as (g, C/g): a view, for the channel shuffle's Transpose
  } else if (
    per.length === 5 && x.shape.length === 3 && same(x.shape, x.ours) &&
    per[0] * per[1] * per[2] === x.shape[0] &&
    same(per.slice(3), x.shape.slice(1))
  ) {
    set({ ...x, shape: per }); // an image's channels split in three (C/b², b, b or b, b, C/b²): for depth→space
  } else if (
    per.length === 5 && x.shape.length === 3 && same(x.shape, x.ours) && per[0] === x.shape[0] &&
    per[2] === per[4] && per[1] * per[2] === x.shape[1] && per[3] * per[4] === x.shape[2]
  ) {
    set({ ...x, shape: per }); // an image's rows and columns split as (H/b, b, W/b, b): for space→depth
  } else {no(
      `reshape (N,${x.shape.join(",")}) → (N,${per.join(",")}) is not supported (only flattening)`,
    );}
};

/** The ONNX operators this file maps. */
export const ONNX_GRAPH: Record<string, OnnxMapper> = {
  Constant: mapConstant,
  Identity: mapIdentity,
  Dropout: mapIdentity,
  Shape: mapShape,
  Pad: mapPad,
  Flatten: mapFlatten,
  Reshape: mapReshape,
  Squeeze: mapReshape,
  Unsqueeze: mapReshape,
};
