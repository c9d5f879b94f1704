// Upsampling on every implementation against the float64 reference
// (tests/ops/check_layer.ts): nearest and (bi)linear, 1-D and 2-D, integer
// scales 1–4 (also different per axis), odd sizes down to 1, batch 1–3; plus
// PyTorch's numbers for a worked example (align_corners = false).

import { assertEquals } from "@std/assert";
import type { TrainLayerSpec } from "../../train/backend.ts";
import { resolveLayer } from "../../runtime/format/spec.ts";
import { upsampleCpu } from "../../runtime/ops/upsample/cpu.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["upsample2d nearest / bilinear, scales 1-4 per axis", 8, (rng) => ({
    spec: {
      type: "upsample2d",
      scale: [1 + rng.int(4), 1 + rng.int(4)],
      mode: rng.next() < 0.5 ? "nearest" : "bilinear",
    } as TrainLayerSpec,
    inShape: [1 + rng.int(3), 1 + rng.int(6), 1 + rng.int(7)],
  })],
  ["upsample1d nearest / linear", 6, (rng) => ({
    spec: {
      type: "upsample1d",
      scale: 1 + rng.int(4),
      mode: rng.next() < 0.5 ? "nearest" : "linear",
    } as TrainLayerSpec,
    inShape: [1 + rng.int(3), 1 + rng.int(9)],
  })],
];

Deno.test("upsample: bilinear ×2 of a 2×2 image gives PyTorch's align_corners=false numbers", () => {
  const l = resolveLayer({ type: "upsample2d", scale: 2, mode: "bilinear" }, [1, 2, 2]);
  if (l.op !== "upsample") throw new Error();
  const y = upsampleCpu(l, Float32Array.of(1, 2, 3, 4), 1, new Float32Array(16));
  // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), scale_factor=2, mode="bilinear")
  assertEquals(Array.from(y), [
    1,
    1.25,
    1.75,
    2,
    1.5,
    1.75,
    2.25,
    2.5,
    2.5,
    2.75,
    3.25,
    3.5,
    3,
    3.25,
    3.75,
    4,
  ]);
});

await runFamily("upsample", 959595, DRAWS);
