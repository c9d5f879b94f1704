// Where each output cell of a pad layer reads, along one axis, written once for
// the CPU kernel and the float64 reference (the WGSL twin is padSourceWgsl).
// An axis of n inputs padded by `before` cells: output o reads input
// i = o − before when 0 ≤ i < n; outside, constant reads nothing (−1: the
// value), edge the nearest end, reflect the mirror image without repeating the
// end (PyTorch ReflectionPad, ONNX reflect; the resolver keeps pads < n so one
// reflection suffices).

import type { PadMode } from "../../format/spec_types.ts";

/**
 * The input index output `o` reads along an axis, or −1 for a constant cell.
 *
 * @example
 * ```ts
 * import { padSource } from "./geometry.ts";
 * // [a b c] reflect-padded by 2: c b | a b c | b a
 * const got = [0, 1, 2, 3, 4, 5, 6].map((o) => padSource(o, 2, 3, "reflect"));
 * if (got.join() !== "2,1,0,1,2,1,0") throw new Error(got.join());
 * ```
 */
export function padSource(o: number, before: number, n: number, mode: PadMode): number {
  const i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode === "constant") return -1;
  if (mode === "edge") return i < 0 ? 0 : n - 1;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/** WGSL `fn src(o: u32, before: u32, n: u32) -> i32` for `mode`: padSource's twin. */
export function padSourceWgsl(mode: PadMode): string {
  const outside = mode === "constant"
    ? "return -1;"
    : mode === "edge"
    ? "return select(i32(n) - 1, 0, i < 0);"
    : "return select(2 * (i32(n) - 1) - i, -i, i < 0);";
  return `fn src(o: u32, before: u32, n: u32) -> i32 {
  let i = i32(o) - i32(before);
  if (i >= 0 && i < i32(n)) { return i; }
  ${outside}
}`;
}
