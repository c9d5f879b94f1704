// The WebGPU forward of every resolved op, by op name: each family's WGSL
// kernel (runtime/ops/<family>/wgsl.ts), registered for the WebGPU backend
// beside the op's entry in runtime/ops/table.ts (as tfjs registers a kernel per
// backend). Kept apart so that the CPU-only build (cpu.ts, the Workers bundle)
// holds no WebGPU code. Invariant: only ops whose entry `fuses` take an
// epilogue; a join runs one dispatch per input (`part`).

import type { ResolvedLayer } from "../format/spec.ts";
import type { LayerOf, WebGpuForward } from "./op_entry.ts";
import { activationKernel } from "./activation/wgsl.ts";
import { convKernel } from "./conv/wgsl.ts";
import { convTransposeKernel } from "./conv/transpose_wgsl.ts";
import { denseKernel } from "./dense/wgsl.ts";
import { addKernel, concatKernel, mulKernel } from "./join/wgsl.ts";
import { globalAvgPoolKernel, poolKernel } from "./pool/wgsl.ts";
import { upsampleKernel } from "./upsample/wgsl.ts";
import { channelKernel } from "./channel/wgsl.ts";
import { padKernel } from "./pad/wgsl.ts";
import { lrnKernel } from "./lrn/wgsl.ts";
import { shuffleKernel } from "./shuffle/wgsl.ts";
import { tileKernel } from "./tile/wgsl.ts";
import { instanceNormKernel } from "./instancenorm/wgsl.ts";
import { depthKernel } from "./depth/wgsl.ts";
import { channelSliceKernel } from "./slice/wgsl.ts";

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** One WebGPU forward per resolved op. */
export const WEBGPU_OPS: { readonly [K in ResolvedLayer["op"]]: WebGpuForward<LayerOf<K>> } = {
  conv: (l, batch, limits, epilogue) => convKernel(l, batch, limits, epilogue),
  convT: (l, batch, limits) => convTransposeKernel(l, batch, limits),
  pool: (l, batch, limits) => poolKernel(l, batch, limits),
  globalavgpool: (l, batch, limits) => globalAvgPoolKernel(l.c, l.spatial, batch, limits),
  dense: (l, batch, limits, epilogue) => denseKernel(l, batch, limits, epilogue),
  upsample: (l, batch, limits) => upsampleKernel(l, batch, limits),
  pad: (l, batch, limits) => padKernel(l, batch, limits),
  lrn: (l, batch, limits) => lrnKernel(l, batch, limits),
  shuffle: (l, batch, limits) => shuffleKernel(l, batch, limits),
  instancenorm: (l, batch, limits) => instanceNormKernel(l, batch, limits),
  depth: (l, batch, limits) => depthKernel(l, batch, limits),
  cslice: (l, batch, limits) => channelSliceKernel(l, batch, limits),
  tile: (l, batch, limits) => tileKernel(l, batch, limits),
  channel: (l, batch, limits) => channelKernel(l, batch, limits),
  act: (l, batch, limits, _epilogue, inPlace) => activationKernel(l, batch, limits, inPlace),
  flatten: () => null,
  add: (l, batch, limits, epilogue, _inPlace, part) =>
    addKernel(batch * size(l.outShape), l.n, part, limits, epilogue),
  concat: (l, batch, limits, _epilogue, _inPlace, part) =>
    concatKernel(l.channels, l.spatial, part, batch, limits),
  mul: (l, batch, limits, _epilogue, _inPlace, part) =>
    mulKernel(l.c, l.spatial, l.broadcast, part, batch, limits),
};
