// Instance normalisation on every implementation against the float64
// reference (tests/ops/check_layer.ts): image and series planes of 2–30
// positions, epsilons from 1e-5 to 0.1, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["instancenorm over (C, H, W) and (C, L)", 6, (rng) => ({
    spec: { type: "instancenorm", epsilon: [1e-5, 1e-3, 0.1][rng.int(3)] } as TrainLayerSpec,
    inShape: rng.next() < 0.5
      ? [1 + rng.int(4), 2 + rng.int(4), 1 + rng.int(5)]
      : [1 + rng.int(4), 2 + rng.int(9)],
  })],
];

await runFamily("instancenorm", 616161, DRAWS);
