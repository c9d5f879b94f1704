// Training-only layers on every implementation against the float64
// reference (tests/ops/check_layer.ts): batchnorm in training mode (batch
// statistics, running mean/var update, gradients through the statistics) on
// (C, H, W) and flat features, and inverted dropout with the backends'
// shared mask. Batch 1–3.

import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["batchnorm (train mode, running statistics)", 4, (rng) => ({
    spec: { type: "batchnorm", eps: 1e-3, momentum: 0.2 },
    inShape: rng.next() < 0.5 ? [1 + rng.int(3), 3 + rng.int(6), 3 + rng.int(7)] : [3 + rng.int(7)],
  })],
  ["dropout (rate 0.25, shared mask)", 3, (rng) => ({
    spec: { type: "dropout", rate: 0.25 },
    inShape: [1 + rng.int(3), 3 + rng.int(6), 3 + rng.int(7)],
  })],
];

await runFamily("batchnorm", 848484, DRAWS);
