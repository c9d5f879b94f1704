// The two kernel skeletons every training WGSL generator builds on, over the
// shared WebGPU core (runtime/webgpu/kernel.ts: the one Kernel record, thread
// prologue, uniform record, dispatch planning). A generator declares, once and
// by name, its storage bindings (`Binding`s: the WGSL declarations and the
// kernel's `bindings` list are made from the same list) and its shape values
// (`Dim`s: [NAME, type, value]); its WGSL uses each NAME bare. A uniform dim is
// a field of the record `p` at binding 0, and main opens with
// `let NAME = p.NAME;` (dimLets); a baked dim is a module-scope WGSL const.
// So one compiled pipeline serves every shape of a kernel variant (the
// variant: what a generator still bakes in, such as register-block sizes and
// unrolled loops), and nothing rewrites the source. Helper functions outside
// main read uniform dims as p.NAME.
// Invariants: binding 0 is the uniform record; a kernel's storage buffers
// start at binding 1 (storageDecls); elementwise kernels guard the thread
// index against p.total, reductions the workgroup index, so a rounded-up
// grid never touches memory out of range; every binding declared is used
// (pipelines use layout "auto").

import {
  type Binding,
  type Dispatch,
  type Kernel,
  planDispatch,
  planWorkgroups,
  PROLOGUE,
  storageDecls,
  uniformBytes,
  uniformDecl,
  type UType,
  WG,
  windowValues,
} from "../../runtime/webgpu/kernel.ts";
import type { Window2d } from "../../runtime/format/spec.ts";

export { type Binding, type Kernel, storageDecls, WG };

/**
 * A shape value of a kernel: its WGSL name (used bare in the source), type,
 * value, and "baked" when the kernel is specialised on it (a WGSL constant
 * instead of a uniform field: the compiler can unroll and strength-reduce, at
 * the price of one pipeline per value). Only layer sizes are ever baked,
 * never the batch, and only where it measurably pays (see the generators).
 */
export type Dim = readonly [name: string, type: UType, value: number, baked?: "baked"];

/**
 * u32 dims from a record, in its key order.
 *
 * @example
 * ```ts
 * import { u32Dims } from "./training_kernel.ts";
 * if (JSON.stringify(u32Dims({ C: 3 })) !== '[["C","u32",3]]') throw new Error();
 * ```
 */
export const u32Dims = (values: Record<string, number>): Dim[] =>
  Object.entries(values).map(([name, v]) => [name, "u32", v] as const);

/** `d` as a baked dim (a WGSL constant). */
export const baked = ([name, type, value]: Dim): Dim => [name, type, value, "baked"];

const uniformDims = (dims: readonly Dim[]) => dims.filter((d) => d[3] !== "baked");

/** The uniform record declaration of the uniform dims, then a WGSL constant per baked dim. */
export function dimsDecl(dims: readonly Dim[]): string {
  const consts = dims.filter((d) => d[3] === "baked").map(([n, t, v]) =>
    `const ${n}: ${t} = ${t === "f32" ? f32(v) : t === "u32" ? `${v}u` : `${v}`};`
  );
  return [uniformDecl(uniformDims(dims)), ...consts].join("\n");
}

/** In main: `let NAME = p.NAME;` per uniform dim, so the body uses every dim by its bare name. */
export function dimLets(dims: readonly Dim[]): string {
  const u = uniformDims(dims);
  if (new Set(dims.map((d) => d[0])).size !== dims.length) {
    throw new TypeError(`duplicate kernel dim in ${dims.map((d) => d[0])}`);
  }
  return u.map(([n]) => `  let ${n} = p.${n};`).join("\n");
}

/** A 2-D window (conv and pool layers) as i32 dims: sizes, kernel, stride, dilation, leading padding. */
export function windowDims(g: Window2d): Dim[] {
  const v = windowValues(g);
  return (Object.keys(v) as (keyof typeof v)[]).map((k) => [k.toUpperCase(), "i32", v[k]]);
}

/** The WebGPU default limits kernels are planned against; GpuContext.prepare checks the device's own. */
export const DEFAULT_LIMITS = { maxComputeWorkgroupsPerDimension: 65535 } as const;

/**
 * Dispatch of one workgroup per item in [0, count), folded into 2-D past the
 * limit: total = count, row = workgroups per dispatch row (the item of a
 * workgroup is wid.y · p.row + wid.x).
 */
export function workgroupPerItem(count: number, label: string): Dispatch {
  const [gx, gy] = planWorkgroups(count, DEFAULT_LIMITS, label);
  return { groups: [gx, gy, 1], total: count, row: gx };
}

/** A finite number as a WGSL f32 literal. Throws RangeError on NaN/Infinity. */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`WGSL constant must be finite, got ${x}`);
  return `f32(${x.toExponential(9)})`;
}

/** The kernel record of `code` (complete WGSL) binding `bindings`, whose uniform record holds `dims` after d's total and row. */
export function makeKernel(
  label: string,
  dims: readonly Dim[],
  d: Dispatch,
  bindings: readonly Binding[],
  code: string,
): Kernel {
  const u = uniformDims(dims);
  const values = Object.fromEntries(u.map(([n, , v]) => [n, v]));
  return {
    label,
    code,
    bindings: bindings.map((b) => b[0]),
    uniforms: uniformBytes(d, u, values),
    dispatch: d,
  };
}

/**
 * Elementwise kernel skeleton: one thread per item in [0, count). `body`
 * sees `i: u32` (the item) and every dim by name, and runs only when
 * i < count; `helpers` (WGSL functions) go before main.
 *
 * @example
 * ```ts
 * import { elementwise } from "./training_kernel.ts";
 * const k = elementwise("scale", [["S", "f32", 2]], [["x", "read_write"]], 10, "  x[i] = x[i] * S;");
 * if (!k.code.includes("let S = p.S;") || k.bindings[0] !== "x" || k.dispatch.groups[0] !== 1) throw new Error(k.code);
 * ```
 */
export function elementwise(
  label: string,
  dims: readonly Dim[],
  bindings: readonly Binding[],
  count: number,
  body: string,
  helpers = "",
): Kernel {
  const d = planDispatch(count, DEFAULT_LIMITS, label);
  const code = `// ${label}
${dimsDecl(dims)}
${storageDecls(bindings)}${helpers ? `\n${helpers}` : ""}
${PROLOGUE}
${dimLets(dims)}
${body}
}
`;
  return makeKernel(label, dims, d, bindings, code);
}

/**
 * Reduction kernel skeleton: one workgroup of WG threads per output item in
 * [0, count). `body` sees `o: u32` (the item) and `t: u32` (thread) and must
 * add its share into `acc: f32`; after the tree reduction `finish` runs on
 * thread 0 with the total in `total: f32`.
 */
export function reduction(
  label: string,
  dims: readonly Dim[],
  bindings: readonly Binding[],
  count: number,
  body: string,
  finish: string,
): Kernel {
  const d = workgroupPerItem(count, label);
  const code = `// ${label}
${dimsDecl(dims)}
${storageDecls(bindings)}
var<workgroup> red: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = wid.y * p.row + wid.x;
  let t = lid.x;
${dimLets(dims)}
  var acc = 0.0;
  if (o < p.total) {
${body}
  }
  red[t] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  if (t == 0u && o < p.total) {
    let total = red[0];
${finish}
  }
}
`;
  return makeKernel(label, dims, d, bindings, code);
}

/** `f(j)` for j < b joined by `sep`: the unrolled lines of a register block. */
export function rep(b: number, f: (j: number) => string, sep = "\n"): string {
  return Array.from({ length: b }, (_, j) => f(j)).join(sep);
}
