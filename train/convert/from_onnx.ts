// ONNX → tinycnn ModelDesc for the CNN subset (opsets 7–21): walks the
// graph in its (topological) node order, keeping every tensor either as a
// constant (initializers, Constant nodes and initializer-only subgraphs,
// folded here) or as a value produced by an emitted layer. Per value it
// tracks the ONNX per-sample shape (batch dim dropped) and the layer's own
// shape, which differ only in unit dims after global pooling or a flatten
// (or a channel split, for the shuffle's Transpose).
// BatchNormalization folds into the conv / transposed conv / Gemm before it
// when it is that layer's only reader (else it becomes a per-channel scale
// layer), a bias Add folds the same way, a zero Pad merges into the Conv or
// AveragePool that reads it (else it is a pad layer), Dropout / Identity alias
// their input.
// Invariants: anything this cannot map exactly — an op, an attribute value,
// a dynamic shape, a broadcast — throws UnsupportedOnnxError naming the node,
// its op type and what is unsupported, before any output exists; the result
// is validated by the format's own rules (resolveLayers) before it is returned.

import {
  type LayerSpec,
  LIMITS,
  type PadMode,
  resolveJoin,
  resolveLayer,
} from "../../runtime/format/spec.ts";
import type { ModelDesc } from "../../runtime/format/model_desc.ts";
import { withInputs } from "../../runtime/graph.ts";
import { defaultOpset, int, type ModelProto, onnx, tensorValues } from "./onnx_proto.ts";
import { foldable, foldConst } from "./fold_const.ts";
import {
  type Const,
  type Emitted,
  type OnnxNode,
  ourPad,
  type Tensor,
  UnsupportedOnnxError,
  type Value,
} from "./onnx_node.ts";
import { ONNX_MAX_INPUTS, ONNX_OPS } from "./onnx_ops.ts";
import { quote } from "../../runtime/quote.ts";

export { UnsupportedOnnxError };

/** Options of onnxToModel. */
export interface FromOnnxOptions {
  /** per-sample input shape when the file's is symbolic, e.g. [1, 28, 28] */
  inputShape?: number[];
  /** filled with how each ONNX op of the file mapped (`deno task convert --report`) */
  report?: MappingReport;
}

/**
 * How the nodes of each ONNX op mapped: folded (all inputs constant, evaluated at conversion), merged into
 * the layer before (a batchnorm or constant Add/Mul into a conv's weights and bias; a zero Pad into its
 * padding), a view (reshapes, aliases: no computing layer) or layers of our types.
 */
export type MappingReport = Map<
  string,
  { nodes: number; folded: number; merged: number; views: number; layers: Record<string, number> }
>;

/** The ops that map to no computing layer when they emit none (reshapes, aliases, a pending Pad); Constant counts as folded. */
const VIEW_OPS = [
  "Reshape",
  "Flatten",
  "Squeeze",
  "Unsqueeze",
  "Identity",
  "Dropout",
  "Shape",
  "Pad",
];

/**
 * Most nodes an ONNX graph may have (RangeError beyond, before any is read):
 * constants and shape ops fold, so a graph may have many more nodes than the
 * format's 1,024 layers, but not without bound.
 */
export const MAX_ONNX_NODES = 65_536;

/** The ops this converter maps (others are refused by name). */
export const SUPPORTED_OPS: readonly string[] = [...ONNX_OPS.keys()];

/**
 * Convert a decoded ONNX model. Throws UnsupportedOnnxError for what has no
 * exact mapping, TypeError for a malformed file.
 */
export function onnxToModel(m: ModelProto, opts: FromOnnxOptions = {}): ModelDesc {
  const g = m.graph;
  if (!g) throw new TypeError("ONNX model has no graph");
  const opset = defaultOpset(m);
  if (opset < 7 || opset > 21) {
    throw new TypeError(`ONNX opset ${opset} is outside what this converter reads (7–21)`);
  }
  if ((g.node ?? []).length > MAX_ONNX_NODES) {
    throw new RangeError(
      `the ONNX graph has ${(g.node ?? []).length} nodes, over the converter's limit ${MAX_ONNX_NODES}`,
    );
  }
  const tensors = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const v = tensorValues(t, `initializer ${t.name}`);
    tensors.set(t.name ?? "", { kind: "const", ...v });
  }
  const inputs = (g.input ?? []).filter((i) => !tensors.has(i.name ?? ""));
  if (inputs.length !== 1) {
    throw new UnsupportedOnnxError(
      inputs[1]?.name ?? "(graph)",
      "graph input",
      `a tinycnn model takes one input, this graph takes ${inputs.length} besides its initializers (${
        inputs.slice(0, 8).map((i) => quote(i.name ?? "", 40)).join(", ")
      })`,
    );
  }
  const inName = quote(inputs[0].name ?? "");
  const dims = inputs[0].type?.tensorType?.shape?.dim ?? [];
  dims.forEach((d, k) => {
    if (d.dimValue != null && int(d.dimValue) < 1) {
      throw new TypeError(
        `input ${inName}: dimension ${k} is ${int(d.dimValue)}, expected a size ≥ 1 or a symbol`,
      );
    }
  });
  let inputShape = dims.slice(1).map((d) => (d.dimValue != null ? int(d.dimValue) : -1));
  if (opts.inputShape) {
    if (opts.inputShape.length !== inputShape.length && inputShape.length > 0) {
      throw new TypeError(
        `--input-shape ${opts.inputShape.join(",")} has another rank than the file's (N,${
          inputShape.join(",")
        })`,
      );
    }
    inputShape = [...opts.inputShape];
  }
  if (inputShape.length < 1 || inputShape.length > 3) {
    throw new UnsupportedOnnxError(
      inputs[0].name ?? "",
      "graph input",
      `a (N,${inputShape.map((d) => (d < 0 ? "?" : d)).join(",")}) input is not supported: ${
        inputShape.length < 1 ? "no per-sample dims" : "3-D data (5-D tensors and up)"
      }; tinycnn takes (N,C,H,W), (N,C,L) or (N,F)`,
    );
  }
  if (inputShape.some((d) => d < 1)) {
    throw new TypeError(
      `input ${inName}: the shape (N,${
        inputShape.map((d) => (d < 0 ? "?" : d)).join(",")
      }) must be (N,C,H,W), (N,C,L) or (N,F) with known sizes: give --input-shape`,
    );
  }
  tensors.set(inputs[0].name ?? "", { kind: "value", layer: -1, shape: inputShape, ours: inputShape });
  const readers = new Map<string, number>();
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  for (const o of g.output ?? []) readers.set(o.name ?? "", (readers.get(o.name ?? "") ?? 0) + 1);

  const layers: Emitted[] = [];
  const emit = (spec: LayerSpec, ins: Value[], params: Float32Array[], shape?: number[]): Value => {
    const idx = ins.map((v) => v.layer);
    const inShapes = ins.map((v) => v.ours);
    const r = ins.length > 1
      ? resolveJoin(spec, inShapes, idx, layers.length)
      : resolveLayer(spec, inShapes[0], layers.length);
    layers.push({ spec, inputs: idx, params, inShape: inShapes[0], outShape: r.outShape });
    return { kind: "value", layer: layers.length - 1, shape: shape ?? r.outShape, ours: r.outShape };
  };

  for (const n of g.node ?? []) {
    const name = n.name || n.output?.[0] || "?";
    const op = n.opType ?? "";
    const no = (what: string): never => {
      throw new UnsupportedOnnxError(name, op, what);
    };
    if (n.domain && n.domain !== "ai.onnx") {
      no(`domain ${n.domain} is not supported (only the default ONNX domain)`);
    }
    const get = (k: number): Tensor | undefined => {
      const nm = n.input?.[k];
      if (!nm) return undefined;
      const t = tensors.get(nm);
      if (!t) no(`input ${quote(nm)} is not produced before this node`);
      return t;
    };
    const value = (k: number): Value => {
      const t = get(k);
      if (!t) no(`input ${k} is missing`);
      if (t!.kind !== "value") no(`input ${k} must be computed from the model input, got a constant`);
      return t as Value;
    };
    const cst = (k: number, what: string): Const => {
      const t = get(k);
      if (!t || t.kind !== "const") no(`${what} (input ${k}) must be a constant or initializer`);
      return t as Const;
    };
    const set = (t: Tensor, k = 0) => tensors.set(n.output?.[k] ?? "", t);
    const soleReader = (k: number) => readers.get(n.input?.[k] ?? "") === 1;
    const single = (v: Value) => soleReader(0) && v.layer >= 0 && !v.pad;
    const spatial = (v: Value, what: string) => {
      if (v.ours.length < 2 || v.shape.length !== v.ours.length) {
        no(`${what} needs an image (N,C,H,W) or series (N,C,L) input, got (N,${v.shape.join(",")})`);
      }
      return v.shape.length - 1;
    };
    // a Pad still pending on v becomes a pad layer (v, shared by every reader, then names its output)
    const noPad = (v: Value) => {
      if (!v.pad) return;
      const pads = v.pad;
      delete v.pad;
      Object.assign(v, padLayer(v, pads, "constant", 0));
    };
    // a pad layer on v: pads [begin…, end…] over the spatial axes (ONNX order)
    const padLayer = (v: Value, pads: number[], mode: PadMode, fill: number): Value => {
      spatial(v, "Pad");
      const p = padOf(v, pads, mode, fill);
      return emit(p.spec, [v], [], p.shape);
    };
    // input 0 as an image / series with no Pad before it, and its spatial rank
    const spatialInput = (): [Value, number] => {
      const x = value(0);
      noPad(x);
      return [x, spatial(x, op)];
    };
    const node: OnnxNode = {
      n,
      name,
      op,
      opset,
      layers,
      no,
      get,
      value,
      cst,
      set,
      emit,
      soleReader,
      single,
      noPad,
      padLayer,
      spatial,
      spatialInput,
    };

    // every input is a constant and the op folds: evaluated here, no layer
    const ins = n.input ?? [];
    const folds = op !== "Constant" && ins.some(Boolean) && foldable(op) &&
      ins.filter(Boolean).every((i) => tensors.get(i)?.kind === "const");
    const convertNode = (): void => {
      // before folding too: a constant Add(a, b, c) must not fold as a + b either
      const most = ONNX_MAX_INPUTS[op];
      if (most !== undefined && ins.length > most) {
        no(`takes at most ${most} inputs, got ${ins.length}: ${quote(ins.join(", "))}`);
      }
      if (folds) {
        set(foldConst(n, op, (k) => cst(k, "input"), no));
        return;
      }
      const map = ONNX_OPS.get(op);
      if (!map) no("this op is not supported");
      map!(node);
    };
    const before = layers.length;
    try {
      convertNode();
      if (opts.report) {
        const r = opts.report.get(op) ?? { nodes: 0, folded: 0, merged: 0, views: 0, layers: {} };
        r.nodes++;
        if (folds || op === "Constant") r.folded++;
        else if (layers.length > before) {
          for (const l of layers.slice(before)) r.layers[l.spec.type] = (r.layers[l.spec.type] ?? 0) + 1;
        } else if (VIEW_OPS.includes(op)) r.views++;
        else r.merged++;
        opts.report.set(op, r);
      }
    } catch (e) {
      if (e instanceof UnsupportedOnnxError || !(e instanceof TypeError || e instanceof RangeError)) throw e;
      throw new UnsupportedOnnxError(name, op, e.message);
    }
  }
  const outName = g.output?.[0]?.name ?? "";
  if ((g.output ?? []).length !== 1) {
    throw new TypeError(`expected one graph output, got ${(g.output ?? []).length}`);
  }
  let out = tensors.get(outName);
  if (out?.kind === "value" && out.pad) {
    // a zero Pad that no Conv or AveragePool took: a pad layer of its own
    const p = padOf(out, out.pad, "constant", 0);
    try {
      out = emit(p.spec, [{ ...out, pad: undefined }], [], p.shape);
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
      throw new UnsupportedOnnxError(outName, "Pad", e.message);
    }
  }
  if (!out || out.kind !== "value" || out.layer < 0) {
    throw new UnsupportedOnnxError(
      outName,
      "output",
      "the graph output must be computed by at least one layer",
    );
  }
  return finish(layers, out, inputShape);
}

/** The pad layer of a (N,C,H,W) or (N,C,L) value v: pads [begin…, end…] over the spatial axes (ONNX order). */
function padOf(v: Value, pads: number[], mode: PadMode, fill: number): { spec: LayerSpec; shape: number[] } {
  const d = v.shape.length - 1;
  const padding = ourPad(pads, d);
  const shape = [v.shape[0], ...v.shape.slice(1).map((s, i) => s + pads[i] + pads[d + i])];
  const spec = { type: d === 2 ? "pad2d" : "pad1d", padding, mode, ...(fill ? { value: fill } : {}) };
  return { spec: spec as LayerSpec, shape };
}

/** Keep the layers the output needs, renumbered; the output layer last. */
function finish(layers: Emitted[], out: Value, inputShape: number[]): ModelDesc {
  const need = new Array(layers.length).fill(false);
  // what the output reads, walked with a stack (a deep graph must not need a deep call stack)
  const todo = [out.layer];
  while (todo.length) {
    const i = todo.pop()!;
    if (i < 0 || need[i]) continue;
    need[i] = true;
    todo.push(...layers[i].inputs);
  }
  const at = new Map<number, number>([[-1, -1]]);
  const specs: LayerSpec[] = [], params: Float32Array[][] = [];
  layers.forEach((l, i) => {
    if (!need[i]) return;
    at.set(i, specs.length);
    specs.push(withInputs(l.spec, l.inputs.map((j) => at.get(j)!), specs.length));
    params.push(l.params);
  });
  if (at.get(out.layer) !== specs.length - 1) {
    specs.push(withInputs({ type: "identity" }, [at.get(out.layer)!], specs.length));
    params.push([]);
  }
  if (specs.length > LIMITS.maxLayers) {
    throw new RangeError(
      `the converted model has ${specs.length} layers, over the format's ${LIMITS.maxLayers}`,
    );
  }
  return { inputShape, layers: specs, params };
}

/** Decode ONNX bytes and convert them. */
export function onnxBytesToModel(bytes: Uint8Array, opts: FromOnnxOptions = {}): ModelDesc {
  let m: ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new TypeError(`not an ONNX model: ${(e as Error).message}`);
  }
  return onnxToModel(m, opts);
}
