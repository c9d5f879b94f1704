// Registers one Deno test per draw table row of an op family: `count` random
// cases through checkLayer on every implementation (the WebGPU side when an
// adapter is present, under the REQUIRE_WEBGPU policy), printing the worst
// error per implementation.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { Rng } from "../../train/rng.ts";
import { GpuContext } from "../../train/webgpu/gpu_context.ts";
import { NO_WEBGPU, testDevice } from "../helpers/webgpu.ts";
import { testSeed } from "../helpers/system.ts";
import { checkCases, type GpuSide, stepUniform } from "./check_layer.ts";

/** One row: a name, how many cases, and how to draw one. */
export type Draw = [
  name: string,
  count: number,
  draw: (
    rng: Rng,
  ) => { spec: TrainLayerSpec; inShape: number[]; ties?: boolean; minAbs?: number; positive?: boolean },
];

/** Register the family's tests (seed: TEST_SEED or `seed`). */
export async function runFamily(family: string, seed: number, draws: Draw[]): Promise<void> {
  const base = testSeed(`ops/${family}`, seed);
  const device = NO_WEBGPU ? null : await testDevice(`ops/${family}`);
  const gpu: GpuSide | null = device ? { ctx: new GpuContext(device), stepU: stepUniform(device) } : null;
  draws.forEach(([name, count, draw], row) => {
    Deno.test({
      name: `${family} ops: ${name} — every CPU variant, CPU training, ${
        gpu ? "WebGPU fwd/bwd" : "(no WebGPU)"
      }, finite differences`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        const rng = new Rng(base + 1000 * row);
        const worst = await checkCases(count, rng, gpu, () => draw(rng));
        console.log(`${family} / ${name}: worst relative error ${JSON.stringify(worst)}`);
      },
    });
  });
}
