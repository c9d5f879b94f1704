// The forward kernel of any runtime layer, from its op's entry in
// runtime/ops/table.ts: shared by the inference executor and the training
// backend, so both run the same WGSL. Invariant: only conv, dense and add take a fused activation
// epilogue; flatten has no kernel (its buffers alias); a join (add, concat)
// runs one dispatch per input, `part` = that input's index.

import { isJoin, type ResolvedLayer } from "../format/spec.ts";
import type { ForwardKernel } from "./kernel.ts";
import type { Epilogue } from "../ops/activation/wgsl.ts";
import { opEntry } from "../ops/table.ts";
import { WEBGPU_OPS } from "../ops/table_webgpu.ts";
import type { WebGpuForward } from "../ops/op_entry.ts";

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
  const e = opEntry(l);
  if (epilogue && !e.fuses) {
    throw new TypeError(`only conv, dense and add take a fused activation, got ${l.op}`);
  }
  const k = (WEBGPU_OPS[l.op] as WebGpuForward)(l, batch, limits, epilogue, inPlace, part);
  if (!k) throw new TypeError(`${l.op} has no forward kernel (its buffers alias)`);
  return k;
}
