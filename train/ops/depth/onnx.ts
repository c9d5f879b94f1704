// ONNX DepthToSpace (mode DCR or CRD; torch.onnx writes PixelShuffle as CRD)
// and SpaceToDepth → the depth↔space layers.

import type { OnnxMapper } from "../../convert/onnx_node.ts";
import { attrInt, attrString } from "../../convert/onnx_proto.ts";

/** DepthToSpace / SpaceToDepth. */
const mapDepth = (toSpace: boolean): OnnxMapper => (ctx) => {
  const { n, op, value, set, emit, no, noPad, spatial } = ctx;
  const x = value(0);
  noPad(x);
  if (spatial(x, op) !== 2) no("only images (N,C,H,W) are supported");
  const block = attrInt(n, "blocksize", 0);
  if (block < 1) no("blocksize is required (≥ 1)");
  const mode = attrString(n, "mode", "DCR");
  if (toSpace && mode !== "DCR" && mode !== "CRD") {
    no(`mode ${JSON.stringify(mode.slice(0, 16))} is not supported`);
  }
  const spec = toSpace
    ? { type: "depthtospace" as const, block, ...(mode === "CRD" ? { mode: "CRD" as const } : {}) }
    : { type: "spacetodepth" as const, block };
  set(emit(spec, [x], []));
};

/** The ONNX operators this file maps. */
export const ONNX_DEPTH: Record<string, OnnxMapper> = {
  DepthToSpace: mapDepth(true),
  SpaceToDepth: mapDepth(false),
};
