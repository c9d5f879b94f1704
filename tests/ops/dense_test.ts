// dense (implicit flatten) on every implementation against the
// float64 reference (tests/ops/check_layer.ts): inputs of any per-sample
// shape, with and without bias, outputs below and above the 16-wide WebGPU
// dW block, batch 1–3.

import { type Draw, runFamily } from "./run_family.ts";

const DRAWS: Draw[] = [
  ["dense from (C, H, W) and flat inputs, bias or not", 6, (rng) => ({
    spec: { type: "dense", units: 1 + rng.int(30), bias: rng.next() < 0.8 },
    inShape: rng.next() < 0.5 ? [1 + rng.int(3), 3 + rng.int(6), 2] : [1 + rng.int(40)],
  })],
];

await runFamily("dense", 626262, DRAWS);
