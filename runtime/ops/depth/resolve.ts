// The depth↔space layer types' resolvers: depthtospace (x (C·b², H, W) →
// (C, H·b, W·b), mode "DCR" (ONNX's default) or "CRD" (PyTorch's
// PixelShuffle)) and spacetodepth (x (C, H, W), H and W multiples of b →
// (C·b², H/b, W/b), mode "DCR" (ONNX's) or "CRD" (PyTorch's PixelUnshuffle)).
// Block b ∈ [1, 64].

import type { LayerSpec } from "../../format/spec_types.ts";
import {
  checkElements,
  fieldsOf,
  int,
  type LayerBase,
  type Resolver,
  spatialInput,
} from "../../format/spec_fields.ts";
import { quote } from "../../quote.ts";

function depth(toSpace: boolean): Resolver {
  return (spec: LayerSpec, inShape: number[], base: LayerBase, what: string) => {
    const [inC, inH, inW] = spatialInput(inShape, 2, what);
    const s = fieldsOf(spec);
    const b = int(s.block, `${what}.block`, 1, 64);
    const mode = s.mode ?? "DCR";
    if (mode !== "DCR" && mode !== "CRD") {
      throw new TypeError(`${what}.mode must be "DCR" or "CRD", got ${quote(s.mode)}`);
    }
    if (toSpace && inC % (b * b)) {
      throw new RangeError(`${what}: ${inC} channels are not a multiple of block² = ${b * b}`);
    }
    if (!toSpace && (inH % b || inW % b)) {
      throw new RangeError(`${what}: the input ${inH}×${inW} is not a multiple of block ${b}`);
    }
    const c = toSpace ? inC / (b * b) : inC, h = toSpace ? inH : inH / b, w = toSpace ? inW : inW / b;
    const outShape = toSpace ? [c, h * b, w * b] : [c * b * b, h, w];
    checkElements(outShape, what);
    return { ...base, outShape, op: "depth", toSpace, block: b, crd: mode === "CRD", c, h, w };
  };
}

/** The depth↔space family's resolvers by layer type. */
export const DEPTH_RESOLVERS: Record<string, Resolver> = {
  depthtospace: depth(true),
  spacetodepth: depth(false),
};
