// Fast float32 joins for the CPU training backend (same semantics as
// reference.ts; the forward is the runtime's CPU kernel, runtime/ops/join/cpu.ts).
// add: every ∂L/∂x_k = δ; concat: ∂L/∂x_k is δ's slice at input k's channels;
// mul: ∂L/∂x = δ·s, ∂L/∂s = δ·x (summed over a channel's positions when s is
// per channel, each sum in float64).
// Shapes: x_k is (N, per_k) flattened (per_k from inputSizes), y and δ are
// (N, outPer). Invariants: inputs are never modified; a null dx_k is skipped;
// no allocation per call.

import { inputSizes, type ResolvedLayer } from "../../../runtime/format/spec.ts";
import { addCpu, concatCpu, mulCpu } from "../../../runtime/ops/join/cpu.ts";

type Join = ResolvedLayer & { op: "add" | "concat" | "mul" };

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * y from every input of a join over `batch` samples.
 *
 * @example
 * ```ts
 * import { joinForward32 } from "./cpu_train.ts";
 * import { isJoin, resolveLayers } from "../../../runtime/format/spec.ts";
 * const [, add] = resolveLayers([{ type: "relu" }, { type: "add", inputs: ["input", 0] }], [2]);
 * if (!isJoin(add)) throw new Error(add.op);
 * const y = joinForward32(add, [Float32Array.of(1, 2), Float32Array.of(3, 4)], 1, new Float32Array(2));
 * if (y.join() !== "4,6") throw new Error(String(y));
 * ```
 */
export function joinForward32(l: Join, xs: Float32Array[], batch: number, y: Float32Array): Float32Array {
  if (l.op === "add") return addCpu(xs, prod(l.outShape), batch, y);
  if (l.op === "mul") return mulCpu(l.c, l.spatial, l.broadcast, xs, batch, y);
  return concatCpu(l.channels, l.spatial, xs, batch, y);
}

/**
 * Each input's gradient from dy = ∂L/∂y into dxs[k] (null: not needed); mul reads its inputs `xs`.
 *
 * @example
 * ```ts
 * import { joinBackward32 } from "./cpu_train.ts";
 * import { isJoin, resolveLayers } from "../../../runtime/format/spec.ts";
 * const [, cat] = resolveLayers([{ type: "relu" }, { type: "concat", inputs: ["input", 0] }], [1, 2]);
 * if (!isJoin(cat)) throw new Error(cat.op);
 * const [a, b] = [new Float32Array(2), new Float32Array(2)];
 * joinBackward32(cat, [], Float32Array.of(1, 2, 3, 4), [a, b], 1);
 * if (a.join() !== "1,2" || b.join() !== "3,4") throw new Error(`${a} ${b}`);
 * ```
 */
export function joinBackward32(
  l: Join,
  xs: Float32Array[],
  dy: Float32Array,
  dxs: (Float32Array | null)[],
  batch: number,
): void {
  const outPer = prod(l.outShape);
  if (l.op === "mul") {
    const [dx, ds] = dxs, n = batch * outPer, sp = l.broadcast ? l.spatial : 1;
    if (dx) { for (let j = 0; j < n; j++) dx[j] = dy[j] * xs[1][Math.floor(j / sp)]; }
    if (ds) {
      // per scale value: the sum over the positions it multiplies, in float64
      for (let k = 0; k < n / sp; k++) {
        let s = 0;
        for (let j = k * sp; j < (k + 1) * sp; j++) s += dy[j] * xs[0][j];
        ds[k] = s;
      }
    }
    return;
  }
  const sizes = inputSizes(l);
  let off = 0;
  dxs.forEach((dx, k) => {
    const per = sizes[k];
    if (dx && l.op === "add") dx.set(dy.subarray(0, batch * per));
    else if (dx) {
      for (let n = 0; n < batch; n++) {
        dx.set(dy.subarray(n * outPer + off, n * outPer + off + per), n * per);
      }
    }
    off += per;
  });
}
