// conv2d / conv1d on every implementation against the float64 reference
// (tests/ops/check_layer.ts): the CPU forward variants (winograd3x3,
// winograd5x5, im2col, direct), the CPU training layer, the WebGPU forward
// and backward kernels (dX unit-stride and gather, dW rows / taps / lanes,
// db) and finite differences of the reference. Random shapes: odd sizes,
// stride > 1, dilation, valid/same/full/explicit asymmetric padding, groups
// and depthwise, bias or not, batch 1–3, plus wide stride-1 convs (16–40
// channels: the wide register blocks) and Winograd-qualifying 3×3 / 5×5 ones.

import type { TrainLayerSpec } from "../../train/backend.ts";
import type { Rng } from "../../train/rng.ts";
import { type Draw, runFamily } from "./run_family.ts";

const PADS = ["valid", "same", "full"] as const;

function pad(rng: Rng, dims: 2 | 4) {
  const c = rng.int(5);
  return c < 3 ? PADS[c] : c === 3 ? rng.int(3) : Array.from({ length: dims }, () => rng.int(3));
}

const DRAWS: Draw[] = [
  ["conv2d: stride, dilation, padding, groups", 8, (rng) => {
    const groups = [1, 1, 2][rng.int(3)];
    return {
      spec: {
        type: "conv2d",
        filters: groups * (1 + rng.int(3)),
        kernel: [1 + rng.int(3), 1 + rng.int(3)],
        stride: [1 + rng.int(3), 1 + rng.int(2)],
        dilation: [1 + rng.int(2), 1 + rng.int(2)],
        padding: pad(rng, 4),
        groups,
        bias: rng.next() < 0.8,
      } as TrainLayerSpec,
      inShape: [groups * (1 + rng.int(2)), 3 + rng.int(6), 3 + rng.int(7)],
    };
  }],
  ["conv1d: stride, dilation, padding, groups", 8, (rng) => {
    const groups = [1, 3][rng.int(2)];
    return {
      spec: {
        type: "conv1d",
        filters: groups * (1 + rng.int(2)),
        kernel: 1 + rng.int(4),
        stride: 1 + rng.int(3),
        dilation: 1 + rng.int(2),
        padding: pad(rng, 2),
        groups,
      } as TrainLayerSpec,
      inShape: [groups, 8 + rng.int(7)],
    };
  }],
  ["conv1d with causal padding (a WaveNet-style dilated stack layer)", 4, (rng) => ({
    spec: {
      type: "conv1d",
      filters: 1 + rng.int(4),
      kernel: 2 + rng.int(3),
      dilation: [1, 2, 4][rng.int(3)],
      stride: 1 + rng.int(2),
      padding: "causal",
    } as TrainLayerSpec,
    inShape: [1 + rng.int(3), 6 + rng.int(12)],
  })],
  ["conv2dtranspose / conv1dtranspose: stride, dilation, padding, output padding, groups", 10, (rng) => {
    const groups = [1, 1, 2][rng.int(3)];
    const oneD = rng.next() < 0.3;
    const s = 1 + rng.int(3), d = 1 + rng.int(2);
    const op = rng.int(Math.max(s, d)); // outputPadding < max(stride, dilation)
    return oneD
      ? {
        spec: {
          type: "conv1dtranspose",
          filters: groups * (1 + rng.int(3)),
          kernel: 1 + rng.int(4),
          stride: s,
          dilation: d,
          padding: rng.int(2),
          outputPadding: op,
          groups,
        } as TrainLayerSpec,
        inShape: [groups * (1 + rng.int(2)), 2 + rng.int(8)],
      }
      : {
        spec: {
          type: "conv2dtranspose",
          filters: groups * (1 + rng.int(3)),
          kernel: [1 + rng.int(3), 1 + rng.int(4)],
          stride: [s, 1 + rng.int(2)],
          dilation: [d, 1],
          padding: rng.next() < 0.5 ? rng.int(2) : [rng.int(2), 0, rng.int(2), 1],
          outputPadding: [op, 0],
          groups,
          bias: rng.next() < 0.8,
        } as TrainLayerSpec,
        inShape: [groups * (1 + rng.int(2)), 2 + rng.int(5), 2 + rng.int(6)],
      };
  }],
  ["wide stride-1 conv2d (register blocks of 16, 8 columns, lanes)", 4, (rng) => {
    const groups = [1, 1, 2][rng.int(3)];
    return {
      spec: {
        type: "conv2d",
        filters: groups * [16, 32, 13 + rng.int(28)][rng.int(3)],
        kernel: 1 + rng.int(3),
        dilation: 1 + rng.int(2),
        padding: PADS[rng.int(3)],
        groups,
        bias: rng.next() < 0.8,
      } as TrainLayerSpec,
      inShape: [groups * [16, 3 + rng.int(30)][rng.int(2)], 3 + rng.int(6), 4 + rng.int(14)],
    };
  }],
  ["Winograd 3×3 / 5×5 (stride 1, ≥ 3 input channels) and depthwise", 6, (rng) => {
    const depthwise = rng.next() < 0.3, c = 3 + rng.int(6);
    return {
      spec: {
        type: "conv2d",
        filters: depthwise ? c : 1 + rng.int(9),
        kernel: rng.next() < 0.5 ? 3 : 5,
        padding: PADS[rng.int(3)],
        groups: depthwise ? c : 1,
      } as TrainLayerSpec,
      inShape: [c, 5 + rng.int(6), 5 + rng.int(7)],
    };
  }],
];

await runFamily("conv", 424242, DRAWS);
