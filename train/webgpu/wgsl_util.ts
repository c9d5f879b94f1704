// Helpers shared by the training WGSL generators: float literals, 1-D thread
// grids folded into 2-D dispatches, and the kernel record the backend runs.
// Invariants: every generated kernel uses workgroups of WG threads (or one
// workgroup per output for reductions); the flat thread/workgroup index is
// (wid.y * gx + wid.x) and kernels guard it against the real count, so a grid
// rounded up never touches memory out of range. Every binding declared in a
// kernel is used by it (pipelines use layout "auto").

/** Threads per workgroup of elementwise kernels and of reduction workgroups. */
export const WG = 64;

/** A generated compute kernel: WGSL source (entry point `main`) and its dispatch size. */
export interface Kernel {
  /** short name for error messages */
  label: string;
  code: string;
  groups: [number, number, number];
  /** multiply-add work in FLOPs (2 per MAC) where meaningful; profiling only */
  flops?: number;
}

/** A finite number as a WGSL f32 literal. Throws RangeError on NaN/Infinity. */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`WGSL constant must be finite, got ${x}`);
  return `f32(${x.toExponential(9)})`;
}

/** Largest workgroup count per dispatch dimension (WebGPU default limit). */
export const MAX_GROUPS_PER_DIM = 65535;

/** Fold `groups` workgroups into [gx, gy] with gx, gy ≤ maxPerDim. Throws RangeError when too many. */
export function grid(groups: number, maxPerDim = MAX_GROUPS_PER_DIM): [number, number] {
  if (!Number.isInteger(groups) || groups < 0) {
    throw new TypeError(`workgroup count must be an integer ≥ 0, got ${groups}`);
  }
  if (groups <= maxPerDim) return [Math.max(1, groups), 1];
  const gy = Math.ceil(groups / maxPerDim);
  if (gy > maxPerDim) {
    throw new RangeError(`${groups} workgroups exceed the dispatch limit ${maxPerDim}×${maxPerDim}`);
  }
  return [Math.ceil(groups / gy), gy];
}

/**
 * Elementwise kernel skeleton: one thread per item in [0, count). `body` sees
 * `i: u32` (the item) and runs only when i < count.
 */
export function elementwise(label: string, decls: string, count: number, body: string): Kernel {
  const [gx, gy] = grid(Math.ceil(count / WG));
  const code = `${decls}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = (wid.y * ${gx}u + wid.x) * ${WG}u + lid.x;
  if (i >= ${count}u) { return; }
${body}
}
`;
  return { label, code, groups: [gx, gy, 1] };
}

/**
 * Reduction kernel skeleton: one workgroup of WG threads per output item in
 * [0, count). `body` sees `o: u32` (the item) and `t: u32` (thread) and must
 * add its share into `acc: f32`; after the tree reduction `finish` runs on
 * thread 0 with the total in `total: f32`.
 */
export function reduction(label: string, decls: string, count: number, body: string, finish: string): Kernel {
  const [gx, gy] = grid(count);
  const code = `${decls}
var<workgroup> red: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = wid.y * ${gx}u + wid.x;
  let t = lid.x;
  var acc = 0.0;
  if (o < ${count}u) {
${body}
  }
  red[t] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  if (t == 0u && o < ${count}u) {
    let total = red[0];
${finish}
  }
}
`;
  return { label, code, groups: [gx, gy, 1] };
}
