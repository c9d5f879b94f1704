// The per-channel layers (scale: y = s_c·x + t_c; prelu: y = x > 0 ? x : a_c·x)
// on every implementation against the float64 reference
// (tests/ops/check_layer.ts): image, series and flat inputs, one channel or
// many, batch 1–3.

import { type Draw, runFamily } from "./run_family.ts";

const shape = (rng: { next(): number; int(n: number): number }) => {
  const r = rng.next();
  return r < 0.4
    ? [1 + rng.int(5), 2 + rng.int(5), 1 + rng.int(6)]
    : r < 0.7
    ? [1 + rng.int(6), 3 + rng.int(9)]
    : [
      1 + rng.int(20),
    ];
};

const DRAWS: Draw[] = [
  ["scale over (C, H, W), (C, L) and (F)", 5, (rng) => ({ spec: { type: "scale" }, inShape: shape(rng) })],
  ["prelu over (C, H, W), (C, L) and (F)", 5, (rng) => ({ spec: { type: "prelu" }, inShape: shape(rng) })],
];

await runFamily("channel", 515151, DRAWS);
