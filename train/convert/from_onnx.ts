// ONNX → tinycnn ModelDesc for the CNN subset (opsets 11–18): walks the
// graph in its (topological) node order, keeping every tensor either as a
// constant (initializers, Constant nodes and initializer-only subgraphs,
// folded here) or as a value produced by an emitted layer. Per value it
// tracks the ONNX per-sample shape (batch dim dropped) and the layer's own
// shape, which differ only in unit dims after global pooling or a flatten.
// BatchNormalization folds into the conv / transposed conv / Gemm before it
// when it is that layer's only reader (else it becomes a per-channel 1×1
// depthwise conv), a bias Add folds the same way, Pad merges into the Conv or
// AveragePool that reads it, Dropout / Identity alias their input.
// Invariants: anything this cannot map exactly — an op, an attribute value,
// a dynamic shape, a broadcast — throws UnsupportedOnnxError naming the node,
// its op type and what is unsupported, before any output exists; the result
// is validated by the format's own rules (resolveLayers) before it is returned.

import { type LayerSpec, resolveJoin, resolveLayer } from "../../runtime/format/spec.ts";
import type { ModelDesc } from "../../runtime/format/model_desc.ts";
import { withInputs } from "../../runtime/graph.ts";
import { affineLayer, bnScaleShift, foldIntoOutputChannels } from "../ops/batchnorm/fold.ts";
import {
  attr,
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  defaultOpset,
  int,
  type ModelProto,
  type NodeProto,
  onnx,
  tensorValues,
} from "./onnx_proto.ts";

/** A node the converter cannot map: which node, its op type, and what about it. */
export class UnsupportedOnnxError extends Error {
  override name = "UnsupportedOnnxError";
  constructor(readonly node: string, readonly opType: string, what: string) {
    super(`node ${JSON.stringify(node)} (${opType}): ${what}`);
  }
}

/** Options of onnxToModel. */
export interface FromOnnxOptions {
  /** per-sample input shape when the file's is symbolic, e.g. [1, 28, 28] */
  inputShape?: number[];
}

interface Const {
  kind: "const";
  dims: number[];
  data: Float64Array;
}
interface Value {
  kind: "value";
  /** producing layer (−1: the model input) */
  layer: number;
  /** ONNX per-sample shape */
  shape: number[];
  /** the layer's own per-sample shape (same element count) */
  ours: number[];
  /** a Pad waiting to merge into the Conv / AveragePool that reads it: [begin…, end…] over the spatial dims */
  pad?: number[];
}
type Tensor = Const | Value;

interface Emitted {
  spec: LayerSpec;
  inputs: number[];
  params: Float32Array[];
  inShape: number[];
  outShape: number[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The ops this converter maps (others are refused by name). */
export const SUPPORTED_OPS: readonly string[] = [
  "Conv",
  "ConvTranspose",
  "BatchNormalization",
  "Relu",
  "LeakyRelu",
  "Elu",
  "Sigmoid",
  "Tanh",
  "Clip",
  "HardSwish",
  "HardSigmoid",
  "Mul",
  "Softmax",
  "MaxPool",
  "AveragePool",
  "GlobalAveragePool",
  "ReduceMean",
  "Gemm",
  "MatMul",
  "Add",
  "Concat",
  "Flatten",
  "Reshape",
  "Squeeze",
  "Unsqueeze",
  "Resize",
  "Upsample",
  "Pad",
  "Dropout",
  "Identity",
  "Constant",
  "Shape",
  "Gather",
  "Cast",
];

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
  const tensors = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const v = tensorValues(t, `initializer ${t.name}`);
    tensors.set(t.name ?? "", { kind: "const", ...v });
  }
  const inputs = (g.input ?? []).filter((i) => !tensors.has(i.name ?? ""));
  if (inputs.length !== 1) {
    throw new TypeError(
      `expected one graph input (besides initializers), got ${inputs.map((i) => i.name).join(", ")}`,
    );
  }
  const dims = inputs[0].type?.tensorType?.shape?.dim ?? [];
  let inputShape = dims.slice(1).map((
    d,
  ) => (d.dimValue != null && int(d.dimValue) > 0 ? int(d.dimValue) : -1));
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
  if (inputShape.length < 1 || inputShape.length > 3 || inputShape.some((d) => d < 1)) {
    throw new TypeError(
      `the input shape (N,${
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
      if (!t) no(`input ${JSON.stringify(nm)} is not produced before this node`);
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
    const single = (v: Value) => readers.get(n.input?.[0] ?? "") === 1 && v.layer >= 0 && !v.pad;
    const noPad = (v: Value) =>
      v.pad && no("a Pad before this op is not supported (only before Conv and AveragePool)");
    const spatial = (v: Value, what: string) => {
      if (v.ours.length < 2 || v.shape.length !== v.ours.length) {
        no(`${what} needs an image (N,C,H,W) or series (N,C,L) input, got (N,${v.shape.join(",")})`);
      }
      return v.shape.length - 1;
    };
    // input 0 as an image / series with no Pad before it, and its spatial rank
    const spatialInput = (): [Value, number] => {
      const x = value(0);
      noPad(x);
      return [x, spatial(x, op)];
    };
    // a 1-D or 2-D window's padding [before…, after…] (ONNX order) in our form
    const ourPad = (p: number[], d: number): number[] => (d === 2 ? [p[0], p[2], p[1], p[3]] : [p[0], p[1]]);

    const convertNode = (): void => {
      const allConst = (n.input ?? []).filter(Boolean).every((i) => tensors.get(i)?.kind === "const");
      if (op !== "Constant" && allConst && (n.input ?? []).some(Boolean) && CONST_OPS.has(op)) {
        set(foldConst(n, op, (k) => cst(k, "input"), no));
        return;
      }
      switch (op) {
        case "Constant": {
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
          break;
        }
        case "Identity":
        case "Dropout":
          set(get(0)!);
          break;
        case "Shape": {
          const v = value(0);
          set({ kind: "const", dims: [v.shape.length + 1], data: Float64Array.from([1, ...v.shape]) });
          break;
        }
        case "Pad": {
          const v = value(0);
          const mode = attrString(n, "mode", "constant");
          if (mode !== "constant") no(`mode ${mode} is not supported (only constant zero padding)`);
          const pads = opset >= 11 ? [...cst(1, "pads").data] : attrInts(n, "pads", [])!;
          const cv = opset >= 11 ? get(2) : undefined;
          const fill = cv ? (cv as Const).data[0] : attrFloat(n, "value", 0);
          if (fill !== 0) no(`constant_value ${fill} is not supported (only 0)`);
          const r = v.shape.length + 1;
          if (pads.length !== 2 * r || pads[0] || pads[1] || pads[r] || pads[r + 1]) {
            no("only spatial padding is supported (none on N and C)");
          }
          if (pads.some((p) => p < 0)) no("negative pads (cropping) are not supported");
          const sp = [...pads.slice(2, r), ...pads.slice(r + 2)];
          const prev = v.pad ?? sp.map(() => 0);
          set({ ...v, pad: sp.map((p, i) => p + prev[i]) });
          break;
        }
        case "Conv":
        case "ConvTranspose": {
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
            type: transposed
              ? (d === 2 ? "conv2dtranspose" : "conv1dtranspose")
              : (d === 2 ? "conv2d" : "conv1d"),
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
          break;
        }
        case "BatchNormalization": {
          const x = value(0);
          noPad(x);
          if (attrInt(n, "training_mode", 0)) no("training_mode=1 is not supported");
          const [sc, bi, mean, vr] = [1, 2, 3, 4].map((k) =>
            cst(k, ["scale", "B", "mean", "var"][k - 1]).data
          );
          const eps = attrFloat(n, "epsilon", 1e-5);
          const { s, t: shift } = bnScaleShift(sc, bi, mean, vr, eps);
          const prev = single(x) ? layers[x.layer] : null;
          const t = prev?.spec.type ?? "";
          if (prev && ["conv2d", "conv1d", "dense", "conv2dtranspose", "conv1dtranspose"].includes(t)) {
            scaleChannels(prev, s, shift);
            set({ ...x });
          } else {
            const affine = affineLayer(x.ours.length, s, shift);
            set(emit(affine.spec, [x], affine.params, x.shape));
          }
          break;
        }
        case "Relu":
        case "Sigmoid":
        case "Tanh":
        case "HardSwish":
        case "HardSigmoid":
        case "LeakyRelu":
        case "Elu": {
          const x = value(0);
          noPad(x);
          const type = {
            Relu: "relu",
            Sigmoid: "sigmoid",
            Tanh: "tanh",
            HardSwish: "hardswish",
            LeakyRelu: "leakyrelu",
            Elu: "elu",
            HardSigmoid: "hardsigmoid",
          }[op]!;
          const spec = op === "HardSigmoid"
            ? { type, alpha: attrFloat(n, "alpha", 0.2), beta: attrFloat(n, "beta", 0.5) }
            : (op === "LeakyRelu" || op === "Elu")
            ? { type, alpha: attrFloat(n, "alpha", op === "Elu" ? 1 : 0.01) }
            : { type };
          set(emit(spec as unknown as LayerSpec, [x], [], x.shape));
          break;
        }
        case "Clip": {
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
          break;
        }
        case "Softmax": {
          const x = value(0);
          noPad(x);
          const r = x.shape.length + 1;
          let axis = attrInt(n, "axis", opset >= 13 ? -1 : 1);
          if (axis < 0) axis += r;
          const channelOnly = axis === 1 && (opset >= 13 || prod(x.shape.slice(1)) === 1);
          if (!channelOnly && !(r === 2 && axis === 1)) {
            no(
              `axis ${attrInt(n, "axis", opset >= 13 ? -1 : 1)} over (N,${
                x.shape.join(",")
              }) at opset ${opset}: only the channel axis is supported`,
            );
          }
          set(emit({ type: "softmax" }, [x], [], x.shape));
          break;
        }
        case "MaxPool":
        case "AveragePool": {
          const x = value(0);
          const d = spatial(x, op);
          const k = attrInts(n, "kernel_shape", undefined) ?? no("kernel_shape is required");
          const strides = attrInts(n, "strides", k.map(() => 1))!;
          if ((attrInts(n, "dilations", k.map(() => 1)) ?? []).some((v) => v !== 1)) {
            no("dilations are not supported");
          }
          const auto = attrString(n, "auto_pad", "NOTSET");
          let pads = attrInts(n, "pads", [...k.map(() => 0), ...k.map(() => 0)])!;
          const avg = op === "AveragePool";
          // count_include_pad = 0 divides by the real cells (countPad: false); a merged Pad's zeros are real cells
          const countPad = !avg || attrInt(n, "count_include_pad", 0) === 1 || pads.every((p) => p === 0);
          if (x.pad && !countPad) no("a Pad before AveragePool with count_include_pad=0 is not supported");
          if (x.pad) {
            if (!avg) no("a zero Pad before MaxPool is not supported (max pooling pads with −∞)");
            pads = pads.map((p, i) => p + x.pad![i]);
          }
          const sp = x.shape.slice(1);
          if (auto === "SAME_UPPER" || auto === "SAME_LOWER") {
            if (avg) no(`auto_pad ${auto} with AveragePool is not supported`);
            const tot = sp.map((len, i) =>
              Math.max(0, (Math.ceil(len / strides[i]) - 1) * strides[i] + k[i] - len)
            );
            const lo = tot.map((t) => (auto === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
            pads = [...lo, ...tot.map((t, i) => t - lo[i])];
          } else if (auto !== "NOTSET" && auto !== "VALID") no(`auto_pad ${auto} is not supported`);
          if (attrInt(n, "ceil_mode", 0)) {
            // ceil: extra padding after, as long as the last window starts inside the input (PyTorch's rule)
            sp.forEach((len, i) => {
              const span = len + pads[i] + pads[d + i] - k[i];
              let out = Math.ceil(span / strides[i]) + 1;
              if ((out - 1) * strides[i] >= len + pads[i]) out--;
              const extra = (out - 1) * strides[i] + k[i] - (len + pads[i] + pads[d + i]);
              if (extra > 0) {
                if (avg) no("ceil_mode=1 that adds a window is not supported for AveragePool");
                pads[d + i] += extra;
              }
            });
          }
          const pair = (v: number[]) => (d === 2 ? [v[0], v[1]] : v[0]);
          const type = `${avg ? "avg" : "max"}pool${d}d`;
          const spec = { type, size: pair(k), stride: pair(strides), padding: ourPad(pads, d) };
          set(emit((countPad ? spec : { ...spec, countPad: false }) as LayerSpec, [x], []));
          break;
        }
        case "GlobalAveragePool":
        case "ReduceMean": {
          const [x, d] = spatialInput();
          const r = d + 2;
          let keep = 1;
          if (op === "ReduceMean") {
            const axes =
              (opset >= 18 && get(1) ? [...cst(1, "axes").data] : attrInts(n, "axes", undefined)) ??
                no("axes are required");
            const norm = axes.map((a) => (a < 0 ? a + r : a)).sort();
            if (!same(norm, Array.from({ length: d }, (_, i) => i + 2))) {
              no(`axes ${axes} must be all the spatial axes`);
            }
            keep = attrInt(n, "keepdims", 1);
          }
          const c = x.shape[0];
          set(emit({ type: "globalavgpool" }, [x], [], keep ? [c, ...Array(d).fill(1)] : [c]));
          break;
        }
        case "Flatten": {
          const x = value(0);
          noPad(x);
          let axis = attrInt(n, "axis", 1);
          if (axis < 0) axis += x.shape.length + 1;
          if (axis !== 1) no(`axis ${axis} is not supported (only 1: keep the batch)`);
          set(flatten(x, emit));
          break;
        }
        case "Reshape":
        case "Squeeze":
        case "Unsqueeze": {
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
          } else {no(
              `reshape (N,${x.shape.join(",")}) → (N,${per.join(",")}) is not supported (only flattening)`,
            );}
          break;
        }
        case "Gemm":
        case "MatMul": {
          const a = value(0);
          noPad(a);
          const bw = cst(1, "B");
          if (prod(a.shape) !== a.shape[0]) no(`input (N,${a.shape.join(",")}) must be flat (N,F)`);
          const inF = prod(a.shape);
          if (bw.dims.length !== 2) no(`B must be 2-D, got ${bw.dims}`);
          const transB = op === "Gemm" ? attrInt(n, "transB", 0) : 0;
          if (op === "Gemm" && attrInt(n, "transA", 0)) no("transA=1 is not supported");
          const [rows, cols] = bw.dims;
          const units = transB ? rows : cols;
          if ((transB ? cols : rows) !== inF) no(`B is ${rows}×${cols}, the input has ${inF} features`);
          const alpha = op === "Gemm" ? attrFloat(n, "alpha", 1) : 1,
            beta = op === "Gemm" ? attrFloat(n, "beta", 1) : 1;
          const w = new Float32Array(units * inF);
          for (let o = 0; o < units; o++) {
            for (let i = 0; i < inF; i++) {
              w[o * inF + i] = alpha * (transB ? bw.data[o * inF + i] : bw.data[i * units + o]);
            }
          }
          const params = [w];
          const c = op === "Gemm" && get(2) ? cst(2, "C") : undefined;
          if (c) {
            if (c.data.length !== units && c.data.length !== 1) {
              no(`C has ${c.data.length} values, expected ${units}`);
            }
            params.push(
              Float32Array.from({ length: units }, (_, o) => beta * c.data[c.data.length === 1 ? 0 : o]),
            );
          }
          set(emit({ type: "dense", units, bias: c !== undefined }, [a], params));
          break;
        }
        case "Add": {
          const p = get(0), q = get(1);
          if (p?.kind === "value" && q?.kind === "value") {
            noPad(p);
            noPad(q);
            if (!same(p.ours, q.ours)) {
              no(
                `inputs (N,${p.shape.join(",")}) and (N,${
                  q.shape.join(",")
                }) differ (broadcasting is not supported)`,
              );
            }
            set(emit({ type: "add" }, [p, q], [], p.shape));
            break;
          }
          const [v, c, vi] = p?.kind === "value" ? [p, q as Const, 0] : [q as Value, p as Const, 1];
          if (!v || !c) no("needs two inputs");
          noPad(v);
          const prev = readers.get(n.input?.[vi] ?? "") === 1 && v.layer >= 0 ? layers[v.layer] : null;
          const ch = v.shape[0];
          const perChannel = c.data.length === ch && prod(c.dims) === ch &&
            (c.dims.length <= 1 || c.dims.slice(-v.shape.length).slice(1).every((e) => e === 1));
          if (
            !prev ||
            !["conv2d", "conv1d", "dense", "conv2dtranspose", "conv1dtranspose"].includes(prev.spec.type) ||
            !perChannel
          ) {
            no("adding a constant is supported only as the per-channel bias of the conv or dense before it");
          }
          scaleChannels(prev!, new Float64Array(ch).fill(1), c.data);
          set({ ...v });
          break;
        }
        case "Mul": {
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
          break;
        }
        case "Concat": {
          const xs = (n.input ?? []).map((_, k) => value(k));
          let axis = attrInt(n, "axis", 1);
          const r = xs[0].shape.length + 1;
          if (axis < 0) axis += r;
          if (axis !== 1) no(`axis ${axis} is not supported (only the channel axis 1)`);
          xs.forEach(noPad);
          const out = emit({ type: "concat" }, xs, []);
          set(out);
          break;
        }
        case "Resize":
        case "Upsample": {
          const [x, d] = spatialInput();
          const mode = attrString(n, "mode", "nearest");
          const ctm = attrString(
            n,
            "coordinate_transformation_mode",
            op === "Upsample" ? "asymmetric" : "half_pixel",
          );
          let scales: number[] | undefined;
          if (op === "Upsample") {
            scales = opset >= 9
              ? [...cst(1, "scales").data]
              : attr(n, "scales")?.floats?.map(Number) ?? undefined;
          } else {
            const sIn = opset >= 11 ? 2 : 1;
            const sc = get(sIn) ? cst(sIn, "scales") : undefined;
            if (sc && sc.data.length) scales = [...sc.data];
            else if (opset >= 11 && get(3)) {
              const sizes = [...cst(3, "sizes").data];
              scales = sizes.map((s, i) => (i === 0 ? 1 : s / (i === 1 ? x.shape[0] : x.shape[i - 1])));
            }
          }
          if (!scales || scales.length !== d + 2) no("needs constant scales (or sizes) for every axis");
          if (scales![0] !== 1 || scales![1] !== 1) no("scaling N or C is not supported");
          const sp = scales!.slice(2);
          if (sp.some((s) => !Number.isInteger(s) || s < 1)) no(`scales ${sp} must be integers ≥ 1`);
          let our: string;
          if (mode === "nearest") {
            const nm = attrString(n, "nearest_mode", "round_prefer_floor");
            if (op === "Resize" && !(ctm === "asymmetric" && nm === "floor")) {
              no(`nearest with ${ctm}/${nm} is not supported (only asymmetric + floor, PyTorch's nearest)`);
            }
            our = "nearest";
          } else if (mode === "linear") {
            if (ctm !== "half_pixel" && ctm !== "pytorch_half_pixel") {
              no(`linear with ${ctm} is not supported (only half_pixel: align_corners=False)`);
            }
            our = d === 2 ? "bilinear" : "linear";
          } else no(`mode ${mode} is not supported`);
          const spec = {
            type: d === 2 ? "upsample2d" : "upsample1d",
            scale: d === 2 ? [sp[0], sp[1]] : sp[0],
            mode: our!,
          } as LayerSpec;
          set(emit(spec, [x], []));
          break;
        }
        default:
          no(SUPPORTED_OPS.includes(op) ? "these inputs are not supported" : "this op is not supported");
      }
    };
    try {
      convertNode();
    } catch (e) {
      if (e instanceof UnsupportedOnnxError || !(e instanceof TypeError || e instanceof RangeError)) throw e;
      throw new UnsupportedOnnxError(name, op, e.message);
    }
  }
  const outName = g.output?.[0]?.name ?? "";
  if ((g.output ?? []).length !== 1) {
    throw new TypeError(`expected one graph output, got ${(g.output ?? []).length}`);
  }
  const out = tensors.get(outName);
  if (!out || out.kind !== "value" || out.layer < 0) {
    throw new UnsupportedOnnxError(
      outName,
      "output",
      "the graph output must be computed by at least one layer",
    );
  }
  if (out.pad) throw new UnsupportedOnnxError(outName, "Pad", "a Pad at the output is not supported");
  return finish(layers, out, inputShape);
}

/** Ops evaluated at conversion time when every input is a constant. */
const CONST_OPS = new Set([
  "Gather",
  "Unsqueeze",
  "Squeeze",
  "Concat",
  "Cast",
  "Reshape",
  "Identity",
  "Mul",
  "Add",
  "Div",
  "Sub",
]);

function foldConst(n: NodeProto, op: string, cst: (k: number) => Const, no: (what: string) => never): Const {
  const a = cst(0);
  switch (op) {
    case "Identity":
    case "Cast":
      return a;
    case "Gather": {
      const idx = cst(1);
      if (attrInt(n, "axis", 0) !== 0 || a.dims.length > 1) {
        no("constant Gather is supported on 1-D data along axis 0");
      }
      const data = Float64Array.from(idx.data, (i) => a.data[i < 0 ? i + a.data.length : i]);
      return { kind: "const", dims: idx.dims, data };
    }
    case "Unsqueeze":
    case "Squeeze":
    case "Reshape":
      return { kind: "const", dims: [a.data.length], data: a.data };
    case "Concat": {
      const parts = (n.input ?? []).map((_, k) => cst(k).data);
      const data = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) (data.set(p, o), o += p.length);
      return { kind: "const", dims: [data.length], data };
    }
    default: {
      const b = cst(1);
      if (b.data.length !== 1 && b.data.length !== a.data.length) {
        no("constant arithmetic broadcasts scalars only");
      }
      const f = {
        Mul: (x: number, y: number) => x * y,
        Add: (x: number, y: number) => x + y,
        Div: (x: number, y: number) => x / y,
        Sub: (x: number, y: number) => x - y,
      }[op]!;
      return {
        kind: "const",
        dims: a.dims,
        data: a.data.map((v, i) => f(v, b.data[b.data.length === 1 ? 0 : i])),
      };
    }
  }
}

/** Flatten a value (an aliasing flatten layer when its layer is not flat yet). */
function flatten(
  x: Value,
  emit: (s: LayerSpec, i: Value[], p: Float32Array[], shape?: number[]) => Value,
): Value {
  if (x.ours.length === 1) return { ...x, shape: [prod(x.shape)] };
  return emit({ type: "flatten" }, [x], []);
}

/** y ← y·s + t per output channel of a conv / transposed conv / dense layer (batchnorm and bias folding). */
function scaleChannels(l: Emitted, s: Float64Array, t: Float64Array): void {
  const spec = l.spec as { type: string; groups?: number; bias?: boolean };
  const convT = spec.type.endsWith("transpose") ? { inC: l.inShape[0], groups: spec.groups ?? 1 } : undefined;
  l.params = foldIntoOutputChannels(l.params[0], l.params[1] ?? null, s, t, convT);
  spec.bias = true;
}

/** Keep the layers the output needs, renumbered; the output layer last. */
function finish(layers: Emitted[], out: Value, inputShape: number[]): ModelDesc {
  const need = new Array(layers.length).fill(false);
  const mark = (i: number) => {
    if (i < 0 || need[i]) return;
    need[i] = true;
    layers[i].inputs.forEach(mark);
  };
  mark(out.layer);
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
