// Where each output value of a depth↔space layer reads (ONNX DepthToSpace /
// SpaceToDepth, PyTorch PixelShuffle / PixelUnshuffle), written once for the
// CPU kernel and the reference (the WGSL twin is depthSourceWgsl). Block b;
// the "deep" side has C·b² channels of (H, W), the "wide" side C channels of
// (H·b, W·b). Deep channel of (c, i, j): DCR (i·b + j)·C + c, CRD c·b² + i·b + j.
// DepthToSpace reads deep → wide; SpaceToDepth wide → deep (DCR, as ONNX's; CRD
// serves as DepthToSpace CRD's inverse, its backward).

/** The layout of a depth↔space layer: direction, block, channel order, the wide side's channels and the deep side's size. */
export interface DepthGeometry {
  toSpace: boolean;
  block: number;
  crd: boolean;
  /** channels on the wide side */
  c: number;
  /** rows and columns on the deep side */
  h: number;
  w: number;
}

/** The deep side's channel of wide channel c at block offset (i, j). */
const deepChannel = (g: DepthGeometry, c: number, i: number, j: number) =>
  g.crd ? c * g.block * g.block + i * g.block + j : (i * g.block + j) * g.c + c;

/**
 * The per-sample input index that per-sample output index `o` copies.
 *
 * @example
 * ```ts
 * import { depthSource } from "./geometry.ts";
 * // DepthToSpace DCR, block 2, 1 wide channel of 1×1: the 4 deep channels become one 2×2 plane
 * const g = { toSpace: true, block: 2, crd: false, c: 1, h: 1, w: 1 };
 * if ([0, 1, 2, 3].map((o) => depthSource(g, o)).join() !== "0,1,2,3") throw new Error();
 * ```
 */
export function depthSource(g: DepthGeometry, o: number): number {
  const { block: b, h, w } = g;
  if (g.toSpace) {
    // o indexes the wide side (c, y, x) of (C, h·b, w·b)
    const x = o % (w * b), y = Math.floor(o / (w * b)) % (h * b), c = Math.floor(o / (w * b * h * b));
    return (deepChannel(g, c, y % b, x % b) * h + Math.floor(y / b)) * w + Math.floor(x / b);
  }
  // o indexes the deep side (k, y, x) of (C·b², h, w): k = (i·b + j)·C + c (DCR) or c·b² + i·b + j (CRD)
  const x = o % w, y = Math.floor(o / w) % h, k = Math.floor(o / (w * h));
  const c = g.crd ? Math.floor(k / (b * b)) : k % g.c, ij = g.crd ? k % (b * b) : Math.floor(k / g.c);
  const i = Math.floor(ij / b), j = ij % b;
  return (c * h * b + y * b + i) * w * b + x * b + j;
}

/** WGSL `fn src(o: u32) -> u32` (depthSource's twin) over the uniform fields p.b, p.c, p.h, p.w. */
export function depthSourceWgsl(toSpace: boolean, crd: boolean): string {
  const deep = crd ? "c * p.b * p.b + i * p.b + j" : "(i * p.b + j) * p.c + c";
  return toSpace
    ? `fn src(o: u32) -> u32 {
  let x = o % (p.w * p.b);
  let y = (o / (p.w * p.b)) % (p.h * p.b);
  let c = o / (p.w * p.b * p.h * p.b);
  let i = y % p.b;
  let j = x % p.b;
  return ((${deep}) * p.h + y / p.b) * p.w + x / p.b;
}`
    : `fn src(o: u32) -> u32 {
  let x = o % p.w;
  let y = (o / p.w) % p.h;
  let k = o / (p.w * p.h);
  ${crd ? "let c = k / (p.b * p.b);\n  let ij = k % (p.b * p.b);" : "let c = k % p.c;\n  let ij = k / p.c;"}
  let i = ij / p.b;
  let j = ij % p.b;
  return (c * p.h * p.b + y * p.b + i) * p.w * p.b + x * p.b + j;
}`;
}
