// The forward kernel of any runtime layer, chosen by its op: the one switch
// shared by the inference executor and the training backend, so both run
// the same WGSL. Invariant: only conv, dense and add take a fused activation
// epilogue; flatten has no kernel (its buffers alias); a join (add, concat)
// runs one dispatch per input, `part` = that input's index.

import { addKernel, concatKernel, mulKernel } from "../ops/join/wgsl.ts";
import { upsampleKernel } from "../ops/upsample/wgsl.ts";
import { convTransposeKernel } from "../ops/conv/transpose_wgsl.ts";
import { isJoin, type ResolvedLayer } from "../format/spec.ts";
import type { ForwardKernel } from "./kernel.ts";
import { activationKernel, type Epilogue } from "../ops/activation/wgsl.ts";
import { convKernel } from "../ops/conv/wgsl.ts";
import { denseKernel } from "../ops/dense/wgsl.ts";
import { globalAvgPoolKernel, poolKernel } from "../ops/pool/wgsl.ts";

/** How many dispatches (parts) a layer's forward runs: one per input of a join, else 1. */
export const layerParts = (l: ResolvedLayer): number => isJoin(l) ? l.inputs.length : 1;

/** Forward kernel of layer `l` for `batch` samples; `inPlace` lets an activation overwrite its input; `part` picks a join's input. */
export function layerKernel(
  l: ResolvedLayer,
  batch: number,
  limits: GPUSupportedLimits,
  epilogue: Epilogue | null = null,
  inPlace = false,
  part = 0,
): ForwardKernel {
  if (epilogue && l.op !== "conv" && l.op !== "dense" && l.op !== "add") {
    throw new TypeError(`only conv, dense and add take a fused activation, got ${l.op}`);
  }
  switch (l.op) {
    case "conv":
      return convKernel(l, batch, limits, epilogue);
    case "dense":
      return denseKernel(l, batch, limits, epilogue);
    case "pool":
      return poolKernel(l, batch, limits);
    case "globalavgpool":
      return globalAvgPoolKernel(l.c, l.spatial, batch, limits);
    case "upsample":
      return upsampleKernel(l, batch, limits);
    case "convT":
      return convTransposeKernel(l, batch, limits);
    case "act":
      return activationKernel(l, batch, limits, inPlace);
    case "add":
      return addKernel(batch * l.outShape.reduce((a, b) => a * b, 1), l.n, part, limits, epilogue);
    case "concat":
      return concatKernel(l.channels, l.spatial, part, batch, limits);
    case "mul":
      return mulKernel(l.c, l.spatial, l.broadcast, part, batch, limits);
    case "flatten":
      throw new TypeError("flatten has no forward kernel (its buffers alias)");
  }
}
