// depthtospace and spacetodepth (DCR and CRD each) on every implementation against
// the float64 reference (tests/ops/check_layer.ts): blocks 1–3, odd sizes,
// batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ...(["DCR", "CRD"] as const).map((mode): Draw => [`depthtospace ${mode}`, 4, (rng) => {
    const b = 1 + rng.int(3);
    return {
      spec: { type: "depthtospace", block: b, mode } as TrainLayerSpec,
      inShape: [(1 + rng.int(3)) * b * b, 1 + rng.int(4), 1 + rng.int(5)],
    };
  }]),
  ...(["DCR", "CRD"] as const).map((mode): Draw => [`spacetodepth ${mode}`, 4, (rng) => {
    const b = 1 + rng.int(3);
    return {
      spec: { type: "spacetodepth", block: b, mode } as TrainLayerSpec,
      inShape: [1 + rng.int(3), b * (1 + rng.int(3)), b * (1 + rng.int(3))],
    };
  }]),
];

await runFamily("depth", 828282, DRAWS);
