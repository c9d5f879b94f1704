// Test values of the parameters of the activations that take some, shared by
// every suite that builds one of each activation (tests/ops/activation_test.ts,
// tests/convert_onnx_test.ts): inputs lie in about [−2, 2), so the clip bounds
// and hardsigmoid's ramp are crossed on both sides. A new activation with
// parameters adds its values here once.

/** Layer-spec parameters by activation type (absent: the activation takes none). */
export const ACT_TEST_PARAMS: Readonly<Record<string, object>> = {
  leakyrelu: { alpha: 0.3 },
  thresholdedrelu: { alpha: 0.5 },
  elu: { alpha: 0.3 },
  clip: { min: -0.5, max: 1.25 },
  hardsigmoid: { alpha: 1 / 6, beta: 0.5 },
  selu: { alpha: 1.5, gamma: 0.75 },
  celu: { alpha: 0.7 },
  affine: { scale: -1.5, shift: 0.25 },
};

/** The smallest |x| an activation is tested at (a pole at 0: inputs are moved out of (−m, m)). */
export const ACT_TEST_MIN_ABS: Readonly<Record<string, number>> = { reciprocal: 0.25, sqrt: 0.25, log: 0.25 };

/** The activations defined for positive inputs only (tested on |x| + minAbs). */
export const ACT_TEST_POSITIVE: ReadonlySet<string> = new Set(["sqrt", "log"]);
