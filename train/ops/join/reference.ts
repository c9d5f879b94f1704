// Float64 reference of the joins, forward and backward side by side.
// add: y = Σ_k x_k, so ∂L/∂x_k = ∂L/∂y for every input.
// concat (channel axis): y[n, off_k + c, s] = x_k[n, c, s], so ∂L/∂x_k is the
// slice of ∂L/∂y at input k's channels.
// mul: y = x·s, so ∂L/∂x = δ·s and ∂L/∂s = δ·x — summed over each channel's
// positions when s is one value per channel (broadcast).
// Shapes: x_k is (N, per_k) flattened (per_k = channels[k]·spatial for
// concat; mul's s: C per sample when broadcast), y and dy are (N, outPer).
// Inputs are never modified.

import { inputSizes, type ResolvedLayer } from "../../../runtime/format/spec.ts";

type Join = ResolvedLayer & { op: "add" | "concat" | "mul" };

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The index of s that multiplies element j of x (per channel when broadcast). */
const scaleAt = (
  l: ResolvedLayer & { op: "mul" },
  j: number,
) => (l.broadcast ? Math.floor(j / l.spatial) : j);

/**
 * Forward of a join over `batch` samples.
 *
 * @example
 * ```ts
 * import { joinForward64 } from "./reference.ts";
 * import { resolveLayers } from "../../../runtime/format/spec.ts";
 * const [, cat] = resolveLayers([{ type: "relu" }, { type: "concat", inputs: ["input", 0] }], [1, 2]);
 * const y = joinForward64(cat as never, [Float64Array.of(1, 2), Float64Array.of(3, 4)], 1);
 * if (y.join() !== "1,2,3,4") throw new Error(String(y));
 * ```
 */
export function joinForward64(l: Join, xs: readonly Float64Array[], batch: number): Float64Array {
  const sizes = inputSizes(l);
  if (xs.length !== sizes.length) {
    throw new TypeError(`${l.op}: expected ${sizes.length} inputs, got ${xs.length}`);
  }
  xs.forEach((x, k) => {
    if (x.length !== batch * sizes[k]) {
      throw new TypeError(`${l.op}: input ${k} has ${x.length} values, expected ${batch}×${sizes[k]}`);
    }
  });
  const outPer = prod(l.outShape);
  const y = new Float64Array(batch * outPer);
  if (l.op === "add") {
    for (const x of xs) for (let j = 0; j < y.length; j++) y[j] += x[j];
    return y;
  }
  if (l.op === "mul") {
    for (let j = 0; j < y.length; j++) y[j] = xs[0][j] * xs[1][scaleAt(l, j)];
    return y;
  }
  for (let n = 0; n < batch; n++) {
    let off = n * outPer;
    xs.forEach((x, k) => {
      y.set(x.subarray(n * sizes[k], (n + 1) * sizes[k]), off);
      off += sizes[k];
    });
  }
  return y;
}

/** Backward of a join: ∂L/∂x_k for each input from dy = ∂L/∂y (mul reads its inputs `xs`). */
export function joinBackward64(
  l: Join,
  dy: Float64Array,
  batch: number,
  xs: readonly Float64Array[] = [],
): Float64Array[] {
  const sizes = inputSizes(l);
  const outPer = prod(l.outShape);
  if (dy.length !== batch * outPer) {
    throw new TypeError(`${l.op}: dy has ${dy.length} values, expected ${batch}×${outPer}`);
  }
  // in the forward pass add summed its inputs: each gets δ unchanged
  if (l.op === "add") return sizes.map(() => dy.slice());
  if (l.op === "mul") {
    if (xs.length !== 2) throw new TypeError("mul backward needs its two inputs");
    const dx = new Float64Array(dy.length), ds = new Float64Array(batch * sizes[1]);
    for (let j = 0; j < dy.length; j++) {
      // in the forward pass y[j] = x[j]·s[k] (s broadcast): δ flows to x by s and to s by x, summed over j
      const k = scaleAt(l, j);
      dx[j] = dy[j] * xs[1][k];
      ds[k] += dy[j] * xs[0][j];
    }
    return [dx, ds];
  }
  // in the forward pass concat laid the inputs side by side per sample: each takes back its own slice of δ
  const dxs = sizes.map((per) => new Float64Array(batch * per));
  for (let n = 0; n < batch; n++) {
    let off = n * outPer;
    dxs.forEach((dx, k) => {
      dx.set(dy.subarray(off, off + sizes[k]), n * sizes[k]);
      off += sizes[k];
    });
  }
  return dxs;
}
