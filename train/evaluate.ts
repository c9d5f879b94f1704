// Measuring a .tcnn model on a dataset split through the runtime's CPU
// backend: predictions in chunks of EVAL_CHUNK samples (the model is loaded
// once and disposed), accuracy, per-class accuracy and the confusion matrix.
// x is (N, ...inputShape) prepared with the model's recorded normalization.

import { decodeModel, loadModel } from "../mod.ts";
import { makeBatch } from "./data/batches.ts";
import type { Dataset } from "./data/sets.ts";
import { confusionMatrix, perClassAccuracy } from "./report.ts";

/** Samples per runtime predict() call when measuring a model. */
const EVAL_CHUNK = 500;

/** Class scores (N, K) of a model file on `n` prepared samples `x`, through the runtime's CPU backend. */
export async function predictAll(
  bytes: Uint8Array,
  x: Float32Array,
  n: number,
): Promise<{ probs: Float32Array; k: number }> {
  const model = await loadModel(bytes, { backend: "cpu" });
  try {
    const per = x.length / n;
    const k = model.outputShape.reduce((a, b) => a * b, 1);
    const probs = new Float32Array(n * k);
    for (let s = 0; s < n; s += EVAL_CHUNK) {
      const c = Math.min(EVAL_CHUNK, n - s);
      probs.set(await model.predict(x.subarray(s * per, (s + c) * per), { batch: c }), s * k);
    }
    return { probs, k };
  } finally {
    model.dispose();
  }
}

/** Index of the largest of the k values p[o..o+k). */
export const argmax = (p: Float32Array, o: number, k: number): number => {
  let a = 0;
  for (let j = 1; j < k; j++) if (p[o + j] > p[o + a]) a = j;
  return a;
};

/** Accuracy, per-class accuracy and confusion matrix of a model on a dataset split. */
export interface Evaluation {
  /** fraction of the split classified right */
  accuracy: number;
  /** accuracy of each class */
  perClassAccuracy: number[];
  /** confusion[true][predicted] */
  confusion: number[][];
  /** samples measured */
  n: number;
}

/**
 * Measure a `.tcnn` model on a dataset split (default "test") through the
 * runtime's CPU backend, with the model's recorded preprocessing.
 *
 * @example
 * ```ts ignore
 * import { evaluate, loadDataset } from "./train/mod.ts";
 * const data = await loadDataset("synthetic-control");
 * const r = await evaluate(await Deno.readFile("weights/synthetic-control.tcnn"), data);
 * console.log(r.accuracy, r.confusion);
 * ```
 */
export async function evaluate(
  model: Uint8Array,
  data: Dataset,
  split: "train" | "val" | "test" = "test",
): Promise<Evaluation> {
  const { desc } = decodeModel(model);
  if (JSON.stringify(desc.inputShape) !== JSON.stringify(data.inputShape)) {
    throw new TypeError(
      `the model takes input (${desc.inputShape.join(",")}), the dataset has (${data.inputShape.join(",")})`,
    );
  }
  const set = data[split];
  const x = makeBatch(set, null, 0, set.n, data.inputShape, desc.normalization ?? data.normalization).x;
  const { probs, k } = await predictAll(model, x, set.n);
  if (k !== data.classes.length) {
    throw new TypeError(`the model has ${k} outputs, the dataset ${data.classes.length} classes`);
  }
  const predicted = new Int32Array(set.n);
  let correct = 0;
  for (let i = 0; i < set.n; i++) {
    predicted[i] = argmax(probs, i * k, k);
    if (predicted[i] === set.labels[i]) correct++;
  }
  const confusion = confusionMatrix(set.labels, predicted, k);
  return { accuracy: correct / set.n, perClassAccuracy: perClassAccuracy(confusion), confusion, n: set.n };
}
