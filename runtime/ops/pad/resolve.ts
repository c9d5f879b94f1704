// The pad layer types' resolvers: pad2d (x (C,H,W) → (C, pt+H+pb, pl+W+pr))
// and pad1d (x (C,L) → (C, pl+L+pr)), explicit amounts only, mode constant
// (any finite value), reflect or edge. Reflect needs every pad < the axis
// length (one reflection; PyTorch and ONNX require it too).

import type { LayerSpec, PadMode } from "../../format/spec_types.ts";
import {
  checkElements,
  fieldsOf,
  finiteNumber,
  type LayerBase,
  resolvePadding,
  type Resolver,
  spatialInput,
} from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

const MODES: readonly PadMode[] = ["constant", "reflect", "edge"];
const NO_WINDOW = { kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1 };

function pad(dims: 1 | 2): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [c, inH, inW] = spatialInput(inShape, dims, what);
    const s = fieldsOf(spec);
    if (typeof s.padding === "string" || s.padding === undefined) {
      throw new TypeError(
        `${what}.padding must be explicit amounts (an integer or an array), got ${quote(s.padding)}`,
      );
    }
    const [pt, pb, pl, pr] = resolvePadding(s.padding, dims, inH, inW, NO_WINDOW, what);
    const mode = (s.mode ?? "constant") as PadMode;
    if (!MODES.includes(mode)) {
      throw new TypeError(`${what}.mode must be one of ${MODES.join(", ")}, got ${quote(s.mode)}`);
    }
    const value = finiteNumber(s.value, `${what}.value`, 0);
    if (value !== 0 && mode !== "constant") {
      throw new TypeError(`${what}.value applies to mode "constant" only`);
    }
    if (mode === "reflect" && (pt >= inH || pb >= inH || pl >= inW || pr >= inW)) {
      throw new RangeError(
        `${what}: reflect padding [${pt}, ${pb}, ${pl}, ${pr}] must be smaller than the input (${inH}×${inW})`,
      );
    }
    const outH = pt + inH + pb, outW = pl + inW + pr;
    const outShape = dims === 2 ? [c, outH, outW] : [c, outW];
    checkElements(outShape, what);
    return { ...base, outShape, op: "pad", mode, value, c, inH, inW, outH, outW, pt, pb, pl, pr };
  };
}

/** The pad family's resolvers by layer type. */
export const PAD_RESOLVERS: Record<string, Resolver> = {
  pad2d: pad(2),
  pad1d: pad(1),
};
