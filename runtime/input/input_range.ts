// Variable input sizes (format 1.1 `inputRange`): a fully convolutional model
// (global pooling before any dense layer) may run at any input size between
// `min` and `max` instead of only its reference `inputShape`. Invariants: the
// channel dim (dim 0) is fixed; every parameter tensor and the output shape
// are the same at min, at the reference size and at max — which is what
// makes one set of weights valid at every size in between (window sizes only
// grow with the input, so a size ≥ min always resolves); sizes outside the
// range are a RangeError before anything is allocated.

import { paramShapes, type ResolvedLayer, resolveLayers } from "../format/spec.ts";
import type { LayerSpec } from "../format/spec.ts";
import { quote } from "../quote.ts";

/** The sizes a model accepts: full per-sample shapes, min ≤ inputShape ≤ max per dim, dim 0 fixed. */
export interface InputRange {
  /** the smallest per-sample shape, e.g. [3, 8, 8] */
  min: number[];
  /** the largest per-sample shape, e.g. [3, 512, 512] */
  max: number[];
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Validate `range` for a model of `layers` with reference shape `inputShape`
 * (TypeError saying which layer depends on the size). Returns it normalised.
 *
 * @example
 * ```ts
 * import { checkInputRange } from "./input_range.ts";
 * const layers = [{ type: "conv2d" as const, filters: 2, kernel: 3 }, { type: "globalavgpool" as const }];
 * checkInputRange({ min: [1, 3, 3], max: [1, 64, 64] }, [1, 8, 8], layers);
 * ```
 */
export function checkInputRange(range: unknown, inputShape: number[], layers: LayerSpec[]): InputRange {
  const r = range as Partial<InputRange> | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.min) || !Array.isArray(r.max)) {
    throw new TypeError(`inputRange must be {"min": [...], "max": [...]}, got ${quote(range)}`);
  }
  const keys = Object.keys(r).sort().join(",");
  if (keys !== "max,min") throw new TypeError(`inputRange has members ${keys}; expected only min and max`);
  const n = inputShape.length;
  for (const [name, s] of [["min", r.min], ["max", r.max]] as const) {
    if (s.length !== n || s.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 1)) {
      throw new TypeError(
        `inputRange.${name} must be ${n} positive integers like inputShape, got ${quote(s)}`,
      );
    }
  }
  const min = r.min as number[], max = r.max as number[];
  if (min[0] !== inputShape[0] || max[0] !== inputShape[0]) {
    throw new TypeError(
      `inputRange: the channel dim is fixed at ${inputShape[0]}, got min ${min[0]}, max ${max[0]}`,
    );
  }
  for (let i = 1; i < n; i++) {
    if (!(min[i] <= inputShape[i] && inputShape[i] <= max[i])) {
      throw new RangeError(
        `inputRange: dim ${i} must satisfy min ≤ ${inputShape[i]} ≤ max, got [${min[i]}, ${max[i]}]`,
      );
    }
  }
  if (n < 2) throw new TypeError("inputRange needs an image (C,H,W) or series (C,L) input");
  const ref = resolveLayers(layers, inputShape);
  for (const [name, s] of [["min", min], ["max", max]] as const) {
    let at: ResolvedLayer[];
    try {
      at = resolveLayers(layers, s);
    } catch (e) {
      throw new TypeError(
        `inputRange.${name} (${s.join(",")}) does not fit the layers: ${(e as Error).message}`,
      );
    }
    at.forEach((l, i) => {
      const want = paramShapes(ref[i]), got = paramShapes(l);
      if (want.some((w, k) => !same(w, got[k]))) {
        throw new TypeError(
          `inputRange: layer ${i} (${l.spec.type}) has weights that depend on the input size (${
            got.map((g) => g.join("×"))
          } at ${name} vs ${
            want.map((w) => w.join("×"))
          }); a variable size needs global pooling before dense layers`,
        );
      }
    });
    const o = at[at.length - 1].outShape, oRef = ref[ref.length - 1].outShape;
    if (!same(o, oRef)) {
      throw new TypeError(
        `inputRange: the output is (${o.join(",")}) at ${name} but (${oRef.join(",")}) at inputShape`,
      );
    }
  }
  return { min: [...min], max: [...max] };
}

/**
 * Check a per-sample shape a caller asks for: TypeError for the wrong rank or
 * channels (or any other size when the model has no range), RangeError
 * outside the range.
 */
export function checkShape(shape: unknown, inputShape: number[], range: InputRange | undefined): number[] {
  if (!Array.isArray(shape) || shape.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 1)) {
    throw new TypeError(`shape must be an array of positive integers, got ${quote(shape)}`);
  }
  const s = shape as number[];
  if (s.length !== inputShape.length || s[0] !== inputShape[0]) {
    throw new TypeError(
      `shape (${s.join(",")}) must have the model's rank and channels, like (${inputShape.join(",")})`,
    );
  }
  if (!range) {
    if (!same(s, inputShape)) {
      throw new TypeError(
        `this model takes only (${inputShape.join(",")}) (its file has no inputRange), got (${s.join(",")})`,
      );
    }
    return s;
  }
  for (let i = 1; i < s.length; i++) {
    if (s[i] < range.min[i] || s[i] > range.max[i]) {
      throw new RangeError(
        `shape (${s.join(",")}): dim ${i} must be in [${range.min[i]}, ${
          range.max[i]
        }] (the model's inputRange), got ${s[i]}`,
      );
    }
  }
  return [...s];
}

/** The shape within `range` closest to `want` per dim (dim 0 from inputShape): where classify() runs an image or series. */
export function clampShape(want: number[], inputShape: number[], range: InputRange): number[] {
  return inputShape.map((d, i) => (i === 0 ? d : Math.min(range.max[i], Math.max(range.min[i], want[i]))));
}
