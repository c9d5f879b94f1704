// ONNX Add, Sub, Mul, Div, Sum, Mean and Concat → the joins. Two computed
// values of one shape: add (Sub adds the neg of its second), Mul x by an
// equal-shaped or per-channel (N,C,1,1) gate; Sum/Mean are one n-ary add.
// A scalar or per-channel constant operand folds into the conv/dense before
// it (its scale and bias) or a scale layer before it, a scalar one otherwise into an affine layer, a
// per-channel one into a scale layer;
// Concat joins along the channel axis.

import {
  CHANNEL_FOLDABLE,
  type Const,
  type OnnxMapper,
  type OnnxNode,
  prod,
  same,
  scaleChannels,
  type Value,
} from "../../convert/onnx_node.ts";
import { attrInt } from "../../convert/onnx_proto.ts";
import { perChannel } from "../channel/onnx.ts";

/** The arithmetic ops that take a constant operand (Add, Sub, Mul, Div) and how each applies it. */
type Arith = "Add" | "Sub" | "Mul" | "Div";

/**
 * v ∘ c (or c ∘ v when `constFirst`) for a constant c that is one scalar or one value per channel, written as
 * y = s·v + t per channel. It folds into the conv / dense before it when that layer feeds this node alone
 * (per-channel or scalar), or into an affine layer before it (scalar); a scalar otherwise becomes an affine
 * layer. A per-channel constant after any other layer, or a constant of any other shape, is refused.
 */
function constantArith(ctx: OnnxNode, op: Arith, v: Value, c: Const, vi: number, constFirst: boolean): void {
  const { set, emit, no, noPad, layers, soleReader } = ctx;
  noPad(v);
  if (op === "Div" && constFirst) {
    no("dividing a constant by a computed value (a reciprocal) is not supported");
  }
  const ch = v.shape[0];
  const scalar = c.data.length === 1;
  const values = perChannel(c, v.shape);
  if (!values) {
    no(
      `a constant of shape (${c.dims.join(",")}) against (N,${
        v.shape.join(",")
      }): only a scalar or one value ` +
        `per channel`,
    );
  }
  // y = s·v + t with s, t per channel (a scalar repeats)
  const s = new Float64Array(ch), t = new Float64Array(ch);
  for (let i = 0; i < ch; i++) {
    const k = values![i];
    [s[i], t[i]] = op === "Add"
      ? [1, k]
      : op === "Sub"
      ? (constFirst ? [-1, k] : [1, -k])
      : op === "Mul"
      ? [k, 0]
      : [1 / k, 0];
  }
  const prev = soleReader(vi) && v.layer >= 0 ? layers[v.layer] : null;
  if (prev && CHANNEL_FOLDABLE.includes(prev.spec.type)) {
    scaleChannels(prev, s, t);
    set({ ...v });
    return;
  }
  const spec = prev?.spec as { type: string; scale?: number; shift?: number } | undefined;
  if (prev && spec?.type === "scale") {
    // (a_c·x + b_c)·s_c + t_c
    const [a, b] = prev.params;
    prev.params = [Float32Array.from(a, (v, i) => v * s[i]), Float32Array.from(b, (v, i) => v * s[i] + t[i])];
    set({ ...v });
    return;
  }
  if (!scalar) {
    set(emit({ type: "scale" }, [v], [Float32Array.from(s), Float32Array.from(t)], v.shape));
    return;
  }
  if (prev && spec?.type === "affine") {
    // (a·x + b)·s + t
    const a = spec.scale ?? 1, b = spec.shift ?? 0;
    spec.scale = a * s[0];
    spec.shift = b * s[0] + t[0];
    set({ ...v });
    return;
  }
  set(emit({ type: "affine", scale: s[0], shift: t[0] }, [v], [], v.shape));
}

/** Add, Sub, Mul, Div: two computed values (a join) or a value and a constant (constantArith). */
function arith(op: Arith): OnnxMapper {
  return (ctx) => {
    const { get, set, emit, no, noPad } = ctx;
    const p = get(0), q = get(1);
    if (!p || !q) return no("needs two inputs");
    if (p.kind === "value" && q.kind === "value") {
      noPad(p);
      noPad(q);
      if (op === "Add" || op === "Sub") {
        if (!same(p.ours, q.ours)) {
          no(
            `inputs (N,${p.shape.join(",")}) and (N,${
              q.shape.join(",")
            }) differ (broadcasting is not supported)`,
          );
        }
        const b = op === "Sub" ? emit({ type: "neg" }, [q], [], q.shape) : q;
        set(emit({ type: "add" }, [p, b], [], p.shape));
      } else if (op === "Mul") set(mulValues(ctx, p, q));
      else set(mulValues(ctx, p, emit({ type: "reciprocal" }, [q], [], q.shape))); // a / b = a · (1/b)
      return;
    }
    if (p.kind === "const") constantArith(ctx, op, q as Value, p, 1, true);
    else constantArith(ctx, op, p, q as Const, 0, false);
  };
}

/** Mul of two computed values: x and an equal-shaped or per-channel (N,C,1,1) gate, in either order. */
function mulValues(ctx: OnnxNode, a: Value, b: Value): Value {
  const gateFirst = prod(a.shape) === a.shape[0] && prod(b.shape) !== b.shape[0];
  const [x, s] = gateFirst ? [b, a] : [a, b];
  if (!same(x.shape, s.shape) && !(s.shape[0] === x.shape[0] && prod(s.shape) === s.shape[0])) {
    ctx.no(
      `inputs (N,${a.shape.join(",")}) and (N,${
        b.shape.join(",")
      }): only equal shapes or a per-channel (N,C,1,1) gate`,
    );
  }
  return ctx.emit({ type: "mul" }, [x, s], [], x.shape);
}

/** Sum and Mean of computed values of one shape: one n-ary add (Mean then scales it by 1/n). */
function naryAdd(mean: boolean): OnnxMapper {
  return (ctx) => {
    const { n, value, set, emit, no, noPad } = ctx;
    const xs = (n.input ?? []).map((_, k) => value(k));
    if (xs.length === 0) no("needs at least one input");
    xs.forEach(noPad);
    if (xs.some((x) => !same(x.ours, xs[0].ours))) {
      no(
        `inputs ${
          xs.map((x) => `(N,${x.shape.join(",")})`).join(", ")
        } differ (broadcasting is not supported)`,
      );
    }
    let y = xs.length === 1 ? xs[0] : emit({ type: "add" }, xs, [], xs[0].shape);
    if (mean && xs.length > 1) y = emit({ type: "affine", scale: 1 / xs.length, shift: 0 }, [y], [], y.shape);
    set(y);
  };
}

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
  Add: arith("Add"),
  Sub: arith("Sub"),
  Mul: arith("Mul"),
  Div: arith("Div"),
  Sum: naryAdd(false),
  Mean: naryAdd(true),
  Concat: mapConcat,
};
