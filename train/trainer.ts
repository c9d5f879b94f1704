// The training loop: epochs of shuffled (optionally augmented) batches, a
// learning-rate schedule, validation after every epoch, early stopping on
// validation loss, and checkpoints every K steps and at every epoch end.
// Invariants: the sample order of epoch e and the augmentation draws of
// (epoch e, step s) are pure functions of (seed, e, s), so a run resumed from
// a checkpoint sees exactly the batches an uninterrupted run would; a kill
// loses at most the steps since the last checkpoint; the learning rate is
// lrAt(global step) and never depends on wall time.

import type { BackendState, TrainBackend } from "./backend.ts";
import type { Dataset, SampleSet } from "./data/sets.ts";
import type { AugmentOptions } from "./data/augment.ts";
import { makeBatch } from "./data/batches.ts";
import { DataRng, permutation } from "./data/prng.ts";
import { lrAt, type ScheduleConfig } from "./schedule.ts";
import { type Checkpoint, type EpochRecord, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { EpochProgress, nullSink, type ProgressSink } from "./progress.ts";

export interface TrainerOptions {
  backend: TrainBackend;
  data: Dataset;
  epochs: number;
  batch: number;
  /** schedule without the step counts, which the trainer fills in */
  schedule: Omit<ScheduleConfig, "totalSteps" | "stepsPerEpoch">;
  seed: number;
  /** null = no augmentation */
  augment: AugmentOptions | null;
  /** stop after this many epochs without a validation-loss improvement (0 = never) */
  patience: number;
  /** restore the best-validation weights at the end (default: patience > 0) */
  restoreBest?: boolean;
  /** checkpoint file; its best weights go to `<path>.best` */
  checkpointPath?: string;
  /** also checkpoint every K steps inside an epoch (0 = only at epoch ends) */
  checkpointEvery?: number;
  /** continue from this checkpoint */
  resume?: Checkpoint;
  /** identity of the run, stored in checkpoints and compared on resume */
  run?: Record<string, unknown>;
  /** stored in checkpoints under run.saved but not compared (the CLI's flags, restored by --resume) */
  saved?: Record<string, unknown>;
  /** checked before every step: when aborted, a checkpoint is written and the loop rejects with its reason */
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** called after each epoch with its record */
  onEpoch?: (r: EpochRecord) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  best: { valLoss: number; epoch: number } | null;
  stoppedEarly: boolean;
  /** total optimisation steps taken (including resumed ones) */
  steps: number;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  /** argmax class per sample */
  predicted: Int32Array;
  /** (N, classes) logits */
  logits: Float32Array;
}

/** Mean softmax cross-entropy and correct count of logits (N,K) against labels. */
export function xentStats(logits: Float32Array, labels: ArrayLike<number>, n: number, k: number) {
  let loss = 0, correct = 0;
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let m = -Infinity, arg = 0;
    for (let j = 0; j < k; j++) if (logits[o + j] > m) (m = logits[o + j], arg = j);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(logits[o + j] - m);
    loss += Math.log(s) + m - logits[o + labels[i]];
    predicted[i] = arg;
    if (arg === labels[i]) correct++;
  }
  return { lossSum: loss, correct, predicted };
}

/** Eval-mode pass over a whole set in batches. */
export async function evaluate(
  backend: TrainBackend,
  set: SampleSet,
  data: Pick<Dataset, "inputShape" | "normalization" | "classes">,
  batch = 256,
): Promise<EvalResult> {
  const k = data.classes.length;
  const logits = new Float32Array(set.n * k);
  for (let s = 0; s < set.n; s += batch) {
    const count = Math.min(batch, set.n - s);
    const b = makeBatch(set, null, s, count, data.inputShape, data.normalization);
    const out = await backend.predict(b.x, count);
    if (out.length !== count * k) {
      throw new RangeError(`backend predict returned ${out.length} values, expected ${count}x${k}`);
    }
    logits.set(out, s * k);
  }
  const st = xentStats(logits, set.labels, set.n, k);
  return { loss: st.lossSum / set.n, accuracy: st.correct / set.n, predicted: st.predicted, logits };
}

/** Sample order of epoch `epoch`: a pure function of (seed, epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  return permutation(n, DataRng.derive(seed, 0xe90c, epoch));
}

/** A short readable form of a value for a mismatch message (long JSON is cut). */
function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Where two JSON values first differ, as "path: a vs b" (arrays and objects walked; key order does not count). */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${path}: ${a.length} entries vs ${b.length}`;
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      const d = firstDifference(ra[k], rb[k], `${path}.${k}`);
      if (d) return d;
    }
    return null; // the same fields in another order
  }
  return `${path}: ${brief(a)} vs ${brief(b)}`;
}

/**
 * Run-identity fields added after checkpoints were first written, with the
 * value an older checkpoint means by leaving them out (SGD without Nesterov).
 */
const LATER_FIELDS: { path: [string, string]; value: unknown }[] = [
  { path: ["optimizer", "nesterov"], value: false },
];

/** A run identity with the later fields it lacks filled in with their old meaning (a copy; `run` is not changed). */
function withLaterFields(run: Record<string, unknown>): Record<string, unknown> {
  const out = { ...run };
  for (const { path: [outer, inner], value } of LATER_FIELDS) {
    const o = out[outer];
    if (o && typeof o === "object" && !Array.isArray(o) && !(inner in o)) {
      out[outer] = { ...(o as Record<string, unknown>), [inner]: value };
    }
  }
  return out;
}

/**
 * Compare a checkpoint's run identity with this run's; throws TypeError naming
 * the first difference. A field added since the checkpoint was written counts
 * as its old default on either side (an older checkpoint lacks it; a run whose
 * optimizer has no such option, Adam's nesterov, lacks it now), so checkpoints
 * of older versions still resume.
 */
export function checkResumable(saved: Record<string, unknown>, now: Record<string, unknown>, where: string) {
  const old = withLaterFields(saved), cur = withLaterFields(now);
  for (const key of Object.keys(now)) {
    const d = firstDifference(old[key], cur[key], key);
    if (d) {
      throw new TypeError(
        `${where}: cannot resume, the checkpoint's run differs from this one at ${d} (checkpoint vs now)`,
      );
    }
  }
}

/** Run the loop. Resolves when the epochs are done or early stopping fires. */
export async function train(o: TrainerOptions): Promise<TrainResult> {
  const { backend, data, batch, seed } = o;
  const train = data.train;
  if (!(Number.isInteger(batch) && batch >= 1)) {
    throw new RangeError(`batch must be an integer >= 1, got ${batch}`);
  }
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) {
    throw new RangeError(`epochs must be an integer >= 1, got ${o.epochs}`);
  }
  if (train.n < 1 || data.val.n < 1) throw new RangeError(`need at least 1 training and 1 validation sample`);
  const stepsPerEpoch = Math.ceil(train.n / batch);
  const sched: ScheduleConfig = { ...o.schedule, totalSteps: stepsPerEpoch * o.epochs, stepsPerEpoch };
  const sink = o.progress ?? nullSink;
  const every = o.checkpointEvery ?? 0;
  const run = o.run ?? {};
  const restoreBest = o.restoreBest ?? o.patience > 0;
  const bestPath = o.checkpointPath ? `${o.checkpointPath}.best` : undefined;

  let epoch = 0, s0 = 0, lossSum = 0, correct = 0, samples = 0, badEpochs = 0;
  let history: EpochRecord[] = [];
  let best: { valLoss: number; epoch: number } | null = null;
  let bestState: BackendState | null = null;
  let order: Uint32Array | null = null;
  if (o.resume) {
    const c = o.resume;
    checkResumable(c.run, run, o.checkpointPath ?? "checkpoint");
    await backend.setState(c.state);
    ({ epoch, badEpochs, history, best } = c);
    s0 = c.stepInEpoch;
    lossSum = c.epochLossSum;
    correct = c.epochCorrect;
    samples = c.epochSamples;
    if (s0 > 0) {
      if (c.order.length !== train.n) {
        throw new RangeError(`checkpoint order has ${c.order.length} samples, training set has ${train.n}`);
      }
      order = c.order;
    }
    if (best && bestPath && restoreBest) {
      try {
        bestState = (await loadCheckpoint(bestPath)).state;
      } catch (e) {
        if (!(e instanceof TypeError && /cannot read/.test(e.message))) throw e;
      }
    }
  }

  const snapshot = async (ep: number, step: number, ord: Uint32Array): Promise<void> => {
    if (!o.checkpointPath) return;
    await saveCheckpoint(o.checkpointPath, {
      state: await backend.getState(),
      epoch: ep,
      stepInEpoch: step,
      order: step > 0 ? ord : new Uint32Array(0),
      epochLossSum: lossSum,
      epochCorrect: correct,
      epochSamples: samples,
      history,
      best,
      badEpochs,
      run: o.saved ? { ...run, saved: o.saved } : run,
    });
  };

  let stoppedEarly = o.patience > 0 && badEpochs >= o.patience;
  for (; epoch < o.epochs && !stoppedEarly; epoch++) {
    const t0 = performance.now();
    const ord = order ?? epochOrder(train.n, seed, epoch);
    order = null;
    const bar = new EpochProgress(sink, `epoch ${epoch + 1}/${o.epochs}`, stepsPerEpoch, s0);
    let lr = lrAt(sched, epoch * stepsPerEpoch + s0);
    let seen = 0;
    for (let s = s0; s < stepsPerEpoch; s++) {
      if (o.signal?.aborted) {
        await snapshot(epoch, s, ord);
        bar.end("stopped");
        throw o.signal.reason ?? new DOMException("training was aborted", "AbortError");
      }
      const start = s * batch;
      const count = Math.min(batch, train.n - start);
      const aug = o.augment ? { opts: o.augment, rng: DataRng.derive(seed, 0xa06, epoch, s) } : undefined;
      const b = makeBatch(train, ord, start, count, data.inputShape, data.normalization, aug);
      lr = lrAt(sched, epoch * stepsPerEpoch + s);
      const r = await backend.step(b.x, b.labels, count, lr);
      if (!Number.isFinite(r.loss)) {
        throw new RangeError(
          `training diverged: loss is ${r.loss} at epoch ${epoch + 1} step ${s + 1} (lr ${lr}); lower --lr`,
        );
      }
      lossSum += r.loss * count;
      correct += r.correct;
      samples += count;
      seen += count;
      bar.update(s + 1, lossSum / samples, correct / samples, seen);
      if (every > 0 && (s + 1) % every === 0 && s + 1 < stepsPerEpoch) await snapshot(epoch, s + 1, ord);
    }
    s0 = 0;
    const v = await evaluate(backend, data.val, data);
    const rec: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: lossSum / samples,
      trainAcc: correct / samples,
      valLoss: v.loss,
      valAcc: v.accuracy,
      lr,
      seconds: (performance.now() - t0) / 1000,
    };
    history = [...history, rec];
    lossSum = correct = samples = 0;
    if (!best || v.loss < best.valLoss) {
      best = { valLoss: v.loss, epoch: epoch + 1 };
      badEpochs = 0;
      if (restoreBest) {
        bestState = await backend.getState();
        if (bestPath) await saveCheckpoint(bestPath, { ...emptyMeta(run), state: bestState });
      }
    } else {
      badEpochs++;
    }
    bar.end(
      `train loss ${rec.trainLoss.toFixed(4)} acc ${(rec.trainAcc * 100).toFixed(2)}% | val loss ${
        v.loss.toFixed(4)
      } acc ${(v.accuracy * 100).toFixed(2)}%${badEpochs ? ` (no improvement for ${badEpochs})` : ""}`,
    );
    o.onEpoch?.(rec);
    if (o.patience > 0 && badEpochs >= o.patience) stoppedEarly = true;
    await snapshot(epoch + 1, 0, new Uint32Array(0));
  }
  if (stoppedEarly) sink.write(`early stopping: no validation improvement for ${o.patience} epochs\n`);
  if (restoreBest && bestState && best && best.epoch !== history.length) {
    sink.write(
      `restoring weights of epoch ${best.epoch} (best validation loss ${best.valLoss.toFixed(4)})\n`,
    );
    await backend.setState(bestState);
  }
  return { history, best, stoppedEarly, steps: history.length * stepsPerEpoch };
}

/** Checkpoint fields of a run that has not started (epoch 0, no history), for `run`. */
export function emptyMeta(run: Record<string, unknown>): Omit<Checkpoint, "state"> {
  return {
    epoch: 0,
    stepInEpoch: 0,
    order: new Uint32Array(0),
    epochLossSum: 0,
    epochCorrect: 0,
    epochSamples: 0,
    history: [],
    best: null,
    badEpochs: 0,
    run,
  };
}
