// The dense and flatten layer types' resolvers. x is any per-sample shape,
// read flat (F = its element count); dense: y (units), w (units, F);
// flatten: y (F), the same values.

import { fieldsOf, int, LIMITS, type Resolver } from "../../format/spec_fields.ts";

const flat = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** dense: y = W·x (+ b); its weights stay within the per-layer element limit. */
const dense: Resolver = (spec, inShape, base, what) => {
  const s = fieldsOf(spec);
  const inF = flat(inShape);
  const outF = int(s.units, `${what}.units`, 1, LIMITS.maxDim);
  if (s.bias !== undefined && typeof s.bias !== "boolean") {
    throw new TypeError(`${what}.bias must be boolean`);
  }
  if (inF * outF > LIMITS.maxElements) {
    throw new RangeError(`${what}: ${inF}x${outF} weights exceed ${LIMITS.maxElements}`);
  }
  return { ...base, outShape: [outF], op: "dense", inF, outF, bias: s.bias !== false };
};

/** The dense family's resolvers by layer type (flatten too: it is dense's reshape of its input). */
export const DENSE_RESOLVERS: Record<string, Resolver> = {
  dense,
  flatten: (_spec, inShape, base) => ({ ...base, outShape: [flat(inShape)], op: "flatten" }),
};
