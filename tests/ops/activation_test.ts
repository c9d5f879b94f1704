// Activations on every implementation against the float64 reference
// (tests/ops/check_layer.ts): relu, leakyrelu and elu (alpha), sigmoid, tanh,
// relu6, clip (min/max), hardswish, identity and softmax over the channel
// axis, on (C, L) and flat inputs, batch 1–3 (inputs in [−2, 2), so clip
// bounds inside that range are exercised on both sides).

import type { TrainLayerSpec } from "../../train/backend.ts";
import { type Draw, runFamily } from "./run_family.ts";
import { LAYER_TYPES } from "../../runtime/format/spec.ts";
import { JOIN_OPS } from "../../runtime/graph.ts";
import { ACT_TEST_MIN_ABS, ACT_TEST_PARAMS, ACT_TEST_POSITIVE } from "../helpers/activation_params.ts";

/** Every activation layer type of the format (they follow "flatten" in LAYER_TYPES, joins aside): a new one is tested here. */
const ACTS = LAYER_TYPES.slice(LAYER_TYPES.indexOf("flatten") + 1).filter((t) => !JOIN_OPS.includes(t));

const DRAWS: Draw[] = ACTS.map((act): Draw => [act, 2, (rng) => ({
  spec: { type: act, ...ACT_TEST_PARAMS[act] } as TrainLayerSpec,
  inShape: rng.next() < 0.5 ? [3 + rng.int(3), 3 + rng.int(6)] : [4 + rng.int(3)],
  minAbs: ACT_TEST_MIN_ABS[act],
  positive: ACT_TEST_POSITIVE.has(act),
})]);

// softmax and logsoftmax along another per-sample axis: the middle and the last of (C, H, W), the last of (C, L)
const AXIS_DRAWS: Draw[] = (["softmax", "logsoftmax"] as const).map((
  act,
): Draw => [`${act} over axis 1 or 2`, 3, (rng) => {
  const image = rng.next() < 0.6;
  return {
    spec: { type: act, axis: image ? 1 + rng.int(2) : 1 } as TrainLayerSpec,
    inShape: image ? [1 + rng.int(3), 2 + rng.int(4), 2 + rng.int(4)] : [1 + rng.int(3), 2 + rng.int(6)],
  };
}]);

await runFamily("activation", 737373, [...DRAWS, ...AXIS_DRAWS]);
