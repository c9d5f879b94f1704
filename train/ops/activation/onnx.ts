// ONNX activations → activation layers. The elementwise ones come from the
// activation table (runtime/ops/activation/table.ts: each entry names its
// ONNX operator and the attributes of α and β), so a new table entry with an
// `onnx` field converts with no change here. Clip (bounds as attributes
// before opset 11, as inputs since; 0..6 is relu6), Gelu (its exact form) and
// Softmax / LogSoftmax (the channel axis only) are written here.

import type { LayerSpec } from "../../../runtime/format/spec.ts";
import { type Activation, ACTIVATIONS } from "../../../runtime/ops/activation/table.ts";
import { type OnnxMapper, same } from "../../convert/onnx_node.ts";
import { attrFloat, attrInt, attrString } from "../../convert/onnx_proto.ts";

/** The mapping of a table activation: its layer, α and β read from the ONNX attributes the entry names. */
function fromTable(type: string, e: Activation): OnnxMapper {
  return (c) => {
    const x = c.value(0);
    c.noPad(x);
    const spec: Record<string, unknown> = { type };
    if (e.onnx?.alpha && e.alpha) spec[e.alpha.key] = attrFloat(c.n, e.onnx.alpha, e.alpha.default);
    if (e.onnx?.beta && e.beta) spec[e.beta.key] = attrFloat(c.n, e.onnx.beta, e.beta.default);
    c.set(c.emit(spec as unknown as LayerSpec, [x], [], x.shape));
  };
}

/** Clip. */
const mapClip: OnnxMapper = (ctx) => {
  const { n, opset, get, value, cst, set, emit, noPad } = ctx;
  const x = value(0);
  noPad(x);
  let lo = -Infinity, hi = Infinity;
  if (opset < 11) {
    lo = attrFloat(n, "min", -Infinity);
    hi = attrFloat(n, "max", Infinity);
  } else {
    if (get(1)) lo = cst(1, "min").data[0];
    if (get(2)) hi = cst(2, "max").data[0];
  }
  const spec: Record<string, unknown> = lo === 0 && hi === 6 ? { type: "relu6" } : { type: "clip" };
  if (spec.type === "clip") {
    const f = (v: number) => Math.fround(v);
    if (Number.isFinite(f(lo))) spec.min = lo;
    if (Number.isFinite(f(hi))) spec.max = hi;
  }
  set(emit(spec as unknown as LayerSpec, [x], [], x.shape));
};

/** Gelu (opset 20): the exact (erf) form; the tanh approximation is refused. */
const mapGelu: OnnxMapper = (ctx) => {
  const x = ctx.value(0);
  ctx.noPad(x);
  const approx = attrString(ctx.n, "approximate", "none");
  if (approx !== "none") {
    ctx.no(`approximate ${JSON.stringify(approx.slice(0, 32))} is not supported (only "none")`);
  }
  ctx.set(ctx.emit({ type: "gelu" }, [x], [], x.shape));
};

/** Softmax and LogSoftmax. */
const mapSoftmax = (type: "softmax" | "logsoftmax"): OnnxMapper => (ctx) => {
  const { n, opset, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1;
  const given = attrInt(n, "axis", opset >= 13 ? -1 : 1);
  let axis = given < 0 ? given + r : given;
  if (axis < 1 || axis >= r) {
    no(`axis ${given} over (N,${x.shape.join(",")}): only a per-sample axis is supported`);
  }
  if (opset < 13) {
    // before opset 13 the input is flattened from `axis` on: one softmax over all of those dims, which is a
    // one-axis softmax only when at most one of them is not 1
    const tail = x.shape.slice(axis - 1);
    const big = tail.map((d, k) => (d > 1 ? k : -1)).filter((k) => k >= 0);
    if (big.length > 1) {
      no(`axis ${given} at opset ${opset} normalises (${tail.join(",")}) together: not supported`);
    }
    axis += big[0] ?? 0;
  }
  const per = axis - 1; // the per-sample axis, 0 = channels
  if (per > 0 && !same(x.shape, x.ours)) {
    no(`axis ${given} of (N,${x.shape.join(",")}) over a reshaped view is not supported`);
  }
  set(emit(per === 0 ? { type } : { type, axis: per }, [x], [], x.shape));
};

/** Pow by a constant exponent: 1 (x), 0.5 (sqrt), −1 (reciprocal), 2 and 3 (x·x, x·x·x); others refused. */
const mapPow: OnnxMapper = (ctx) => {
  const { value, cst, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const e = cst(1, "exponent");
  if (e.data.length !== 1) no("only a scalar exponent is supported");
  const p = e.data[0];
  const mul = (a: typeof x, b: typeof x) => emit({ type: "mul" }, [a, b], [], x.shape);
  if (p === 1) set(emit({ type: "identity" }, [x], [], x.shape));
  else if (p === 0.5) set(emit({ type: "sqrt" }, [x], [], x.shape));
  else if (p === -1) set(emit({ type: "reciprocal" }, [x], [], x.shape));
  else if (p === 2) set(mul(x, x));
  else if (p === 3) set(mul(mul(x, x), x));
  else no(`exponent ${p} is not supported (1, 0.5, −1, 2 and 3 are)`);
};

/** The ONNX operators this file maps. */
export const ONNX_ACTIVATION: Record<string, OnnxMapper> = {
  ...Object.fromEntries(
    Object.entries(ACTIVATIONS as Record<string, Activation>).flatMap(([type, e]) =>
      e.onnx && e.onnx.op !== "Identity" ? [[e.onnx.op, fromTable(type, e)]] : []
    ),
  ),
  Clip: mapClip,
  Gelu: mapGelu,
  Pow: mapPow,
  Softmax: mapSoftmax("softmax"),
  LogSoftmax: mapSoftmax("logsoftmax"),
};
