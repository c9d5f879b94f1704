// The activation layer types' resolvers: every entry of the activation table
// (runtime/ops/activation/table.ts; α and β from the spec's parameters as the
// table names them), softmax and logsoftmax over the channels or another
// per-sample axis (`axis`), and relu6 (clip to [0, 6]). x and y are of one
// shape; around the column axis a sample is (outer, c, spatial).

import { type Activation, ACTIVATIONS, type ElementwiseAct, isColumnAct } from "./table.ts";
import type { ActivationType, LayerSpec } from "../../format/spec_types.ts";
import { fieldsOf, finiteNumber, int, type LayerBase, type Resolver } from "../../format/spec_fields.ts";

function activation(act: ActivationType, fixed?: [number, number]): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    let [alpha, beta] = fixed ?? [0, 0];
    if (!fixed && !isColumnAct(act)) {
      const e: Activation = ACTIVATIONS[act];
      const p = fieldsOf(spec);
      if (e.alpha) alpha = finiteNumber(p[e.alpha.key], `${what}.${e.alpha.key}`, e.alpha.default);
      if (e.beta) beta = finiteNumber(p[e.beta.key], `${what}.${e.beta.key}`, e.beta.default);
    }
    if (act === "clip" && alpha > beta) throw new RangeError(`${what}: min ${alpha} exceeds max ${beta}`);
    if (act === "celu" && alpha === 0) throw new RangeError(`${what}: celu's alpha must not be 0`);
    // a column activation runs along one per-sample axis: (outer, c, spatial) around it
    let axis = 0;
    const p = fieldsOf(spec);
    if (isColumnAct(act) && p.axis !== undefined) axis = int(p.axis, `${what}.axis`, 0, inShape.length - 1);
    const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const c = inShape[axis], spatial = prod(inShape.slice(axis + 1)), outer = prod(inShape.slice(0, axis));
    return { ...base, outShape: [...inShape], op: "act", act, alpha, beta, c, spatial, outer };
  };
}

/** The activation family's resolvers by layer type. */
export const ACTIVATION_RESOLVERS: Record<string, Resolver> = {
  ...Object.fromEntries((Object.keys(ACTIVATIONS) as ElementwiseAct[]).map((a) => [a, activation(a)])),
  softmax: activation("softmax"),
  logsoftmax: activation("logsoftmax"),
  relu6: activation("clip", [0, 6]),
};
