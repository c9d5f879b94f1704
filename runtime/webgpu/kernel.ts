// Shared pieces of the forward WGSL generators: workgroup size, the thread
// index prologue (1-D work folded into a 2-D dispatch), the uniform record
// builder and the dispatch-size computation checked against device limits.
// Invariants: every kernel has entry point `main`, binding 0 is its uniform
// record `p` whose first two fields are `total` (threads doing work) and
// `row` (threads per dispatch row = groupsX * WG); every thread computes
// `i = gid.y * p.row + gid.x` and returns at once when `i >= p.total`, so a
// rounded-up grid never touches memory out of range. Shapes live in the
// uniform record, never in the source, so one pipeline serves every shape of
// a kernel variant.

import type { Window2d } from "../format/spec.ts";

/** Threads per workgroup of every forward kernel. */
export const WG = 64;

/** The thread index prologue: defines `i` and guards it. */
export const PROLOGUE = `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }`;

/** WGSL type of a uniform field (4 bytes each). */
export type UType = "u32" | "i32" | "f32";

/**
 * A uniform record layout after `total` and `row`: [name, type] per field,
 * in declaration order. The one list both the WGSL struct (uniformDecl) and
 * the bytes (uniformBytes) are made from, so they cannot drift apart.
 */
export type Layout = readonly (readonly [name: string, type: UType, ...rest: unknown[]])[];

/** The field names of a layout. */
export type LayoutNames<L extends Layout> = L[number][0];

/**
 * WGSL `struct P {...}` plus `@group(0) @binding(0) var<uniform> p: P` for `layout` (after total and row).
 *
 * @example
 * ```ts
 * import { uniformDecl } from "./kernel.ts";
 * const decl = uniformDecl([["c", "u32"], ["alpha", "f32"]]);
 * if (!decl.includes("struct P { total: u32, row: u32, c: u32, alpha: f32 }")) throw new Error(decl);
 * ```
 */
export function uniformDecl(layout: Layout): string {
  const all = ["total: u32", "row: u32", ...layout.map(([n, t]) => `${n}: ${t}`)];
  return `struct P { ${all.join(", ")} }\n@group(0) @binding(0) var<uniform> p: P;`;
}

/** The uniform values of a 2-D window (conv and pool layers): sizes, kernel, stride, dilation, leading padding. */
export function windowValues(g: Window2d): Record<WindowField, number> {
  return {
    ih: g.inH,
    iw: g.inW,
    oh: g.outH,
    ow: g.outW,
    kh: g.kh,
    kw: g.kw,
    sh: g.sh,
    sw: g.sw,
    dh: g.dh,
    dw: g.dw,
    pt: g.pt,
    pl: g.pl,
  };
}

/** Fields of windowValues. */
export type WindowField = "ih" | "iw" | "oh" | "ow" | "kh" | "kw" | "sh" | "sw" | "dh" | "dw" | "pt" | "pl";

/** A planned dispatch: workgroup counts and the uniform values total/row. */
export interface Dispatch {
  groups: [number, number, number];
  total: number;
  row: number;
}

/** Device limits the forward planner needs (a subset of GPUSupportedLimits). */
export interface DispatchLimits {
  maxComputeWorkgroupsPerDimension: number;
}

/**
 * Fold `groups` (an integer ≥ 0) workgroups into [gx, gy] with gx, gy ≤ the
 * per-dimension limit (gx·gy ≥ groups; kernels guard the surplus). Throws
 * RangeError when even the 2-D grid cannot hold them.
 */
export function planWorkgroups(groups: number, limits: DispatchLimits, what = "kernel"): [number, number] {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1];
  const gy = Math.ceil(groups / max);
  if (gy > max) {
    throw new RangeError(`${what}: ${groups} workgroups exceed the dispatch limit ${max}×${max}`);
  }
  return [Math.ceil(groups / gy), gy];
}

/**
 * Dispatch for `total` threads in workgroups of WG, folded into 2-D when the
 * 1-D count exceeds the per-dimension limit. Throws RangeError when even the
 * 2-D grid cannot hold it.
 *
 * @example
 * ```ts
 * import { planDispatch, WG } from "./kernel.ts";
 * const d = planDispatch(100_000 * WG, { maxComputeWorkgroupsPerDimension: 65535 });
 * if (d.groups[0] * d.groups[1] < 100_000 || d.row !== d.groups[0] * WG) throw new Error();
 * ```
 */
export function planDispatch(total: number, limits: DispatchLimits, what = "kernel"): Dispatch {
  if (!Number.isInteger(total) || total < 0) {
    throw new TypeError(`${what}: thread count must be an integer >= 0, got ${total}`);
  }
  const groups = Math.max(1, Math.ceil(total / WG));
  const [gx, gy] = planWorkgroups(groups, limits, what);
  if (gx * WG >= 2 ** 32) throw new RangeError(`${what}: ${total} threads overflow the 32-bit index`);
  return { groups: [gx, gy, 1], total, row: gx * WG };
}

/**
 * The uniform record bytes: total, row, then `values` of `layout` in
 * declaration order, 4 bytes each, padded to a multiple of 16 bytes (WGSL
 * uniform struct size). Values come from validated layers (runtime/format/spec.ts
 * limits keep every size far below 2³¹), so they are written unchecked.
 */
export function uniformBytes<L extends Layout>(
  d: Dispatch,
  layout: L,
  values: Record<LayoutNames<L>, number>,
): ArrayBuffer {
  const n = 2 + layout.length;
  const buf = new ArrayBuffer(Math.ceil((n * 4) / 16) * 16);
  const v = new DataView(buf);
  v.setUint32(0, d.total, true);
  v.setUint32(4, d.row, true);
  const vals = values as Record<string, number>;
  layout.forEach(([name, t], k) => {
    const x = vals[name];
    const at = 8 + 4 * k;
    if (t === "f32") v.setFloat32(at, x, true);
    else if (t === "i32") v.setInt32(at, x, true);
    else v.setUint32(at, x, true);
  });
  return buf;
}

/**
 * A binding after the uniform record: its WGSL name, access and type. A storage
 * buffer holds an array of its element type (default f32); a "uniform" binding
 * holds one value of the WGSL struct named by its type.
 */
export type Binding =
  | readonly [name: string, access: "read" | "read_write", type?: "f32" | "i32"]
  | readonly [name: string, access: "uniform", struct: string];

/** WGSL declarations of `buffers` from binding `first` (default 1, after the uniform record) on, one per binding. */
export function storageDecls(buffers: readonly Binding[], first = 1): string {
  return buffers.map(([name, access, type], k) =>
    access === "uniform"
      ? `@group(0) @binding(${k + first}) var<uniform> ${name}: ${type};`
      : `@group(0) @binding(${k + first}) var<storage, ${access}> ${name}: array<${type ?? "f32"}>;`
  ).join("\n");
}

/** A forward kernel's buffer roles in binding order (from 1): input, weights, bias, output. */
export type Role = "x" | "w" | "b" | "y";

/** The roles of a layer with parameters: x, w, [b], y. */
export const paramRoles = (bias: boolean): Role[] => bias ? ["x", "w", "b", "y"] : ["x", "w", "y"];

/** WGSL declarations of `roles` (y read_write, the rest read-only): the one list both the shader and the binding use. */
export function roleDecls(roles: readonly Role[]): string {
  return storageDecls(roles.map((r) => [r, r === "y" ? "read_write" : "read"] as const));
}

/**
 * A forward kernel over `threads` threads (planned against `limits`) with the
 * uniform record of `layout` filled from `values`.
 *
 * @example
 * ```ts
 * import { forwardKernel } from "./kernel.ts";
 * const k = forwardKernel("id", "…", ["x", "y"], [["n", "u32"]], { n: 5 }, 5, { maxComputeWorkgroupsPerDimension: 65535 });
 * if (k.dispatch.groups[0] !== 1 || k.uniforms.byteLength !== 16) throw new Error();
 * ```
 */
export function forwardKernel<L extends Layout>(
  label: string,
  code: string,
  bindings: Role[],
  layout: L,
  values: Record<LayoutNames<L>, number>,
  threads: number,
  limits: DispatchLimits,
): ForwardKernel {
  const dispatch = planDispatch(threads, limits, label);
  return { label, code, bindings, uniforms: uniformBytes(dispatch, layout, values), dispatch };
}

/**
 * The one kernel record of the WebGPU core, forward and training alike: its
 * WGSL, the names of its storage bindings (1.. in order, declared once with
 * the WGSL that uses them: storageDecls / roleDecls), the uniform record at
 * binding 0 and the dispatch. A binder passes one buffer per name, in order.
 */
export interface Kernel<B extends string = string> {
  /** short name for error messages */
  label: string;
  /** WGSL source, entry point `main`; shape-independent (shapes are uniforms) */
  code: string;
  /** names of bindings 1.. in order (forward kernels: "x" input, "w"/"b" parameters, "y" output) */
  bindings: readonly B[];
  /** contents of the uniform buffer at binding 0 */
  uniforms: ArrayBuffer;
  dispatch: Dispatch;
  /** multiply-add work in FLOPs (2 per MAC) where meaningful; profiling only */
  flops?: number;
}

/** A forward kernel: a Kernel whose bindings are layer roles. */
export type ForwardKernel = Kernel<Role>;
