// The tile layer type's resolver: x repeated `repeats[k]` times along each
// per-sample axis k (ONNX Tile of a computed value, torch's `repeat`). x is
// (C, ...) with 1–3 axes; y has axis k of length in[k]·repeats[k]. The
// resolved layer holds both shapes padded on the left to three axes.

import { checkElements, fieldsOf, int, LIMITS, type Resolver } from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

/** The tile family's resolvers by layer type. */
export const TILE_RESOLVERS: Record<string, Resolver> = {
  tile: (spec, inShape, base, what) => {
    const r = fieldsOf(spec).repeats;
    if (!Array.isArray(r) || r.length !== inShape.length) {
      throw new TypeError(
        `${what}.repeats must be ${inShape.length} integers (one per axis of (${inShape.join(",")})), got ${
          quote(r)
        }`,
      );
    }
    const reps = r.map((v, k) => int(v, `${what}.repeats[${k}]`, 1, LIMITS.maxDim));
    const outShape = inShape.map((d, k) => d * reps[k]);
    checkElements(outShape, what);
    const pad = (a: number[]) => [...Array(3 - a.length).fill(1), ...a] as [number, number, number];
    return { ...base, outShape, op: "tile", dims: pad(inShape), reps: pad(reps) };
  },
};
