// Constant folding: a node whose inputs are all constants is evaluated at
// conversion time (the shape arithmetic torch.onnx emits: Shape → Gather →
// Unsqueeze → Concat → Reshape, and a Pad's ConstantOfShape → Concat →
// Reshape → Slice (reversed) → Transpose; ConstantOfShape, Range, Transpose of
// initializers, broadcasting arithmetic and unary math), so the graph
// that is mapped holds only computing nodes. Invariant: each folder returns a
// constant or refuses through `no`; data are float64 (shapes and indices are
// exact integers below 2⁵³).

import type { Const } from "./onnx_node.ts";
import { attr, attrInt, attrInts, type NodeProto, tensorValues } from "./onnx_proto.ts";

/** One op's folder: its constant inputs by index (cst), the node, a refusal. */
type Folder = (n: NodeProto, cst: (k: number) => Const, no: (what: string) => never) => Const;

/** Element count of dims. */
const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** A constant of `dims` filled by f(i), refused over 2^28 elements before it is allocated. */
function make(dims: number[], no: (what: string) => never, f: (i: number) => number): Const {
  const n = count(dims);
  if (!Number.isSafeInteger(n) || n > 1 << 28) {
    no(`a folded constant of (${dims.join(",")}) is over 2^28 elements`);
  }
  return { kind: "const", dims, data: Float64Array.from({ length: n }, (_, i) => f(i)) };
}

/** Elementwise f(a, b) with ONNX (numpy) broadcasting of the two constants. */
const arith = (f: (x: number, y: number) => number): Folder => (_n, cst, no) => {
  const a = cst(0), b = cst(1);
  const r = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...new Array(r - d.length).fill(1), ...d];
  const da = pad(a.dims), db = pad(b.dims);
  const dims = da.map((x, k) => {
    if (x !== db[k] && x !== 1 && db[k] !== 1) {
      no(`constants (${a.dims.join(",")}) and (${b.dims.join(",")}) do not broadcast`);
    }
    return Math.max(x, db[k]);
  });
  // the flat index of output element i in a constant of dims d (broadcast axes read index 0)
  const at = (d: number[], i: number) => {
    let j = 0, stride = 1;
    for (let k = r - 1; k >= 0; k--) {
      const o = i % dims[k];
      i = Math.floor(i / dims[k]);
      if (d[k] !== 1) j += o * stride;
      stride *= d[k];
    }
    return j;
  };
  return make(dims, no, (i) => f(a.data[at(da, i)], b.data[at(db, i)]));
};

/** Elementwise f(a) of one constant. */
const unary = (f: (x: number) => number): Folder => (_n, cst) => {
  const a = cst(0);
  return { kind: "const", dims: a.dims, data: a.data.map(f) };
};

/** The axes of Squeeze / Unsqueeze: an attribute before opset 13, the optional input 1 since. */
const axesOf = (n: NodeProto, cst: (k: number) => Const): number[] | undefined =>
  attrInts(n, "axes", undefined) ?? (n.input?.[1] ? [...cst(1).data] : undefined);

/** The folders, by ONNX op. */
const FOLDERS: Record<string, Folder> = {
  Identity: (_n, cst) => cst(0),
  Cast: (_n, cst) => cst(0),
  Gather: (n, cst, no) => {
    const a = cst(0), idx = cst(1);
    if (attrInt(n, "axis", 0) !== 0 || a.dims.length > 1) {
      no("constant Gather is supported on 1-D data along axis 0");
    }
    const data = Float64Array.from(idx.data, (i) => a.data[i < 0 ? i + a.data.length : i]);
    return { kind: "const", dims: idx.dims, data };
  },
  Unsqueeze: (n, cst, no) => {
    const a = cst(0), axes = axesOf(n, cst) ?? no("Unsqueeze needs axes");
    const r = a.dims.length + axes.length;
    const at = new Set(axes.map((x) => (x < 0 ? x + r : x)));
    if (at.size !== axes.length || [...at].some((x) => x < 0 || x >= r)) {
      no(`axes ${axes.join(",")} are out of range`);
    }
    const dims: number[] = [];
    for (let k = 0, j = 0; k < r; k++) dims.push(at.has(k) ? 1 : a.dims[j++]);
    return { kind: "const", dims, data: a.data };
  },
  Squeeze: (n, cst, no) => {
    const a = cst(0), axes = axesOf(n, cst);
    const drop = new Set(
      (axes ?? a.dims.flatMap((d, k) => (d === 1 ? [k] : []))).map((x) => x < 0 ? x + a.dims.length : x),
    );
    if ([...drop].some((k) => a.dims[k] !== 1)) {
      no(`axes ${[...drop].join(",")} of (${a.dims.join(",")}) are not all 1`);
    }
    return { kind: "const", dims: a.dims.filter((_, k) => !drop.has(k)), data: a.data };
  },
  Reshape: (n, cst, no) => {
    const a = cst(0), want = [...cst(1).data];
    const allowZero = attrInt(n, "allowzero", 0) === 1;
    const dims = want.map((
      d,
      k,
    ) => (d === 0 && !allowZero ? a.dims[k] ?? no("shape copies a missing dim") : d));
    const free = dims.indexOf(-1);
    if (free >= 0) {
      const rest = count(dims.filter((_, k) => k !== free));
      if (rest === 0 || a.data.length % rest) {
        no(`cannot reshape (${a.dims.join(",")}) to (${want.join(",")})`);
      }
      dims[free] = a.data.length / rest;
    }
    if (dims.some((d) => d < 0) || count(dims) !== a.data.length) {
      no(`cannot reshape (${a.dims.join(",")}) to (${want.join(",")})`);
    }
    return { kind: "const", dims, data: a.data };
  },
  ConstantOfShape: (n, cst, no) => {
    const dims = [...cst(0).data];
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) no(`shape (${dims.join(",")}) must be sizes ≥ 0`);
    const t = attr(n, "value")?.t;
    const v = t ? tensorValues(t, "ConstantOfShape value").data[0] ?? 0 : 0;
    return make(dims, no, () => v);
  },
  Range: (_n, cst, no) => {
    const [start, limit, delta] = [0, 1, 2].map((k) => cst(k).data[0]);
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    if (!Number.isFinite(n)) no("Range needs a nonzero delta");
    return make([n], no, (i) => start + i * delta);
  },
  Transpose: (n, cst, no) => {
    const a = cst(0), r = a.dims.length;
    const perm = attrInts(n, "perm", undefined) ?? a.dims.map((_, k) => r - 1 - k);
    if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) {
      no(`perm ${perm.join(",")} is not a permutation of ${r} axes`);
    }
    const dims = perm.map((p) => a.dims[p]);
    const strides = a.dims.map((_, k) => count(a.dims.slice(k + 1)));
    return make(dims, no, (i) => {
      let j = 0;
      for (let k = r - 1; k >= 0; k--) {
        j += (i % dims[k]) * strides[perm[k]];
        i = Math.floor(i / dims[k]);
      }
      return a.data[j];
    });
  },
  Slice: (n, cst, no) => {
    // opset ≥ 10: starts, ends, axes, steps as inputs; before: attributes (no steps)
    const a = cst(0), r = a.dims.length;
    const list = (k: number, name: string) =>
      attrInts(n, name, undefined) ?? (n.input?.[k] ? [...cst(k).data] : undefined);
    const starts = list(1, "starts") ?? no("Slice needs starts"),
      ends = list(2, "ends") ?? no("Slice needs ends");
    const axes = (list(3, "axes") ?? starts.map((_, k) => k)).map((x) => (x < 0 ? x + r : x));
    const steps = (n.input?.[4] ? [...cst(4).data] : undefined) ?? starts.map(() => 1);
    const lo = a.dims.map(() => 0), step = a.dims.map(() => 1), dims = [...a.dims];
    axes.forEach((ax, k) => {
      const d = a.dims[ax], s = steps[k];
      if (ax < 0 || ax >= r || !s) no(`Slice axis ${ax} or step ${s} is out of range`);
      const at = (v: number, min: number, max: number) => Math.min(Math.max(v < 0 ? v + d : v, min), max);
      const b = s > 0 ? at(starts[k], 0, d) : at(starts[k], 0, d - 1);
      const e = s > 0 ? at(ends[k], 0, d) : at(ends[k], -1, d - 1);
      lo[ax] = b;
      step[ax] = s;
      dims[ax] = Math.max(0, Math.ceil((e - b) / s));
    });
    const strides = a.dims.map((_, k) => count(a.dims.slice(k + 1)));
    return make(dims, no, (i) => {
      let j = 0;
      for (let k = r - 1; k >= 0; k--) {
        j += (lo[k] + (i % dims[k]) * step[k]) * strides[k];
        i = Math.floor(i / dims[k]);
      }
      return a.data[j];
    });
  },
  Tile: (_n, cst, no) => {
    const a = cst(0), reps = [...cst(1).data], r = a.dims.length;
    if (reps.length !== r || reps.some((v) => !Number.isInteger(v) || v < 0)) {
      no(`repeats (${reps.join(",")}) must be ${r} counts ≥ 0`);
    }
    const dims = a.dims.map((d, k) => d * reps[k]);
    const strides = a.dims.map((_, k) => count(a.dims.slice(k + 1)));
    return make(dims, no, (i) => {
      let j = 0;
      for (let k = r - 1; k >= 0; k--) {
        j += ((i % dims[k]) % a.dims[k]) * strides[k];
        i = Math.floor(i / dims[k]);
      }
      return a.data[j];
    });
  },
  Concat: (n, cst, no) => {
    const parts = (n.input ?? []).map((_, k) => cst(k));
    if (parts.some((p) => p.dims.length > 1)) no("constant Concat is supported on 1-D data");
    const data = new Float64Array(parts.reduce((s, p) => s + p.data.length, 0));
    let o = 0;
    for (const p of parts) (data.set(p.data, o), o += p.data.length);
    return { kind: "const", dims: [data.length], data };
  },
  Mul: arith((x, y) => x * y),
  Add: arith((x, y) => x + y),
  Div: arith((x, y) => x / y),
  Sub: arith((x, y) => x - y),
  Pow: arith((x, y) => x ** y),
  Neg: unary((x) => -x),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
  Abs: unary(Math.abs),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
};

/** Whether `op` is folded when every input is a constant. */
export const foldable = (op: string): boolean => Object.hasOwn(FOLDERS, op);

/**
 * The constant a node of all-constant inputs evaluates to.
 *
 * @example
 * ```ts
 * import { foldConst } from "./fold_const.ts";
 * const c = (v: number[]) => ({ kind: "const" as const, dims: [v.length], data: Float64Array.from(v) });
 * const ins = [c([1, 2, 3]), c([2])];
 * const r = foldConst({ opType: "Mul", input: ["a", "b"] }, "Mul", (k) => ins[k], (w) => { throw new Error(w); });
 * if (r.data.join() !== "2,4,6") throw new Error(r.data.join());
 * ```
 */
export function foldConst(
  n: NodeProto,
  op: string,
  cst: (k: number) => Const,
  no: (what: string) => never,
): Const {
  if (!foldable(op)) no("this op is not folded");
  return FOLDERS[op](n, cst, no);
}
