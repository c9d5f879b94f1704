// Where an "auto" model with a GPU runs a call: a cost model measured once
// at load — CPU time per sample; GPU fixed cost per call + time per sample,
// which in Deno includes ~11 ms of mapAsync — gives the batch from which the
// GPU wins by a margin (15%: timings are noisy, and a wrong move to the GPU
// costs more than one to the CPU); smaller batches run on the CPU.
// Invariant: measuring runs only zero inputs within the model's budget; a
// model too big to time cheaply on the CPU is sent to the GPU.

import { type Budget, DEFAULT_MAX_ACTIVATION_BYTES, type ModelCost } from "./format/budget.ts";

/** How an "auto" model with a GPU routes calls (measured once at load). */
export interface Routing {
  /** CPU time per sample (Infinity: not measured, the model is too big to time cheaply) */
  cpuMsPerSample: number;
  /** fixed cost of one GPU call (upload, dispatch, readback) */
  gpuFixedMs: number;
  /** GPU time per sample */
  gpuMsPerSample: number;
  /** calls with at least this many samples run on WebGPU (Infinity: never) */
  gpuFromBatch: number;
  /** the same in words */
  why: string;
}

/** What measuring needs of each backend: one run of a batch. */
export interface Runner {
  run(x: Float32Array, batch: number): Float32Array | Promise<Float32Array>;
}

/** Best of `n` timed runs of `f`, in ms. */
async function best(f: () => unknown, n: number): Promise<number> {
  let ms = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

/**
 * Time both backends on zero inputs of `per` values a sample and derive the
 * routing. Throws whatever the GPU throws (the caller then drops the GPU).
 *
 * @example
 * ```ts
 * import { measureRouting } from "./routing.ts";
 * const slow = { run: (x: Float32Array) => { const t = performance.now(); while (performance.now() - t < x.length / 4); return x; } };
 * const r = await measureRouting(slow, slow, 4, { macs: 1, scratchBytes: 0, perSampleBytes: 16 } as never, {});
 * if (!(r.gpuFromBatch >= 1) || typeof r.why !== "string") throw new Error(JSON.stringify(r));
 * ```
 */
export async function measureRouting(
  cpu: Runner,
  gpu: Runner,
  per: number,
  cost: ModelCost,
  budget: Budget,
): Promise<Routing> {
  const x1 = new Float32Array(per);
  const room = (budget.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES) - cost.scratchBytes;
  const big = Math.max(2, Math.min(64, Math.floor(room / cost.perSampleBytes)));
  const xB = new Float32Array(per * big);
  // the CPU's JIT needs a few runs to reach its steady speed: run up to 12 times or 150 ms, keep the best
  let cpuMs = Infinity;
  if (cost.macs <= 2e8) {
    const t0 = performance.now();
    for (let i = 0; i < 12 && (i < 3 || performance.now() - t0 < 150); i++) {
      cpuMs = Math.min(cpuMs, await best(() => cpu.run(x1, 1), 1));
    }
    // per sample at the large batch too (warmer, and batches amortise per-call work)
    if (cost.macs * big <= 2e9) cpuMs = Math.min(cpuMs, (await best(() => cpu.run(xB, big), 2)) / big);
  }
  await gpu.run(x1, 1);
  const g1 = await best(() => gpu.run(x1, 1), 3);
  await gpu.run(xB, big);
  const gB = await best(() => gpu.run(xB, big), 2);
  const gpuPer = Math.max(0, (gB - g1) / (big - 1)), gpuFixed = Math.max(0, g1 - gpuPer);
  const margin = 1.15, gain = cpuMs - margin * gpuPer;
  const from = gain <= 0 ? Infinity : Math.max(1, Math.ceil((margin * gpuFixed) / gain));
  return {
    cpuMsPerSample: cpuMs,
    gpuFixedMs: gpuFixed,
    gpuMsPerSample: gpuPer,
    gpuFromBatch: from,
    why: from === Infinity
      ? "the CPU was faster at every batch size measured"
      : `a GPU call costs ${gpuFixed.toFixed(2)} ms + ${gpuPer.toFixed(3)} ms/sample, the CPU ${
        cpuMs.toFixed(3)
      } ms/sample: batches from ${from} run on WebGPU (where it is predicted ≥ 15% faster)`,
  };
}
