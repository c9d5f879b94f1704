// ONNX channel shuffle → a shuffle layer. torch.onnx writes ShuffleNet's
// channel shuffle as Reshape (N,C,…) → (N,g,C/g,…), Transpose perm
// (0,2,1,3,…), Reshape back: the first Reshape is a view (mapReshape keeps
// the data as they are, train/convert/graph_ops.ts), this Transpose is the
// shuffle, and the last Reshape a view again. PixelShuffle comes the same
// way, as a 6-D view and Transpose: a depthtospace layer (PixelUnshuffle a
// spacetodepth one). Any other
// Transpose of a computed value is refused.

import { type OnnxMapper, same } from "../../convert/onnx_node.ts";
import { attrInts } from "../../convert/onnx_proto.ts";

/**
 * Depth→space written as a 6-D Reshape + Transpose (+ Reshape), as torch.onnx writes PixelShuffle: an image
 * (C·b², H, W) viewed as (C, b, b, H, W) with perm 0,1,4,2,5,3 is CRD; viewed as (b, b, C, H, W) with perm
 * 0,3,4,1,5,2 it is DCR (ONNX DepthToSpace's default). Null for any other transpose.
 */
function depthToSpace(shape: number[], ours: number[], perm: number[]) {
  if (shape.length !== 5 || ours.length !== 3 || shape[3] !== ours[1] || shape[4] !== ours[2]) return null;
  if (shape[1] === shape[2] && same(perm, [0, 1, 4, 2, 5, 3])) return { c: shape[0], b: shape[1], crd: true };
  if (shape[0] === shape[1] && same(perm, [0, 3, 4, 1, 5, 2])) {
    return { c: shape[2], b: shape[0], crd: false };
  }
  return null;
}

/**
 * Space→depth written the same way, as torch.onnx writes PixelUnshuffle: an image (C, H, W) viewed as
 * (C, H/b, b, W/b, b) with perm 0,1,3,5,2,4 is CRD; with perm 0,3,5,1,2,4 it is DCR (ONNX SpaceToDepth's order).
 */
function spaceToDepth(shape: number[], ours: number[], perm: number[]) {
  if (shape.length !== 5 || ours.length !== 3 || shape[0] !== ours[0] || shape[2] !== shape[4]) return null;
  if (same(perm, [0, 1, 3, 5, 2, 4])) return { crd: true };
  if (same(perm, [0, 3, 5, 1, 2, 4])) return { crd: false };
  return null;
}

/** Transpose (of a computed value: the channel shuffle, depth→space or space→depth). */
const mapTranspose: OnnxMapper = (ctx) => {
  const { n, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1;
  const perm = attrInts(n, "perm", undefined) ?? Array.from({ length: r }, (_, k) => r - 1 - k);
  const d2s = depthToSpace(x.shape, x.ours, perm);
  if (d2s) {
    const { c, b, crd } = d2s, [h, w] = x.ours.slice(1);
    const spec = { type: "depthtospace" as const, block: b, ...(crd ? { mode: "CRD" as const } : {}) };
    set(emit(spec, [x], [], [c, h, b, w, b]));
    return;
  }
  const s2d = spaceToDepth(x.shape, x.ours, perm);
  if (s2d) {
    const [c, h, b, w] = x.shape;
    const spec = { type: "spacetodepth" as const, block: b, ...(s2d.crd ? { mode: "CRD" as const } : {}) };
    set(emit(spec, [x], [], s2d.crd ? [c, b, b, h, w] : [b, b, c, h, w]));
    return;
  }
  const [g, per, ...rest] = x.shape;
  const shuffle = r === x.ours.length + 2 && g * per === x.ours[0] &&
    rest.every((d, k) => d === x.ours[k + 1]) &&
    perm.every((p, k) => p === (k === 1 ? 2 : k === 2 ? 1 : k));
  if (!shuffle) {
    no(
      `perm ${perm.join(",")} of (N,${x.shape.join(",")}) is not supported (only the channel shuffle: ` +
        `(N,g,C/g,…) with perm 0,2,1,…)`,
    );
  }
  set(emit({ type: "shuffle", groups: g }, [x], [], [per, g, ...rest]));
};

/** The ONNX operators this file maps. */
export const ONNX_SHUFFLE: Record<string, OnnxMapper> = {
  Transpose: mapTranspose,
};
