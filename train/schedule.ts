// Learning-rate schedules as pure functions of the global step. Invariants:
// lrAt(step) is deterministic (a resumed run gets the same rate), finite and
// >= 0; warm-up ramps linearly from base/warmup to base over `warmup` steps and
// then hands over to the main schedule, which counts from the end of warm-up.

import { quote } from "../runtime/quote.ts";

/** Learning-rate schedules. */
export type ScheduleName = "constant" | "step" | "cosine";
export const SCHEDULE_NAMES: readonly ScheduleName[] = ["constant", "step", "cosine"];

export interface ScheduleConfig {
  name: ScheduleName;
  /** base learning rate */
  lr: number;
  /** total optimisation steps of the run (for cosine) */
  totalSteps: number;
  /** steps per epoch (step decay acts on epoch boundaries) */
  stepsPerEpoch: number;
  /** linear warm-up steps (0 = none) */
  warmup?: number;
  /** step schedule: multiply by gamma every `stepEpochs` epochs (defaults 0.1, 1/3 of the run) */
  gamma?: number;
  stepEpochs?: number;
  /** cosine: floor as a fraction of lr (default 0) */
  minFactor?: number;
}

/** Validate a schedule config; throws RangeError/TypeError naming the bad field. */
export function checkSchedule(c: ScheduleConfig): void {
  if (!SCHEDULE_NAMES.includes(c.name)) {
    throw new TypeError(
      `unknown schedule ${quote(c.name)}, expected one of ${SCHEDULE_NAMES.join(", ")}`,
    );
  }
  if (!(Number.isFinite(c.lr) && c.lr > 0)) throw new RangeError(`learning rate must be > 0, got ${c.lr}`);
  if (!(c.totalSteps >= 1 && c.stepsPerEpoch >= 1)) {
    throw new RangeError(
      `schedule needs totalSteps >= 1 and stepsPerEpoch >= 1, got ${c.totalSteps}, ${c.stepsPerEpoch}`,
    );
  }
  if (c.warmup !== undefined && !(c.warmup >= 0)) {
    throw new RangeError(`warm-up must be >= 0, got ${c.warmup}`);
  }
  if (c.gamma !== undefined && !(c.gamma > 0 && c.gamma <= 1)) {
    throw new RangeError(`gamma must be in (0, 1], got ${c.gamma}`);
  }
}

/** Learning rate for 0-based global step `step`. */
export function lrAt(c: ScheduleConfig, step: number): number {
  const warm = c.warmup ?? 0;
  if (step < warm) return c.lr * (step + 1) / warm;
  if (c.name === "constant") return c.lr;
  if (c.name === "step") {
    const totalEpochs = Math.max(1, Math.ceil(c.totalSteps / c.stepsPerEpoch));
    const every = c.stepEpochs ?? Math.max(1, Math.ceil(totalEpochs / 3));
    const epoch = Math.floor(step / c.stepsPerEpoch);
    return c.lr * Math.pow(c.gamma ?? 0.1, Math.floor(epoch / every));
  }
  // cosine from the end of warm-up to totalSteps
  const span = Math.max(1, c.totalSteps - warm);
  const t = Math.min(1, (step - warm) / span);
  const floor = c.minFactor ?? 0;
  return c.lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
