// Layer specs of the closed op set: the table of layer types, each resolved
// by its op's resolver (runtime/ops/<family>/resolve.ts, on the shared field
// parsers of spec_fields.ts), joins and graphs, parameter shapes and the
// receptive field. Invariants: per-sample shapes are (C,H,W) for 2-D layers,
// (C,L) for 1-D layers and (F) for flat ones; batches are N-major (NCHW). A
// resolved conv/pool layer is always described in 2-D form (1-D layers have
// kh = sh = dh = 1, no top/bottom padding, H = 1) so one kernel serves both.
// Every check throws TypeError (shape/type) or RangeError (limits); the format
// decoder turns those into ModelFormatError.

import { FLT_MAX } from "../ops/activation/table.ts";
import { JOIN_OPS, type LayerLinks, linkInputs } from "../graph.ts";
import type { LayerSpec, ResolvedLayer } from "./spec_types.ts";
import { checkElements, int, LIMITS, type Resolver } from "./spec_fields.ts";
import { CONV_RESOLVERS } from "../ops/conv/resolve.ts";
import { POOL_RESOLVERS } from "../ops/pool/resolve.ts";
import { UPSAMPLE_RESOLVERS } from "../ops/upsample/resolve.ts";
import { DENSE_RESOLVERS } from "../ops/dense/resolve.ts";
import { ACTIVATION_RESOLVERS } from "../ops/activation/resolve.ts";
import { CHANNEL_RESOLVERS } from "../ops/channel/resolve.ts";
import { PAD_RESOLVERS } from "../ops/pad/resolve.ts";
import { LRN_RESOLVERS } from "../ops/lrn/resolve.ts";
import { SHUFFLE_RESOLVERS } from "../ops/shuffle/resolve.ts";
import { INSTANCENORM_RESOLVERS } from "../ops/instancenorm/resolve.ts";
import { DEPTH_RESOLVERS } from "../ops/depth/resolve.ts";
import { SLICE_RESOLVERS } from "../ops/slice/resolve.ts";
import { TILE_RESOLVERS } from "../ops/tile/resolve.ts";
import { quote } from "../quote.ts";

export type * from "./spec_types.ts";
export { LIMITS, outSize } from "./spec_fields.ts";

/** The largest finite float32, the default bounds of `clip`. */
export { FLT_MAX };

/** Each single-input layer type's resolver, from its op folder. */
const RESOLVERS: Record<string, Resolver> = {
  ...CONV_RESOLVERS,
  ...POOL_RESOLVERS,
  ...UPSAMPLE_RESOLVERS,
  ...PAD_RESOLVERS,
  ...LRN_RESOLVERS,
  ...SHUFFLE_RESOLVERS,
  ...INSTANCENORM_RESOLVERS,
  ...DEPTH_RESOLVERS,
  ...SLICE_RESOLVERS,
  ...TILE_RESOLVERS,
  ...CHANNEL_RESOLVERS,
  ...DENSE_RESOLVERS,
  ...ACTIVATION_RESOLVERS,
};

/** Every layer type a spec may name: the resolvers' types, then the joins. */
export const LAYER_TYPES: readonly string[] = [...Object.keys(RESOLVERS), ...JOIN_OPS];

/** Validate an input shape: (C,H,W), (C,L) or (F). */
export function checkInputShape(shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3) {
    throw new TypeError(`input shape must be [C,H,W], [C,L] or [F], got ${quote(shape)}`);
  }
  const s = shape.map((v, i) => int(v, `input shape[${i}]`, 1, LIMITS.maxDim));
  checkElements(s, "input");
  return s;
}

/** Resolve one layer against its input shape. Throws TypeError/RangeError. */
export function resolveLayer(spec: LayerSpec, inShape: number[], index = 0): ResolvedLayer {
  const what = `layer ${index} (${(spec as { type?: unknown })?.type})`;
  if (spec === null || typeof spec !== "object" || typeof spec.type !== "string") {
    throw new TypeError(`layer ${index} must be an object with a string "type", got ${quote(spec)}`);
  }
  if (!LAYER_TYPES.includes(spec.type)) {
    throw new TypeError(`${what}: unknown layer type; expected one of ${LAYER_TYPES.join(", ")}`);
  }
  if (JOIN_OPS.includes(spec.type)) {
    throw new TypeError(`${what} joins several inputs: give it "inputs" (2 or more earlier layers)`);
  }
  return RESOLVERS[spec.type](spec, inShape, { spec, inShape, inputs: [index - 1] }, what);
}

/**
 * Resolve a join (add, concat) against the output shapes of its inputs.
 * Throws TypeError when the shapes do not agree.
 */
export function resolveJoin(
  spec: LayerSpec,
  inShapes: number[][],
  inputs: number[],
  index = 0,
): ResolvedLayer {
  const what = `layer ${index} (${spec.type})`;
  const show = (s: number[]) => `(${s.join(",")})`;
  if (inShapes.length < 2) {
    throw new TypeError(`${what} needs 2 or more inputs, got ${inShapes.length}`);
  }
  const first = inShapes[0];
  const base = { spec, inShape: [...first], inputs: [...inputs] };
  if (spec.type === "add") {
    inShapes.forEach((s, k) => {
      if (s.length !== first.length || s.some((d, j) => d !== first[j])) {
        throw new TypeError(
          `${what}: input ${k} (layer ${inputs[k]}) has shape ${show(s)}, input 0 has ${
            show(first)
          }; add needs one shape`,
        );
      }
    });
    return { ...base, outShape: [...first], op: "add", n: inShapes.length };
  }
  if (spec.type === "mul") {
    if (inShapes.length !== 2) {
      throw new TypeError(`${what} takes exactly 2 inputs (x, scale), got ${inShapes.length}`);
    }
    const s = inShapes[1], per = (v: number[]) => v.reduce((a, b) => a * b, 1);
    const sameShape = s.length === first.length && s.every((d, j) => d === first[j]);
    // one value per channel: (C), or (C, 1, 1) / (C, 1)
    const perChannel = s[0] === first[0] && per(s) === first[0] && first.length > 1;
    if (!sameShape && !perChannel) {
      throw new TypeError(
        `${what}: input 1 (layer ${inputs[1]}) has shape ${show(s)}; mul needs input 0's shape ${
          show(first)
        } or one value per channel (${first[0]})`,
      );
    }
    const spatial = per(first) / first[0];
    return { ...base, outShape: [...first], op: "mul", c: first[0], spatial, broadcast: !sameShape };
  }
  if (spec.type !== "concat") throw new TypeError(`${what} is not a join (add, concat, mul)`);
  inShapes.forEach((s, k) => {
    if (s.length !== first.length || s.some((d, j) => j > 0 && d !== first[j])) {
      throw new TypeError(
        `${what}: input ${k} (layer ${inputs[k]}) has shape ${show(s)}, input 0 has ${
          show(first)
        }; concat joins channels (dim 0), the other dims must agree`,
      );
    }
  });
  const channels = inShapes.map((s) => s[0]);
  const c = channels.reduce((a, b) => a + b, 0);
  if (c > LIMITS.maxDim) throw new RangeError(`${what}: ${c} channels exceed ${LIMITS.maxDim}`);
  const outShape = [c, ...first.slice(1)];
  checkElements(outShape, what);
  return { ...base, outShape, op: "concat", channels, spatial: first.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Resolve the layers of a graph in order (runtime/graph.ts: links, then one
 * layer at a time against its inputs' shapes). `resolveOne` resolves a
 * single-input layer (the runtime's resolveLayer, or training's with its
 * extra layers). Throws TypeError/RangeError naming the layer.
 */
export function resolveGraph<R extends { outShape: number[]; inputs: number[] }>(
  specs: readonly (LayerLinks & { type: string })[],
  inputShape: number[],
  resolveOne: (spec: never, inShape: number[], index: number) => R,
): (R | ResolvedLayer)[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new TypeError("layers must be a non-empty array");
  if (specs.length > LIMITS.maxLayers) {
    throw new RangeError(`${specs.length} layers exceed the limit ${LIMITS.maxLayers}`);
  }
  const input = checkInputShape(inputShape);
  specs.forEach((s, i) => {
    if (s === null || typeof s !== "object" || typeof s.type !== "string") {
      throw new TypeError(`layer ${i} must be an object with a string "type", got ${quote(s)}`);
    }
  });
  const links = linkInputs(specs);
  const out: (R | ResolvedLayer)[] = [];
  specs.forEach((s, i) => {
    const ins = links[i];
    const shapes = ins.map((j) => (j < 0 ? input : out[j].outShape));
    if (JOIN_OPS.includes(s.type)) {
      out.push(resolveJoin(s as LayerSpec, shapes, ins, i));
      return;
    }
    if (ins.length !== 1) {
      throw new TypeError(
        `layer ${i} (${s.type}) takes one input, got ${ins.length}; only add and concat join`,
      );
    }
    out.push({ ...resolveOne(s as never, shapes[0], i), inputs: ins });
  });
  return out;
}

/** Resolve a whole model (a chain, or a graph whose layers name their inputs). Throws TypeError/RangeError naming the layer. */
export function resolveLayers(specs: LayerSpec[], inputShape: number[]): ResolvedLayer[] {
  return resolveGraph(specs, inputShape, resolveLayer) as ResolvedLayer[];
}

/**
 * Whether a resolved layer is a join (JOIN_OPS: add, concat, mul), the ops that read several inputs.
 *
 * @example
 * ```ts
 * import { isJoin, resolveLayers } from "./spec.ts";
 * const [relu, add] = resolveLayers([{ type: "relu" }, { type: "add", inputs: ["input", 0] }], [2, 3]);
 * if (isJoin(relu) || !isJoin(add)) throw new Error();
 * ```
 */
export function isJoin<L extends { op: string }>(l: L): l is L & { op: "add" | "concat" | "mul" } {
  return JOIN_OPS.includes(l.op);
}

/**
 * Values per sample of each input of a layer (a join's inputs may differ: concat's channel counts, mul's
 * per-channel scale).
 *
 * @example
 * ```ts
 * import { inputSizes, resolveLayers } from "./spec.ts";
 * const [, cat] = resolveLayers([{ type: "relu" }, { type: "concat", inputs: ["input", 0] }], [2, 3]);
 * if (inputSizes(cat).join() !== "6,6") throw new Error();
 * ```
 */
export function inputSizes(l: ResolvedLayer): number[] {
  if (l.op === "concat") return l.channels.map((c) => c * l.spatial);
  if (l.op === "mul") return [l.c * l.spatial, l.broadcast ? l.c : l.c * l.spatial];
  return l.inputs.map(() => l.inShape.reduce((a, b) => a * b, 1));
}

/** Shapes of the learnable tensors of a layer, in order [weight, bias?]. */
export function paramShapes(l: ResolvedLayer): number[][] {
  if (l.op === "conv") {
    const w = l.spec.type === "conv1d"
      ? [l.outC, l.inC / l.groups, l.kw]
      : [l.outC, l.inC / l.groups, l.kh, l.kw];
    return l.bias ? [w, [l.outC]] : [w];
  }
  if (l.op === "convT") {
    // PyTorch / ONNX layout: (inC, outC/groups, kh, kw)
    const w = l.spec.type === "conv1dtranspose"
      ? [l.inC, l.outC / l.groups, l.kw]
      : [l.inC, l.outC / l.groups, l.kh, l.kw];
    return l.bias ? [w, [l.outC]] : [w];
  }
  if (l.op === "dense") return l.bias ? [[l.outF, l.inF], [l.outF]] : [[l.outF, l.inF]];
  if (l.op === "channel") return l.mode === "scale" ? [[l.c], [l.c]] : [[l.c]];
  if (l.op === "instancenorm") return [[l.c], [l.c]];
  return [];
}

/** Number of learnable scalars of a layer. */
export function paramCount(l: ResolvedLayer): number {
  return paramShapes(l).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

/** Multiply-accumulates per sample of a layer (for summaries and benchmarks). */
export function macs(l: ResolvedLayer): number {
  if (l.op === "conv") return l.outC * l.outH * l.outW * (l.inC / l.groups) * l.kh * l.kw;
  if (l.op === "convT") return l.inC * l.inH * l.inW * (l.outC / l.groups) * l.kh * l.kw;
  if (l.op === "dense") return l.inF * l.outF;
  return 0;
}

/**
 * Receptive field after each layer, as [rfH, rfW] (size in input pixels of
 * the region one output unit sees) with the cumulative stride ("jump"). In a
 * graph each layer starts from its inputs' fields (a join: the widest).
 */
export function receptiveFields(layers: ResolvedLayer[]): { rf: [number, number]; jump: [number, number] }[] {
  const out: { rf: [number, number]; jump: [number, number] }[] = [];
  for (const l of layers) {
    const from = (l.inputs ?? [out.length - 1]).map((j) => j < 0 ? { rf: [1, 1], jump: [1, 1] } : out[j]);
    let rf: [number, number] = [Math.max(...from.map((f) => f.rf[0])), Math.max(...from.map((f) => f.rf[1]))];
    let jump: [number, number] = [
      Math.max(...from.map((f) => f.jump[0])),
      Math.max(...from.map((f) => f.jump[1])),
    ];
    if (l.op === "conv" || l.op === "pool") {
      rf = [rf[0] + (l.dh * (l.kh - 1)) * jump[0], rf[1] + (l.dw * (l.kw - 1)) * jump[1]];
      jump = [jump[0] * l.sh, jump[1] * l.sw];
    } else if (l.op === "convT") {
      // outputs step 1/s input cells; a window of k taps spans d·(k − 1) outputs
      jump = [jump[0] / l.sh, jump[1] / l.sw];
      rf = [rf[0] + l.dh * (l.kh - 1) * jump[0], rf[1] + l.dw * (l.kw - 1) * jump[1]];
    } else if (l.op === "upsample") {
      // linear interpolation mixes two neighbours; outputs step 1/s input cells
      if (l.mode === "linear") rf = [rf[0] + (l.sh > 1 ? jump[0] : 0), rf[1] + jump[1]];
      jump = [jump[0] / l.sh, jump[1] / l.sw];
    } else if ((l.op === "globalavgpool" || l.op === "dense" || l.op === "flatten") && l.inShape.length > 1) {
      // these mix every spatial position of their input
      const s = l.inShape;
      const h = s.length === 3 ? s[1] : 1;
      const w = s[s.length - 1];
      rf = [rf[0] + (h - 1) * jump[0], rf[1] + (w - 1) * jump[1]];
    }
    out.push({ rf, jump });
  }
  return out;
}
