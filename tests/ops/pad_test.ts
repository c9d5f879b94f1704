// pad2d / pad1d on every implementation against the float64 reference
// (tests/ops/check_layer.ts): every mode (constant with a nonzero value,
// reflect, edge), asymmetric pads up to 3 (reflect below the input size),
// odd sizes, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const MODES = ["constant", "reflect", "edge"] as const;

const DRAWS: Draw[] = MODES.flatMap((mode): Draw[] => [
  [`pad2d ${mode}`, 4, (rng) => {
    const h = 2 + rng.int(5), w = 2 + rng.int(6);
    const p = (n: number) => rng.int(Math.min(4, mode === "reflect" ? n : 4));
    return {
      spec: {
        type: "pad2d",
        padding: [p(h), p(h), p(w), p(w)],
        mode,
        ...(mode === "constant" ? { value: rng.next() - 0.5 } : {}),
      } as TrainLayerSpec,
      inShape: [1 + rng.int(3), h, w],
    };
  }],
  [`pad1d ${mode}`, 3, (rng) => {
    const l = 2 + rng.int(7);
    return {
      spec: {
        type: "pad1d",
        padding: [rng.int(Math.min(4, l)), 1 + rng.int(Math.min(3, l - 1))],
        mode,
      } as TrainLayerSpec,
      inShape: [1 + rng.int(3), l],
    };
  }],
]);

await runFamily("pad", 929292, DRAWS);
