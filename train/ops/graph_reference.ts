// Float64 reference of a whole training model, chain or graph: forward keeps
// every layer's output, backward walks the layers in reverse and sums the
// gradients of a layer read by several others (the multivariate chain rule).
// The oracle the graph tests hold both backends' training to.
// Shapes: x is (N, ...inShape); outs[i] is layer i's output (N, ...outShape).

import type { TrainResolvedLayer } from "../layers.ts";
import { trainParamShapes } from "../layers.ts";
import { backward64, forward64, type ForwardMode } from "./layer_reference.ts";
import { joinBackward64, joinForward64 } from "./join/reference.ts";
import { isJoin } from "../../runtime/format/spec.ts";

/** What graphForward64 keeps for graphBackward64. */
export interface GraphTape {
  x: Float64Array;
  outs: Float64Array[];
  caches: unknown[];
}

/**
 * Forward of every layer in order; `running[i]` are batchnorm i's running stats.
 *
 * @example
 * ```ts
 * import { graphForward64 } from "./graph_reference.ts";
 * import { resolveTrainLayers } from "../layers.ts";
 * const layers = resolveTrainLayers([{ type: "relu" }, { type: "add", inputs: ["input", 0] }], [2]);
 * const t = graphForward64(layers, [[], []], Float64Array.of(-1, 2), 1, { train: true });
 * if (t.outs[1].join() !== "-1,4") throw new Error(String(t.outs[1]));
 * ```
 */
export function graphForward64(
  layers: readonly TrainResolvedLayer[],
  params: Float64Array[][],
  x: Float64Array,
  batch: number,
  mode: ForwardMode,
  running: Float64Array[][] = [],
): GraphTape {
  const outs: Float64Array[] = [], caches: unknown[] = [];
  const value = (j: number) => (j < 0 ? x : outs[j]);
  layers.forEach((l, i) => {
    if (isJoin(l)) {
      outs.push(joinForward64(l, l.inputs.map(value), batch));
      caches.push(null);
      return;
    }
    const r = forward64(l, params[i], value(l.inputs[0]), batch, { ...mode, running: running[i] });
    outs.push(r.y);
    caches.push(r.cache);
  });
  return { x, outs, caches };
}

/** Backward from dOut = ∂L/∂output: gradients per layer (trainParamShapes order) and ∂L/∂x. */
export function graphBackward64(
  layers: readonly TrainResolvedLayer[],
  params: Float64Array[][],
  tape: GraphTape,
  dOut: Float64Array,
  batch: number,
): { grads: Float64Array[][]; dx: Float64Array } {
  const L = layers.length;
  const d: (Float64Array | null)[] = new Array(L).fill(null);
  d[L - 1] = dOut.slice();
  const dx = new Float64Array(tape.x.length);
  const grads = layers.map((l) =>
    trainParamShapes(l).map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)))
  );
  const accumulate = (j: number, g: Float64Array) => {
    if (j < 0) {
      for (let k = 0; k < g.length; k++) dx[k] += g[k];
      return;
    }
    const t = d[j];
    if (t === null) d[j] = g.slice();
    else for (let k = 0; k < g.length; k++) t[k] += g[k];
  };
  const value = (j: number) => (j < 0 ? tape.x : tape.outs[j]);
  for (let i = L - 1; i >= 0; i--) {
    const l = layers[i];
    const dy = d[i] ?? new Float64Array(tape.outs[i].length);
    if (isJoin(l)) {
      joinBackward64(l, dy, batch, l.inputs.map(value)).forEach((g, k) => accumulate(l.inputs[k], g));
      continue;
    }
    const r = backward64(l, params[i], value(l.inputs[0]), tape.outs[i], dy, batch, tape.caches[i]);
    r.dParams.forEach((g, k) => grads[i][k].set(g));
    accumulate(l.inputs[0], r.dx);
  }
  return { grads, dx };
}
