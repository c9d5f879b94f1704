// The training losses and their one option: which loss ends the net and the
// label smoothing of softmax cross-entropy. Invariants: softmax_xent expects
// raw logits (no softmax layer); smoothing s is in [0, 1) and moves the
// one-hot target to (1 − s)·onehot + s/K; mse takes no smoothing.

import { quote } from "../../../runtime/quote.ts";

/** The losses both training backends implement. */
export type LossName = "softmax_xent" | "mse";

/**
 * Throw a TypeError for an unknown loss and a RangeError for a smoothing
 * outside [0, 1) (TypeError when it is given to mse).
 *
 * @example
 * ```ts
 * import { checkLoss } from "./spec.ts";
 * checkLoss("softmax_xent", 0.1); // ok
 * ```
 */
export function checkLoss(loss: unknown, smoothing: unknown = 0): asserts loss is LossName {
  if (loss !== "softmax_xent" && loss !== "mse") {
    throw new TypeError(`loss must be "softmax_xent" or "mse", got ${quote(loss)}`);
  }
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing < 1)) {
    throw new RangeError(`label smoothing must be a number in [0, 1), got ${smoothing}`);
  }
  if (smoothing > 0 && loss !== "softmax_xent") {
    throw new TypeError(`label smoothing applies to softmax_xent, not ${loss}`);
  }
}
