// lrn (local response normalisation across channels) on every implementation
// against the float64 reference (tests/ops/check_layer.ts): odd and even
// window sizes, windows wider than the channels, image / series / flat inputs,
// alpha large enough that the normalisation matters, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["lrn over (C, H, W), (C, L) and (F), sizes 1–7", 6, (rng) => {
    const c = 1 + rng.int(8), r = rng.next();
    return {
      spec: {
        type: "lrn",
        size: 1 + rng.int(7),
        alpha: 0.2 + rng.next(),
        beta: 0.5 + rng.next() * 0.5,
        bias: 1 + rng.next(),
      } as TrainLayerSpec,
      inShape: r < 0.4 ? [c, 2 + rng.int(4), 1 + rng.int(4)] : r < 0.7 ? [c, 3 + rng.int(5)] : [c],
    };
  }],
];

await runFamily("lrn", 383838, DRAWS);
