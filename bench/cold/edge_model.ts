// Architecture of the shipped edge model (weights/fashion-mnist.tcnn): 94k
// parameters, input (1,28,28): conv3×3 16/32/64 "same" + ReLU + maxpool2 ×3
// (28 → 14 → 7 → 3), flatten 64·3·3 = 576, dense 576→120 + ReLU, dense
// 120→10, softmax. Used by the cold-start profile to make an edge-like int8
// file (~100 KB) with seeded weights before the trained one lands.

import type { LayerSpec } from "../../runtime/format/spec.ts";
import { exportedLayers } from "../../train/archs.ts";

export const EDGE_LAYERS: LayerSpec[] = exportedLayers("edge");
