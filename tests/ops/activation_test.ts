// Activations on every implementation against the float64 reference
// (tests/ops/check_layer.ts): relu, leakyrelu and elu (alpha), sigmoid, tanh
// and softmax over the channel axis, on (C, L) and flat inputs, batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";

const ACTS = ["relu", "leakyrelu", "elu", "sigmoid", "tanh", "softmax"];

const DRAWS: Draw[] = ACTS.map((act): Draw => [act, 2, (rng) => ({
  spec: (act === "leakyrelu" || act === "elu" ? { type: act, alpha: 0.3 } : { type: act }) as TrainLayerSpec,
  inShape: rng.next() < 0.5 ? [3 + rng.int(3), 3 + rng.int(6)] : [4 + rng.int(3)],
})]);

await runFamily("activation", 737373, DRAWS);
