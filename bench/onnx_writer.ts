// Minimal hand-rolled protobuf writer for ONNX ModelProto (opset 13), enough
// to express the benchmark models: Conv, MaxPool, AveragePool, Relu, Sigmoid,
// Tanh, Softmax, Flatten, Gemm, with f32 initializers. Invariants: field
// numbers follow onnx.proto (ModelProto.graph = 7, GraphProto.node = 1, ...);
// repeated scalars are written unpacked (valid proto2 and proto3 wire form);
// the batch dimension is symbolic ("N"); the input is (N,C,H,W) f32.

import type { ModelDesc } from "../runtime/model_desc.ts";
import { resolveLayers } from "../runtime/spec.ts";

/** Growable byte buffer with protobuf primitives. */
class Pb {
  #buf = new Uint8Array(256);
  #n = 0;
  #ensure(k: number) {
    if (this.#n + k <= this.#buf.length) return;
    const b = new Uint8Array(Math.max(this.#buf.length * 2, this.#n + k));
    b.set(this.#buf.subarray(0, this.#n));
    this.#buf = b;
  }
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    this.#ensure(10);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      this.#buf[this.#n++] = byte;
    } while (x !== 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.#ensure(b.length);
    this.#buf.set(b, this.#n);
    this.#n += b.length;
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.done());
  }
  f32(field: number, v: number): this {
    this.tag(field, 5);
    this.#ensure(4);
    new DataView(this.#buf.buffer).setFloat32(this.#n, v, true);
    this.#n += 4;
    return this;
  }
  done(): Uint8Array {
    return this.#buf.slice(0, this.#n);
  }
}

type Attr = { name: string; ints?: number[]; i?: number; f?: number };

function attr(a: Attr): Pb {
  const p = new Pb().str(1, a.name);
  if (a.ints) {
    for (const v of a.ints) p.int(8, v);
    p.int(20, 7); // INTS
  } else if (a.f !== undefined) {
    p.f32(2, a.f).int(20, 1); // FLOAT
  } else {
    p.int(3, a.i ?? 0).int(20, 2); // INT
  }
  return p;
}

function node(
  op: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Attr[] = [],
): Pb {
  const p = new Pb();
  for (const i of inputs) p.str(1, i);
  for (const o of outputs) p.str(2, o);
  p.str(3, name).str(4, op);
  for (const a of attrs) p.msg(5, attr(a));
  return p;
}

function tensor(name: string, dims: number[], data: Float32Array): Pb {
  const p = new Pb();
  for (const d of dims) p.int(1, d);
  p.int(2, 1); // FLOAT
  p.str(8, name);
  p.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return p;
}

function valueInfo(name: string, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) {
    const dim = new Pb();
    if (typeof d === "string") dim.str(2, d);
    else dim.int(1, d);
    shape.msg(1, dim);
  }
  const tt = new Pb().int(1, 1).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tt));
}

/** Encode a model description as an ONNX model (opset 13). Throws TypeError for unsupported layers. */
export function encodeOnnx(desc: ModelDesc): Uint8Array {
  const layers = resolveLayers(desc.layers, desc.inputShape);
  const g = new Pb();
  const inits: Pb[] = [];
  let cur = "input";
  let rank = desc.inputShape.length + 1;
  layers.forEach((l, i) => {
    const out = `t${i}`;
    const ps = desc.params[i] ?? [];
    if (l.op === "conv") {
      if (l.spec.type !== "conv2d") {
        throw new TypeError(`layer ${i}: only conv2d is exported to ONNX`);
      }
      const w = `w${i}`;
      inits.push(tensor(w, [l.outC, l.inC / l.groups, l.kh, l.kw], ps[0]));
      const ins = [cur, w];
      if (l.bias) {
        inits.push(tensor(`b${i}`, [l.outC], ps[1]));
        ins.push(`b${i}`);
      }
      g.msg(
        1,
        node("Conv", ins, [out], `conv${i}`, [
          { name: "kernel_shape", ints: [l.kh, l.kw] },
          { name: "strides", ints: [l.sh, l.sw] },
          { name: "dilations", ints: [l.dh, l.dw] },
          { name: "pads", ints: [l.pt, l.pl, l.pb, l.pr] },
          { name: "group", i: l.groups },
        ]),
      );
    } else if (l.op === "pool") {
      if (l.mode === "l2") {
        throw new TypeError(`layer ${i}: l2 pooling has no ONNX export here`);
      }
      const attrs: Attr[] = [
        { name: "kernel_shape", ints: [l.kh, l.kw] },
        { name: "strides", ints: [l.sh, l.sw] },
        { name: "pads", ints: [l.pt, l.pl, l.pb, l.pr] },
      ];
      g.msg(
        1,
        node(
          l.mode === "max" ? "MaxPool" : "AveragePool",
          [cur],
          [out],
          `pool${i}`,
          attrs,
        ),
      );
    } else if (l.op === "flatten") {
      g.msg(
        1,
        node("Flatten", [cur], [out], `flatten${i}`, [{ name: "axis", i: 1 }]),
      );
      rank = 2;
    } else if (l.op === "dense") {
      if (rank > 2) {
        g.msg(
          1,
          node("Flatten", [cur], [`f${i}`], `flatten_pre${i}`, [{
            name: "axis",
            i: 1,
          }]),
        );
        cur = `f${i}`;
        rank = 2;
      }
      inits.push(tensor(`w${i}`, [l.outF, l.inF], ps[0]));
      const ins = [cur, `w${i}`];
      if (l.bias) {
        inits.push(tensor(`b${i}`, [l.outF], ps[1]));
        ins.push(`b${i}`);
      }
      g.msg(
        1,
        node("Gemm", ins, [out], `gemm${i}`, [{ name: "transB", i: 1 }]),
      );
    } else if (l.op === "act") {
      const ops: Record<string, string> = {
        relu: "Relu",
        sigmoid: "Sigmoid",
        tanh: "Tanh",
        softmax: "Softmax",
      };
      const op = ops[l.act];
      if (!op) {
        throw new TypeError(
          `layer ${i}: activation ${l.act} has no ONNX export here`,
        );
      }
      if (op === "Softmax" && rank !== 2) {
        throw new TypeError(`layer ${i}: softmax export needs a flat input`);
      }
      g.msg(
        1,
        node(
          op,
          [cur],
          [out],
          `act${i}`,
          op === "Softmax" ? [{ name: "axis", i: 1 }] : [],
        ),
      );
    } else {
      throw new TypeError(`layer ${i}: op ${l.op} has no ONNX export here`);
    }
    cur = out;
  });
  g.str(2, "tinycnn_bench");
  for (const t of inits) g.msg(5, t);
  g.msg(11, valueInfo("input", ["N", ...desc.inputShape]));
  g.msg(12, valueInfo(cur, ["N", ...layers[layers.length - 1].outShape]));
  const m = new Pb().int(1, 8).str(2, "tinycnn-bench").msg(7, g).msg(
    8,
    new Pb().str(1, "").int(2, 13),
  );
  return m.done();
}
