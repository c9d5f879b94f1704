// Constant folding: a node whose inputs are all constants is evaluated at
// conversion time (the shape arithmetic torch.onnx emits: Shape → Gather →
// Unsqueeze → Concat → Reshape, and scalar Mul/Add/Div/Sub), so the graph
// that is mapped holds only computing nodes. Invariant: each folder returns a
// constant or refuses through `no`; data are float64 (shapes and indices are
// exact integers below 2⁵³).

import type { Const } from "./onnx_node.ts";
import { attrInt, type NodeProto } from "./onnx_proto.ts";

/** One op's folder: its constant inputs by index (cst), the node, a refusal. */
type Folder = (n: NodeProto, cst: (k: number) => Const, no: (what: string) => never) => Const;

const flat = (a: Const): Const => ({ kind: "const", dims: [a.data.length], data: a.data });

/** Elementwise arithmetic on a constant and a scalar or equal-length constant. */
const arith = (f: (x: number, y: number) => number): Folder => (_n, cst, no) => {
  const a = cst(0), b = cst(1);
  if (b.data.length !== 1 && b.data.length !== a.data.length) {
    no("constant arithmetic broadcasts scalars only");
  }
  return {
    kind: "const",
    dims: a.dims,
    data: a.data.map((v, i) => f(v, b.data[b.data.length === 1 ? 0 : i])),
  };
};

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
  Unsqueeze: (_n, cst) => flat(cst(0)),
  Squeeze: (_n, cst) => flat(cst(0)),
  Reshape: (_n, cst) => flat(cst(0)),
  Concat: (n, cst) => {
    const parts = (n.input ?? []).map((_, k) => cst(k).data);
    const data = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) (data.set(p, o), o += p.length);
    return { kind: "const", dims: [data.length], data };
  },
  Mul: arith((x, y) => x * y),
  Add: arith((x, y) => x + y),
  Div: arith((x, y) => x / y),
  Sub: arith((x, y) => x - y),
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
