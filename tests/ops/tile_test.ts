// The tile layer on every implementation against the float64 reference
// (tests/ops/check_layer.ts): repeats 1–3 on every axis of image, series and
// flat inputs, odd sizes, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["tile over (C, H, W), (C, L) and (F)", 8, (rng) => {
    const r = rng.next();
    const inShape = r < 0.5
      ? [1 + rng.int(3), 1 + rng.int(4), 1 + rng.int(5)]
      : r < 0.8
      ? [1 + rng.int(3), 1 + rng.int(6)]
      : [1 + rng.int(5)];
    return { spec: { type: "tile", repeats: inShape.map(() => 1 + rng.int(3)) } as TrainLayerSpec, inShape };
  }],
];

await runFamily("tile", 565656, DRAWS);
