// The channel shuffle on every implementation against the float64 reference
// (tests/ops/check_layer.ts): groups from 1 to C, image / series / flat inputs,
// batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["shuffle over (C, H, W), (C, L) and (F)", 6, (rng) => {
    const groups = 1 + rng.int(4), per = 1 + rng.int(4), r = rng.next();
    const c = groups * per;
    return {
      spec: { type: "shuffle", groups } as TrainLayerSpec,
      inShape: r < 0.4 ? [c, 2 + rng.int(4), 1 + rng.int(4)] : r < 0.7 ? [c, 3 + rng.int(5)] : [c],
    };
  }],
];

await runFamily("shuffle", 474747, DRAWS);
