// The channel slice on every implementation against the float64 reference
// (tests/ops/check_layer.ts): any start and count, image / series / flat
// inputs, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["channelslice over (C, H, W), (C, L) and (F)", 6, (rng) => {
    const c = 2 + rng.int(6), start = rng.int(c), r = rng.next();
    return {
      spec: { type: "channelslice", start, count: 1 + rng.int(c - start) } as TrainLayerSpec,
      inShape: r < 0.4 ? [c, 2 + rng.int(3), 1 + rng.int(4)] : r < 0.7 ? [c, 2 + rng.int(5)] : [c],
    };
  }],
];

await runFamily("slice", 434343, DRAWS);
