// The check every executor (CPU, WebGPU) runs on a resolved network before it
// makes a buffer: each layer reads the model input or earlier layers, the
// sizes along every link agree, and each layer's parameters are Float32Arrays
// of the lengths runtime/format/spec.ts paramShapes gives. Invariant: a
// mismatch is a TypeError that names the layer, what it got and what it
// expected; nothing is allocated before the check passes.

import type { ResolvedLayer } from "./format/spec.ts";
import { inputSizes, paramShapes } from "./format/spec.ts";
import { quote } from "./quote.ts";

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** A layer as error messages name it: its type and shapes. */
export function layerName(l: ResolvedLayer): string {
  return `${l.spec.type} layer (${l.inShape.join("×")} → ${l.outShape.join("×")})`;
}

/** Check one layer's parameter tensors against its paramShapes: TypeError naming the layer on a mismatch. */
export function checkParams(l: ResolvedLayer, params: Float32Array[]): void {
  const shapes = paramShapes(l);
  if (!Array.isArray(params) || params.length !== shapes.length) {
    throw new TypeError(
      `${layerName(l)}: expected ${shapes.length} parameter tensor(s), got ${
        Array.isArray(params) ? params.length : typeof params
      }`,
    );
  }
  for (let i = 0; i < shapes.length; i++) {
    const p = params[i];
    const want = prod(shapes[i]);
    if (!(p instanceof Float32Array)) {
      throw new TypeError(`${layerName(l)}: parameter ${i} must be a Float32Array, got ${typeof p}`);
    }
    if (p.length !== want) {
      throw new TypeError(
        `${layerName(l)}: parameter ${i} has ${p.length} values, expected (${shapes[i].join("×")}) = ${want}`,
      );
    }
  }
}

/**
 * Check a layer graph (links and shapes) and its parameters before any buffer is made: TypeError on a mismatch.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "./format/spec.ts";
 * import { checkNetwork } from "./network_check.ts";
 * const layers = resolveLayers([{ type: "dense", units: 2 }], [4]);
 * checkNetwork(layers, [[new Float32Array(8), new Float32Array(2)]]);
 * let refused = false;
 * try { checkNetwork(layers, [[new Float32Array(7), new Float32Array(2)]]); } catch (e) { refused = e instanceof TypeError; }
 * if (!refused) throw new Error("a short weight must be refused");
 * ```
 */
export function checkNetwork(layers: ResolvedLayer[], params: Float32Array[][]): void {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new TypeError("layers must be a non-empty array");
  }
  if (!Array.isArray(params) || params.length !== layers.length) {
    throw new TypeError(
      `expected one parameter list per layer (${layers.length}), got ${
        Array.isArray(params) ? params.length : typeof params
      }`,
    );
  }
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const sizes = inputSizes(l);
    if (!Array.isArray(l.inputs) || l.inputs.length < 1 || (i === 0 && l.inputs.some((j) => j !== -1))) {
      throw new TypeError(
        `layer ${i}: inputs must list earlier layers (layer 0 reads only the model input, once or, a join, more)`,
      );
    }
    l.inputs.forEach((j, k) => {
      if (!Number.isInteger(j) || j < -1 || j >= i) {
        throw new TypeError(`layer ${i}: input ${k} must be an earlier layer or the model input, got ${j}`);
      }
      const from = j < 0 ? layers[0].inShape : layers[j].outShape;
      if (prod(from) !== sizes[k]) {
        throw new TypeError(
          `layer ${i} expects (${l.inShape.join("×")}) ${l.inputs.length > 1 ? `at input ${k} ` : ""}but ${
            j < 0 ? "the model input" : `layer ${j}`
          } gives (${from.join("×")})`,
        );
      }
    });
    checkParams(l, params[i]);
  }
}

/** Throws a TypeError unless `batch` is a positive integer. */
export function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new TypeError(`batch must be a positive integer, got ${quote(batch)}`);
  }
}

/**
 * An executor's input check: `batch` a positive integer, `x` a Float32Array of
 * batch × prod(inShape) values; a TypeError saying what was got otherwise.
 *
 * @example
 * ```ts
 * import { checkRunInput } from "./network_check.ts";
 * checkRunInput(new Float32Array(8), 2, [2, 2]);
 * try { checkRunInput(new Float32Array(3), 1, [2, 2]); throw new Error("accepted"); } catch (e) {
 *   if (!(e instanceof TypeError)) throw e;
 * }
 * ```
 */
export function checkRunInput(x: Float32Array, batch: number, inShape: number[]): void {
  checkBatch(batch);
  if (!(x instanceof Float32Array)) throw new TypeError(`input must be a Float32Array, got ${typeof x}`);
  const per = inShape.reduce((a, b) => a * b, 1);
  if (x.length !== batch * per) {
    throw new TypeError(
      `input has ${x.length} values, expected batch ${batch} × (${inShape.join("×")}) = ${batch * per}`,
    );
  }
}
