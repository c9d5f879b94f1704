// tinycnn ModelDesc → standard ONNX (opset 14, later where an activation needs it; IR 7), chains and graphs:
// one ONNX node per layer (plus a Flatten where our layer flattens: dense
// inputs, global average pooling's (C) output), f32 initializers named
// after their layer, a symbolic batch dim "N". Graph links become tensor
// names (layer i's output is "l<i>", the model input "input", the output
// "output"). The exact semantics match: avgpool counts padded cells
// (count_include_pad = 1; countPad: false → 0), l2pool is LpPool p = 2, "same" padding is
// SAME_UPPER written as explicit pads, (bi)linear upsampling is Resize with
// half_pixel, nearest with asymmetric + floor, relu6 is Clip(0, 6), affine and scale are Mul then Add.
// Invariant: a layer without an exact ONNX form throws TypeError naming it.

import { type ResolvedLayer, resolveLayers, type Window2d } from "../../runtime/format/spec.ts";
import { type Activation, ACTIVATIONS, isColumnAct } from "../../runtime/ops/activation/table.ts";
import type { ModelDesc } from "../../runtime/format/model_desc.ts";
import { onnx } from "./onnx_proto.ts";

type Attr = { name: string; i?: number; f?: number; ints?: number[]; s?: string };

const ATTR = onnx.AttributeProto.AttributeType;

function attribute(a: Attr) {
  if (a.ints) return { name: a.name, type: ATTR.INTS, ints: a.ints };
  if (a.f !== undefined) return { name: a.name, type: ATTR.FLOAT, f: a.f };
  if (a.s !== undefined) return { name: a.name, type: ATTR.STRING, s: new TextEncoder().encode(a.s) };
  return { name: a.name, type: ATTR.INT, i: a.i ?? 0 };
}

function tensor(name: string, dims: number[], data: Float32Array | number[], int64 = false) {
  if (int64) return { name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: [...data] };
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)),
  };
}

function valueInfo(name: string, shape: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: shape.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Encode a model as ONNX bytes.
 *
 * @example
 * ```ts
 * import { modelToOnnx } from "./to_onnx.ts";
 * const bytes = modelToOnnx({
 *   inputShape: [2],
 *   layers: [{ type: "dense", units: 1 }, { type: "relu" }],
 *   params: [[Float32Array.of(1, 2), Float32Array.of(0)], []],
 * });
 * if (bytes.length < 50) throw new Error();
 * ```
 */
export function modelToOnnx(desc: ModelDesc, producer = "tinycnn"): Uint8Array {
  const layers = resolveLayers(desc.layers, desc.inputShape);
  const nodes: Record<string, unknown>[] = [];
  const inits: Record<string, unknown>[] = [];
  const L = layers.length;
  const nameOf = (j: number) => (j < 0 ? "input" : j === L - 1 ? "output" : `l${j}`);
  const node = (op: string, ins: string[], out: string, name: string, attrs: Attr[] = []) =>
    nodes.push({ opType: op, input: ins, output: [out], name, attribute: attrs.map(attribute) });
  const shapeOf = (j: number) => (j < 0 ? desc.inputShape : layers[j].outShape);
  layers.forEach((l, i) => {
    const ins = l.inputs.map(nameOf);
    const out = nameOf(i);
    const p = desc.params[i];
    const param = (k: number, dims: number[]) => {
      const n = `l${i}.${k === 0 ? "weight" : "bias"}`;
      inits.push(tensor(n, dims, p[k]));
      return n;
    };
    const window = (g: Window2d & { inShape: number[] }) => {
      const d2 = g.inShape.length === 3;
      return {
        k: d2 ? [g.kh, g.kw] : [g.kw],
        s: d2 ? [g.sh, g.sw] : [g.sw],
        d: d2 ? [g.dh, g.dw] : [g.dw],
        pads: d2 ? [g.pt, g.pl, g.pb, g.pr] : [g.pl, g.pr],
      };
    };
    switch (l.op) {
      case "conv":
      case "convT": {
        const w = window(l);
        const wd = l.op === "conv" ? [l.outC, l.inC / l.groups, ...w.k] : [l.inC, l.outC / l.groups, ...w.k];
        const args = [ins[0], param(0, wd), ...(l.bias ? [param(1, [l.outC])] : [])];
        const attrs: Attr[] = [
          { name: "kernel_shape", ints: w.k },
          { name: "strides", ints: w.s },
          { name: "dilations", ints: w.d },
          { name: "pads", ints: w.pads },
          { name: "group", i: l.groups },
        ];
        if (l.op === "convT") {
          // output padding: what the output size has beyond (in − 1)·s − pads + d·(k − 1) + 1
          const base = (n: number, s: number, d: number, k: number, p0: number, p1: number) =>
            (n - 1) * s - p0 - p1 + d * (k - 1) + 1;
          const op = l.inShape.length === 3
            ? [
              l.outH - base(l.inH, l.sh, l.dh, l.kh, l.pt, l.pb),
              l.outW - base(l.inW, l.sw, l.dw, l.kw, l.pl, l.pr),
            ]
            : [l.outW - base(l.inW, l.sw, l.dw, l.kw, l.pl, l.pr)];
          attrs.push({ name: "output_padding", ints: op });
        }
        node(l.op === "conv" ? "Conv" : "ConvTranspose", args, out, `layer${i}`, attrs);
        break;
      }
      case "pool": {
        const w = window(l);
        const attrs: Attr[] = [
          { name: "kernel_shape", ints: w.k },
          { name: "strides", ints: w.s },
          { name: "pads", ints: w.pads },
        ];
        if (l.mode === "avg" || l.mode === "avgvalid") {
          attrs.push({ name: "count_include_pad", i: l.mode === "avg" ? 1 : 0 });
        }
        if (l.mode === "l2") attrs.push({ name: "p", i: 2 });
        if (l.dh > 1 || l.dw > 1) attrs.push({ name: "dilations", ints: w.d });
        node(
          l.mode === "max" ? "MaxPool" : l.mode === "l2" ? "LpPool" : "AveragePool",
          ins,
          out,
          `layer${i}`,
          attrs,
        );
        break;
      }
      case "globalavgpool":
        node("GlobalAveragePool", ins, `l${i}.pooled`, `layer${i}`);
        node("Flatten", [`l${i}.pooled`], out, `layer${i}.flatten`, [{ name: "axis", i: 1 }]);
        break;
      case "upsample": {
        const d2 = l.inShape.length === 3;
        const scales = `l${i}.scales`;
        inits.push(tensor(scales, [d2 ? 4 : 3], d2 ? [1, 1, l.sh, l.sw] : [1, 1, l.sw]));
        node("Resize", [ins[0], "", scales], out, `layer${i}`, [
          { name: "mode", s: l.mode === "nearest" ? "nearest" : "linear" },
          { name: "coordinate_transformation_mode", s: l.mode === "nearest" ? "asymmetric" : "half_pixel" },
          { name: "nearest_mode", s: "floor" },
        ]);
        break;
      }
      case "dense": {
        let x = ins[0];
        if (shapeOf(l.inputs[0]).length > 1) {
          x = `l${i}.flat`;
          node("Flatten", [ins[0]], x, `layer${i}.flatten`, [{ name: "axis", i: 1 }]);
        }
        const args = [x, param(0, [l.outF, l.inF]), ...(l.bias ? [param(1, [l.outF])] : [])];
        node("Gemm", args, out, `layer${i}`, [{ name: "transB", i: 1 }]);
        break;
      }
      case "flatten":
        node("Flatten", ins, out, `layer${i}`, [{ name: "axis", i: 1 }]);
        break;
      case "add":
        // ONNX Add is binary: a chain of them for 3+ inputs
        ins.slice(1).reduce((acc, x, k) => {
          const o = k === ins.length - 2 ? out : `l${i}.sum${k}`;
          node("Add", [acc, x], o, `layer${i}.${k}`);
          return o;
        }, ins[0]);
        break;
      case "concat":
        node("Concat", ins, out, `layer${i}`, [{ name: "axis", i: 1 }]);
        break;
      case "mul": {
        let s = ins[1];
        if (l.broadcast) {
          // our per-channel gate is (N, C): (N, C, 1[, 1]) for ONNX broadcasting
          const shape = `l${i}.gate_shape`;
          inits.push(
            tensor(shape, [l.inShape.length + 1], [0, l.c, ...l.inShape.slice(1).map(() => 1)], true),
          );
          s = `l${i}.gate`;
          node("Reshape", [ins[1], shape], s, `layer${i}.reshape`);
        }
        node("Mul", [ins[0], s], out, `layer${i}`);
        break;
      }
      case "shuffle": {
        // torch.onnx's form: view the channels as (g, C/g), swap the two, view them as C again
        const rest = l.inShape.slice(1), g = l.groups;
        const split = `l${i}.split`, back = `l${i}.merge`;
        inits.push(tensor(split, [rest.length + 3], [0, g, l.c / g, ...rest], true));
        inits.push(tensor(back, [rest.length + 2], [0, l.c, ...rest], true));
        node("Reshape", [ins[0], split], `l${i}.groups`, `layer${i}.split`);
        const perm = [0, 2, 1, ...rest.map((_, k) => k + 3)];
        node("Transpose", [`l${i}.groups`], `l${i}.swapped`, `layer${i}.swap`, [{
          name: "perm",
          ints: perm,
        }]);
        node("Reshape", [`l${i}.swapped`, back], out, `layer${i}`);
        break;
      }
      case "cslice": {
        // Slice along the channel axis (opset 10+: bounds as inputs)
        const b = `l${i}.bounds`;
        inits.push(
          tensor(`${b}.starts`, [1], [l.start], true),
          tensor(`${b}.ends`, [1], [l.start + l.count], true),
        );
        inits.push(tensor(`${b}.axes`, [1], [1], true));
        node("Slice", [ins[0], `${b}.starts`, `${b}.ends`, `${b}.axes`], out, `layer${i}`);
        break;
      }
      case "depth":
        node(l.toSpace ? "DepthToSpace" : "SpaceToDepth", ins, out, `layer${i}`, [
          { name: "blocksize", i: l.block },
          ...(l.toSpace ? [{ name: "mode", s: l.crd ? "CRD" : "DCR" }] : []),
        ]);
        break;
      case "instancenorm":
        node("InstanceNormalization", [ins[0], param(0, [l.c]), param(1, [l.c])], out, `layer${i}`, [
          { name: "epsilon", f: l.eps },
        ]);
        break;
      case "lrn":
        node("LRN", ins, out, `layer${i}`, [
          { name: "size", i: l.size },
          { name: "alpha", f: l.alpha },
          { name: "beta", f: l.beta },
          { name: "bias", f: l.bias },
        ]);
        break;
      case "pad": {
        // ONNX pads are [begin…, end…] over every axis (N and C take none); opset 11+ takes them as an input
        const d2 = l.inShape.length === 3;
        const sp = d2 ? [l.pt, l.pl, l.pb, l.pr] : [l.pl, l.pr];
        const half = sp.length / 2;
        const pads = `l${i}.pads`, fill = `l${i}.value`;
        inits.push(
          tensor(pads, [2 * (half + 2)], [0, 0, ...sp.slice(0, half), 0, 0, ...sp.slice(half)], true),
        );
        inits.push(tensor(fill, [], [l.value]));
        node("Pad", [ins[0], pads, fill], out, `layer${i}`, [{ name: "mode", s: l.mode }]);
        break;
      }
      case "channel": {
        // (C) parameters as (C, 1[, 1]) for ONNX broadcasting against (N, C, ...)
        const dims = [l.c, ...l.inShape.slice(1).map(() => 1)];
        if (l.mode === "prelu") node("PRelu", [ins[0], param(0, dims)], out, `layer${i}`);
        else {
          node("Mul", [ins[0], param(0, dims)], `l${i}.scaled`, `layer${i}.scale`);
          node("Add", [`l${i}.scaled`, param(1, dims)], out, `layer${i}`);
        }
        break;
      }
      case "act": {
        const e = isColumnAct(l.act) ? undefined : (ACTIVATIONS[l.act] as Activation);
        if (l.act === "affine") {
          const sc = `l${i}.scale`, sh = `l${i}.shift`;
          inits.push(tensor(sc, [], [l.alpha]), tensor(sh, [], [l.beta]));
          node("Mul", [ins[0], sc], `l${i}.scaled`, `layer${i}.scale`);
          node("Add", [`l${i}.scaled`, sh], out, `layer${i}`);
        } else if (l.act === "clip") {
          const lo = `l${i}.min`, hi = `l${i}.max`;
          inits.push(tensor(lo, [], [l.alpha]), tensor(hi, [], [l.beta]));
          node("Clip", [ins[0], lo, hi], out, `layer${i}`);
        } else if (isColumnAct(l.act)) {
          // opset 13+ (Log)Softmax normalises over the one axis given: ours (0 = channels) after N
          const axis = 1 + ((l.spec as { axis?: number }).axis ?? 0);
          node(l.act === "softmax" ? "Softmax" : "LogSoftmax", ins, out, `layer${i}`, [{
            name: "axis",
            i: axis,
          }]);
        } else if (e?.onnx) {
          // the activation table names the operator and the attributes that carry α and β
          const attrs: Attr[] = [];
          if (e.onnx.alpha) attrs.push({ name: e.onnx.alpha, f: l.alpha });
          if (e.onnx.beta) attrs.push({ name: e.onnx.beta, f: l.beta });
          node(e.onnx.op, ins, out, `layer${i}`, attrs);
        } else throw new TypeError(`layer ${i} (${l.spec.type}) has no ONNX form here`);
        break;
      }
    }
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: producer,
    // 14, or the opset that introduced an activation used (Mish 18, Gelu 20): the ops written here mean the same
    opsetImport: [{ domain: "", version: opsetFor(layers) }],
    graph: {
      name: "tinycnn",
      node: nodes,
      initializer: inits,
      input: [valueInfo("input", ["N", ...desc.inputShape])],
      output: [valueInfo("output", ["N", ...layers[L - 1].outShape])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** 14, or the latest opset that introduced one of the activations the layers use. */
function opsetFor(layers: readonly ResolvedLayer[]): number {
  let v = 14;
  for (const l of layers) {
    if (l.op === "act" && !isColumnAct(l.act)) v = Math.max(v, ACTIVATIONS[l.act].onnx?.since ?? 14);
  }
  return v;
}
