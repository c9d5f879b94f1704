// Pooling on every implementation against the float64 reference
// (tests/ops/check_layer.ts): max (with ties: first winner in scan order) /
// avg (padded cells counted, or not: countPad false) / l2, 2-D and 1-D,
// valid/same/full/explicit padding, stride ≠ window,
// dilated max pools, the maxpool2x2 fast path and the tiled max-pool backward, and global
// average pooling. Batch 1–3.

import type { TrainLayerSpec } from "../../train/backend.ts";
import type { Rng } from "../../train/rng.ts";
import { type Draw, runFamily } from "./run_family.ts";

const PADS = ["valid", "same", "full"] as const;
const pad = (rng: Rng) => {
  const c = rng.int(5);
  return c < 4 ? (c < 3 ? PADS[c] : rng.int(2)) : 1;
};

/** A 1-D pool (30% of draws) or a 2-D one over C×H×W: `fields(two)` draws the window for that form. */
function oneOrTwo(
  rng: Rng,
  mode: string,
  C: number,
  H: number,
  W: number,
  fields: (two: boolean) => Record<string, unknown>,
  ties?: boolean,
) {
  const two = !(rng.next() < 0.3);
  return {
    spec: { type: `${mode}pool${two ? "2d" : "1d"}`, ...fields(two) } as TrainLayerSpec,
    inShape: two ? [C, H, W] : [C, W],
    ties,
  };
}

const DRAWS: Draw[] = [
  ["max / avg / l2, 2-D and 1-D, any window, stride and padding", 10, (rng) => {
    const mode = ["max", "avg", "l2"][rng.int(3)];
    const C = 1 + rng.int(3), H = 3 + rng.int(6), W = 3 + rng.int(7);
    const ties = mode === "max" && rng.next() < 0.5;
    return oneOrTwo(
      rng,
      mode,
      C,
      H,
      W,
      (two) =>
        two
          ? {
            size: [1 + rng.int(3), 1 + rng.int(3)],
            stride: [1 + rng.int(3), 1 + rng.int(2)],
            padding: pad(rng),
          }
          : { size: 1 + rng.int(3), stride: 1 + rng.int(3), padding: pad(rng) },
      ties,
    );
  }],
  ["avg pool without padded cells (countPad: false, ONNX count_include_pad = 0), 2-D and 1-D", 5, (rng) => {
    const C = 1 + rng.int(3), H = 3 + rng.int(6), W = 3 + rng.int(7);
    const k = 2 + rng.int(2);
    const padding = rng.next() < 0.5 ? "same" : 1;
    return oneOrTwo(
      rng,
      "avg",
      C,
      H,
      W,
      (two) =>
        two
          ? { size: [k, 3], stride: [1 + rng.int(2), 2], padding, countPad: false }
          : { size: k, stride: 1 + rng.int(2), padding, countPad: false },
    );
  }],
  ["max pool 2×2 stride 2 (CPU fast path, tiled backward), odd sizes", 4, (rng) => ({
    spec: { type: "maxpool2d", size: 2 },
    inShape: [1 + rng.int(4), 2 + rng.int(9), 2 + rng.int(9)],
    ties: rng.next() < 0.5,
  })],
  ["global average pool", 3, (rng) => ({
    spec: { type: "globalavgpool" },
    inShape: rng.next() < 0.5
      ? [1 + rng.int(5), 1 + rng.int(6), 1 + rng.int(6)]
      : [1 + rng.int(5), 2 + rng.int(20)],
  })],
  ["dilated max, 2-D and 1-D, any stride and padding", 6, (rng) => {
    const C = 1 + rng.int(3), H = 5 + rng.int(6), W = 5 + rng.int(7);
    const ties = rng.next() < 0.3;
    return oneOrTwo(
      rng,
      "max",
      C,
      H,
      W,
      (two) =>
        two
          ? {
            size: [1 + rng.int(3), 2 + rng.int(2)],
            stride: [1 + rng.int(3), 1 + rng.int(2)],
            dilation: [1 + rng.int(3), 2 + rng.int(2)],
            padding: pad(rng),
          }
          : { size: 2 + rng.int(2), stride: 1 + rng.int(3), dilation: 2 + rng.int(2), padding: pad(rng) },
      ties,
    );
  }],
];

await runFamily("pool", 515151, DRAWS);
