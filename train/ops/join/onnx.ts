// ONNX Add, Mul and Concat → the joins. Add of two computed values of one
// shape is an add layer; Add of a per-channel constant folds as the bias of
// the conv/dense before it; Mul takes x and an equal-shaped or per-channel
// (N,C,1,1) gate; Concat joins along the channel axis.

import {
  CHANNEL_FOLDABLE,
  type Const,
  type OnnxMapper,
  prod,
  same,
  scaleChannels,
  type Value,
} from "../../convert/onnx_node.ts";
import { attrInt } from "../../convert/onnx_proto.ts";

/** Add. */
const mapAdd: OnnxMapper = (ctx) => {
  const { get, set, emit, no, noPad, layers, soleReader } = ctx;
  const p = get(0), q = get(1);
  if (p?.kind === "value" && q?.kind === "value") {
    noPad(p);
    noPad(q);
    if (!same(p.ours, q.ours)) {
      no(
        `inputs (N,${p.shape.join(",")}) and (N,${q.shape.join(",")}) differ (broadcasting is not supported)`,
      );
    }
    set(emit({ type: "add" }, [p, q], [], p.shape));
    return;
  }
  const [v, c, vi] = p?.kind === "value" ? [p, q as Const, 0] : [q as Value, p as Const, 1];
  if (!v || !c) no("needs two inputs");
  noPad(v);
  const prev = soleReader(vi) && v.layer >= 0 ? layers[v.layer] : null;
  const ch = v.shape[0];
  const perChannel = c.data.length === ch && prod(c.dims) === ch &&
    (c.dims.length <= 1 || c.dims.slice(-v.shape.length).slice(1).every((e) => e === 1));
  if (
    !prev ||
    !CHANNEL_FOLDABLE.includes(prev.spec.type) ||
    !perChannel
  ) {
    no("adding a constant is supported only as the per-channel bias of the conv or dense before it");
  }
  scaleChannels(prev!, new Float64Array(ch).fill(1), c.data);
  set({ ...v });
};

/** Mul. */
const mapMul: OnnxMapper = (ctx) => {
  const { get, set, emit, no, noPad } = ctx;
  const p = get(0), q = get(1);
  if (p?.kind !== "value" || q?.kind !== "value") {
    no("multiplying by a constant is not supported (only two computed inputs: x and its gate)");
  }
  const [a, b] = [p as Value, q as Value];
  noPad(a);
  noPad(b);
  // the per-channel gate may come first or second
  const gateFirst = prod(a.shape) === a.shape[0] && prod(b.shape) !== b.shape[0];
  const [x, s] = gateFirst ? [b, a] : [a, b];
  if (!same(x.shape, s.shape) && !(s.shape[0] === x.shape[0] && prod(s.shape) === s.shape[0])) {
    no(
      `inputs (N,${a.shape.join(",")}) and (N,${
        b.shape.join(",")
      }): only equal shapes or a per-channel (N,C,1,1) gate`,
    );
  }
  set(emit({ type: "mul" }, [x, s], [], x.shape));
};

/** Concat. */
const mapConcat: OnnxMapper = (ctx) => {
  const { n, value, set, emit, no, noPad } = ctx;
  const xs = (n.input ?? []).map((_, k) => value(k));
  let axis = attrInt(n, "axis", 1);
  const r = xs[0].shape.length + 1;
  if (axis < 0) axis += r;
  if (axis !== 1) no(`axis ${axis} is not supported (only the channel axis 1)`);
  xs.forEach(noPad);
  const out = emit({ type: "concat" }, xs, []);
  set(out);
};

/** The ONNX operators this file maps. */
export const ONNX_JOIN: Record<string, OnnxMapper> = {
  Add: mapAdd,
  Mul: mapMul,
  Concat: mapConcat,
};
