// Dropout on the GPU with inverted scaling: y = keep ? x/(1−rate) : 0, and
// backward dx = keep ? δ/(1−rate) : 0. The keep mask is never stored: it is a
// counter-based hash of (seed, layer, step, element index), recomputed in the
// backward pass. mask.ts holds its bit-exact TypeScript twin (dropoutKeep),
// which the CPU backend uses, so both backends drop the same elements.
// Shapes: x, y, dy, dx are (N, ...) flattened, `count` elements.
// Bindings (both kernels): 0 uniforms (the count), 1 u (step info, see
// STEP_STRUCT), 2 src (read), 3 dst (write).

import { type Binding, elementwise, type Kernel } from "../../webgpu/training_kernel.ts";
import { dropThreshold } from "./mask.ts";

/** Layout of the per-step uniform shared by dropout and optimizer kernels (8 × 4 bytes). */
export const STEP_STRUCT = `
struct Step { lr: f32, bc1: f32, bc2: f32, step: u32, seed: u32, p0: u32, p1: u32, p2: u32 };`;

/** The per-step uniform `u` (STEP_STRUCT), the first binding of the dropout and optimizer kernels. */
export const STEP_BINDING: Binding = ["u", "uniform", "Step"];

const HASH = `
fn mix32(v: u32) -> u32 {
  var h = v;
  h = h ^ (h >> 16u); h = h * 0x7feb352du;
  h = h ^ (h >> 15u); h = h * 0x846ca68bu;
  h = h ^ (h >> 16u);
  return h;
}
fn keep(seed: u32, layer: u32, step: u32, i: u32, threshold: u32) -> bool {
  let h = mix32(mix32(mix32(mix32(seed) ^ layer) ^ step) ^ i);
  return (h >> 8u) >= threshold;
}`;

/** Forward (train mode) or backward dropout over `count` elements; identical masks. */
export function dropoutKernel(rate: number, layer: number, count: number, backward: boolean): Kernel {
  const bindings: Binding[] = [STEP_BINDING, ["src", "read"], ["dst", "read_write"]];
  const body = "  dst[i] = select(0.0, src[i] * SCALE, keep(u.seed, LAYER, u.step, i, THRESHOLD));";
  const dims = [["SCALE", "f32", 1 / (1 - rate)], ["LAYER", "u32", layer >>> 0], [
    "THRESHOLD",
    "u32",
    dropThreshold(rate),
  ]] as const;
  return elementwise(
    `dropout ${backward ? "dX" : "forward"}`,
    dims,
    bindings,
    count,
    body,
    STEP_STRUCT + HASH,
  );
}
