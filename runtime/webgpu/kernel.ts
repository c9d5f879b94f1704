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

/** Threads per workgroup of every forward kernel. */
export const WG = 64;

/** The thread index prologue: defines `i` and guards it. */
export const PROLOGUE = `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.row + gid.x;
  if (i >= p.total) { return; }`;

/** One field of a uniform record: WGSL type and value. */
export type UField = ["u32" | "i32" | "f32", number];

/** WGSL struct declaration `struct P {...}` plus binding 0 for `fields` (after total and row). */
export function uniformDecl(names: string[], types: UField[0][]): string {
  const all = ["total: u32", "row: u32", ...names.map((n, k) => `${n}: ${types[k]}`)];
  return `struct P { ${all.join(", ")} }\n@group(0) @binding(0) var<uniform> p: P;`;
}

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
 * Dispatch for `total` threads in workgroups of WG, folded into 2-D when the
 * 1-D count exceeds the per-dimension limit. Throws RangeError when even the
 * 2-D grid cannot hold it.
 */
export function planDispatch(total: number, limits: DispatchLimits, what = "kernel"): Dispatch {
  if (!Number.isInteger(total) || total < 0) {
    throw new TypeError(`${what}: thread count must be an integer >= 0, got ${total}`);
  }
  const max = limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.max(1, Math.ceil(total / WG));
  if (groups <= max) return { groups: [groups, 1, 1], total, row: groups * WG };
  const gy = Math.ceil(groups / max);
  if (gy > max) {
    throw new RangeError(
      `${what}: ${total} threads need ${groups} workgroups, more than the dispatch limit ${max}×${max}`,
    );
  }
  const gx = Math.ceil(groups / gy);
  if (gx * WG >= 2 ** 32) throw new RangeError(`${what}: ${total} threads overflow the 32-bit index`);
  return { groups: [gx, gy, 1], total, row: gx * WG };
}

/**
 * The uniform record bytes: total, row, then `fields` in declaration order,
 * 4 bytes each, padded to a multiple of 16 bytes (WGSL uniform struct size).
 */
export function uniformBytes(d: Dispatch, fields: UField[]): ArrayBuffer {
  const n = 2 + fields.length;
  const buf = new ArrayBuffer(Math.ceil((n * 4) / 16) * 16);
  const v = new DataView(buf);
  v.setUint32(0, d.total, true);
  v.setUint32(4, d.row, true);
  fields.forEach(([t, x], k) => {
    const at = 8 + 4 * k;
    if (t === "f32") v.setFloat32(at, x, true);
    else if (t === "i32") v.setInt32(at, x, true);
    else v.setUint32(at, x, true);
  });
  return buf;
}

/** A forward kernel ready to bind: its WGSL, buffer roles in binding order (after the uniform at 0), uniforms and dispatch. */
export interface ForwardKernel {
  /** short name for error messages */
  label: string;
  /** WGSL source, entry point `main`; shape-independent (shapes are uniforms) */
  code: string;
  /** roles of bindings 1.. in order: "x" input (read), "w"/"b" parameters (read), "y" output (read_write) */
  bindings: ("x" | "w" | "b" | "y")[];
  /** contents of the uniform buffer at binding 0 */
  uniforms: ArrayBuffer;
  dispatch: Dispatch;
}
