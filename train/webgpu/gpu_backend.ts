// WebGPU training backend: createWebGpuBackend(device, cfg) → TrainBackend.
// Forward passes use the runtime's forward WGSL (bound in layer_forward.ts) plus
// the training-only dropout/batchnorm kernels; backward, loss and optimizer
// kernels are the generators in this folder.
// Invariants: parameters, gradients, optimizer slots and batchnorm running
// stats live in persistent GPU buffers (initial values from initParams, so a
// seed gives the CPU backend's initial weights); activation buffers are sized
// for the largest batch seen (reallocated, with their bind groups, when a
// larger batch arrives); one command buffer per step; a step reads back only
// [mean loss, correct count] (8 bytes). Flatten aliases its input buffers.
// Fusion: a ReLU right after a conv/dense runs as that kernel's epilogue
// (the ReLU's output buffer aliases the conv's); when a tiling max pool
// follows, the ReLU's backward is folded into the pool's backward (its
// gradient buffers alias too), otherwise it runs on the aliased buffer
// (x > 0 ⇔ relu(x) > 0).
// Graphs: acts[i + 1] is layer i's output (acts[0] the input), a layer reads
// its inputs' buffers; dacts[j] is ∂L/∂(layer j's output); a value read by
// several layers gets the first reader's gradient (in backward order) written
// and every other reader's added (accumulateGrad). Fusion and folding apply
// only where the fused layer is its producer's only reader. Every failure of
// the device surfaces as GpuError.

import { checkLoss } from "../ops/loss/spec.ts";
import type { BackendState, StepResult, TrainBackend, TrainConfig } from "../backend.ts";
import { prod, resolveTrainLayers, type TrainResolvedLayer } from "../layers.ts";
import { initParams } from "../init.ts";
import { DisposedError, GpuError } from "../../runtime/errors.ts";
import * as USAGE from "../../runtime/webgpu/buffer_usage.ts";
import { encodeAll, GpuContext, type PreparedKernel } from "./gpu_context.ts";
import { lossForwardBackward, lossReduce } from "../ops/loss/wgsl.ts";
import { layerBackward } from "./layer_backward.ts";
import { optimizerKernel } from "../ops/optimizer/wgsl.ts";
import { resolveOptimizer, slotCount } from "../ops/optimizer/cpu.ts";
import { layerForward } from "./layer_forward.ts";
import { maxPoolTiles } from "../ops/pool/wgsl_backward.ts";
import { accumulateGrad } from "../ops/join/wgsl_backward.ts";
import { consumers } from "../../runtime/graph.ts";
import { quote } from "../../runtime/quote.ts";

const UNIFORM = USAGE.UNIFORM | USAGE.COPY_DST;
const MAP_READ_DST = USAGE.MAP_READ | USAGE.COPY_DST;

interface Plan {
  train: PreparedKernel[];
  predict: PreparedKernel[];
}

/** The WebGPU TrainBackend plus a profiling hook. */
/** How training asks acquireDevice for its device: a high-performance adapter, storage buffers per stage raised (batchnorm dX binds 7). */
export const TRAINING_DEVICE: { adapter: GPURequestAdapterOptions; limits: (keyof GPUSupportedLimits)[] } = {
  adapter: { powerPreference: "high-performance" },
  limits: ["maxStorageBuffersPerShaderStage"],
};

export interface WebGpuTrainBackend extends TrainBackend {
  /**
   * Profiling hook (bench/webgpu_profile.ts): the prepared dispatches of one
   * training step of `batch` samples, in order (nothing is submitted; the
   * step uniform and inputs are whatever the last step() wrote).
   */
  trainPlan(batch: number): PreparedKernel[];
}

export async function createWebGpuBackend(device: GPUDevice, cfg: TrainConfig): Promise<WebGpuTrainBackend> {
  const layers = resolveTrainLayers(cfg.layers, cfg.inputShape);
  const L = layers.length;
  const last = layers[L - 1];
  const classes = prod(last.outShape);
  checkLoss(cfg.loss, cfg.labelSmoothing ?? 0);
  const opt = resolveOptimizer(cfg.optimizer);
  const ctx = new GpuContext(device);
  let lost: string | null = null;
  device.lost.then((info) => {
    lost = info.message || String(info.reason);
  });
  const alive = () => {
    if (lost !== null) throw new GpuError(`WebGPU device lost: ${lost}`);
  };

  const readers = consumers(layers);
  // fused[i]: layer i is a conv/dense/add whose following ReLU (its only reader) runs as its epilogue
  const fused = layers.map((l, i) => {
    const nx = layers[i + 1];
    return (l.op === "conv" || l.op === "dense" || l.op === "add") && nx?.op === "act" && nx.act === "relu" &&
      readers[i].length === 1 && nx.inputs[0] === i;
  });
  // folded[i]: layer i is such a fused ReLU whose backward folds into the tiling max pool i + 1 (its only reader)
  const folded = layers.map((_, i) => {
    const nx = layers[i + 1];
    return i > 0 && fused[i - 1] && nx?.op === "pool" && nx.mode === "max" && maxPoolTiles(nx) &&
      readers[i].length === 1 && nx.inputs[0] === i;
  });
  // gradients: root(j) is the layer whose gradient buffer holds ∂L/∂(layer j's output) (flatten aliases);
  // a max pool over a folded ReLU writes the gradient of the ReLU's input
  const root = (j: number): number => (j >= 0 && layers[j].op === "flatten" ? root(layers[j].inputs[0]) : j);
  const dxTarget = (i: number, k: number): number => {
    const j = layers[i].inputs[k];
    return root(j >= 0 && folded[j] ? layers[j].inputs[0] : j);
  };
  const runsBackward = (i: number) => layers[i].op !== "flatten" && !folded[i];

  const nSlots = slotCount(opt);
  const init = initParams(layers, cfg.seed);
  let params: GPUBuffer[][] = [], grads: GPUBuffer[][] = [], slots: GPUBuffer[][][] = [];
  const running: (GPUBuffer | null)[] = [], stats: (GPUBuffer | null)[] = [];
  const stepU = device.createBuffer({ size: 32, usage: UNIFORM, label: "step uniform" });
  const result = ctx.buffer(2, "loss result");
  const staging = device.createBuffer({ size: 8, usage: MAP_READ_DST, label: "loss staging" });
  await ctx.scoped("allocating parameters", () => {
    params = init.map((ts, i) => ts.map((t, k) => ctx.buffer(t.length, `layer ${i} param ${k}`, t)));
    grads = init.map((ts, i) => ts.map((t, k) => ctx.buffer(t.length, `layer ${i} grad ${k}`)));
    slots = init.map((ts, i) =>
      ts.map((t, k) =>
        Array.from({ length: nSlots }, (_, s) => ctx.buffer(t.length, `layer ${i} slot ${k}.${s}`))
      )
    );
    for (const l of layers) {
      if (l.op === "batchnorm") {
        const r = new Float32Array(2 * l.c);
        r.fill(1, l.c); // running mean 0, running var 1
        running.push(ctx.buffer(2 * l.c, "batchnorm running", r));
        stats.push(ctx.buffer(2 * l.c, "batchnorm stats"));
      } else {
        running.push(null);
        stats.push(null);
      }
    }
  });
  let step = 0;

  // ---- batch-capacity dependent buffers and plans ----
  // acts[i + 1] is layer i's output (acts[0] the input); dacts[j] ∂L/∂ layer j's output for roots j;
  // grad shares of a value with several readers go through sumParts and are added by accumulateGrad
  let cap = 0;
  let acts: GPUBuffer[] = [], dacts: (GPUBuffer | null)[] = [];
  let sumParts: Map<string, GPUBuffer> = new Map();
  let labelsBuf: GPUBuffer | null = null, perBuf: GPUBuffer | null = null;
  let owned: GPUBuffer[] = [];
  const plans = new Map<number, Plan>();
  const gradReads = new Array(L).fill(0);
  for (let i = 0; i < L; i++) {
    if (!runsBackward(i)) continue;
    layers[i].inputs.forEach((_, k) => {
      const t = dxTarget(i, k);
      if (t >= 0) gradReads[t]++;
    });
  }

  function allocate(batch: number) {
    for (const b of owned) b.destroy();
    owned = [];
    plans.clear();
    const mk = (n: number, what: string) => {
      const b = ctx.buffer(n, what);
      owned.push(b);
      return b;
    };
    acts = [mk(batch * prod(layers[0].inShape), "input")];
    layers.forEach((l, i) =>
      acts.push(
        l.op === "flatten"
          ? acts[l.inputs[0] + 1]
          : i > 0 && fused[i - 1]
          ? acts[i]
          : mk(batch * prod(l.outShape), `act ${i}`),
      )
    );
    dacts = layers.map((l, i) =>
      i === root(L - 1)
        ? mk(batch * classes, "d output")
        : gradReads[i] > 0
        ? mk(batch * prod(l.outShape), `d act ${i}`)
        : null
    );
    sumParts = new Map();
    for (let i = 0; i < L; i++) {
      if (!runsBackward(i)) continue;
      layers[i].inputs.forEach((_, k) => {
        const t = dxTarget(i, k);
        if (t >= 0 && gradReads[t] > 1) {
          sumParts.set(`${i}.${k}`, mk(batch * prod(layers[t].outShape), `d share ${i}.${k}`));
        }
      });
    }
    labelsBuf = mk(batch, "labels");
    perBuf = mk(2 * batch, "per-sample loss");
    cap = batch;
  }

  function forward(l: TrainResolvedLayer, i: number, n: number, train: boolean): PreparedKernel[] {
    if (i > 0 && fused[i - 1]) return []; // ran as the epilogue of layer i - 1
    const epilogue = fused[i] ? { act: "relu" as const, alpha: 0, beta: 0 } : null;
    const xs = l.inputs.map((j) => acts[j + 1]);
    return layerForward(
      ctx,
      l,
      i,
      n,
      train,
      {
        x: xs.length === 1 ? xs[0] : xs,
        y: acts[i + 1],
        params: params[i],
        stats: stats[i],
        running: running[i],
        stepU,
      },
      epilogue,
    );
  }

  /** The backward dispatches of layer i; `written` marks the gradient buffers already holding a share. */
  function backward(l: TrainResolvedLayer, i: number, n: number, written: boolean[]): PreparedKernel[] {
    if (!runsBackward(i)) return []; // flatten aliases; a folded ReLU is done by the max pool's backward
    const adds: [GPUBuffer, GPUBuffer, number][] = [];
    const dxs = l.inputs.map((_, k) => {
      const t = dxTarget(i, k);
      if (t < 0) return null;
      if (!written[t]) {
        written[t] = true;
        return dacts[t];
      }
      const share = sumParts.get(`${i}.${k}`)!;
      adds.push([share, dacts[t]!, n * prod(layers[t].outShape)]);
      return share;
    });
    const out = layerBackward(ctx, l, i, n, {
      x: acts[l.inputs[0] + 1],
      y: acts[i + 1],
      dy: dacts[root(i)]!,
      dx: dxs[0],
      dxs,
      xs: l.inputs.map((j) => acts[j + 1]),
      params: params[i],
      grads: grads[i],
      stats: stats[i],
      stepU,
      scratch: (floats, what) => {
        const buf = ctx.buffer(floats, what);
        owned.push(buf);
        return buf;
      },
    }, { reluMask: i > 0 && folded[i - 1] && l.inputs[0] === i - 1 });
    for (const [share, g, count] of adds) out.push(ctx.prepare(accumulateGrad(count), [share, g]));
    return out;
  }

  function plan(n: number): Plan {
    if (n > cap) allocate(n);
    let p = plans.get(n);
    if (p) return p;
    const train: PreparedKernel[] = [];
    layers.forEach((l, i) => train.push(...forward(l, i, n, true)));
    const out = root(L - 1);
    train.push(
      ctx.prepare(lossForwardBackward(cfg.loss, classes, n, cfg.labelSmoothing ?? 0), [
        acts[L],
        labelsBuf!,
        dacts[out]!,
        perBuf!,
      ]),
    );
    train.push(ctx.prepare(lossReduce(n), [perBuf!, result]));
    const written = layers.map((_, j) => j === out);
    for (let i = L - 1; i >= 0; i--) train.push(...backward(layers[i], i, n, written));
    params.forEach((ts, i) =>
      // frozen leading layers (fine-tuning) get no optimizer update
      i >= (cfg.frozen ?? 0) && ts.forEach((t, k) => {
        const kern = optimizerKernel(opt, init[i][k].length);
        train.push(ctx.prepare(kern, [stepU, grads[i][k], t, ...slots[i][k]]));
      })
    );
    const predict: PreparedKernel[] = [];
    layers.forEach((l, i) => predict.push(...forward(l, i, n, false)));
    p = { train, predict };
    plans.set(n, p);
    return p;
  }

  function checkBatch(x: Float32Array, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) {
      throw new TypeError(`batch must be a positive integer, got ${quote(batch)}`);
    }
    const want = batch * prod(layers[0].inShape);
    if (!(x instanceof Float32Array) || x.length !== want) {
      throw new TypeError(
        `x must be a Float32Array of batch ${batch} × (${
          layers[0].inShape.join("×")
        }) = ${want} values, got ${x instanceof Float32Array ? x.length : typeof x}`,
      );
    }
  }

  const b1 = opt.beta1, b2 = opt.beta2;
  let disposed = false;
  const usable = () => {
    if (disposed) throw new DisposedError("WebGPU training backend");
    alive();
  };

  return {
    name: "webgpu",
    async step(x: Float32Array, labels: Int32Array, batch: number, lr: number): Promise<StepResult> {
      usable();
      checkBatch(x, batch);
      if (!(labels instanceof Int32Array) || labels.length !== batch) {
        throw new TypeError(`labels must be an Int32Array of ${batch} values, got ${labels?.length}`);
      }
      for (let k = 0; k < batch; k++) {
        if (!(labels[k] >= 0 && labels[k] < classes)) {
          throw new RangeError(`label ${k} is ${labels[k]}, expected an integer in [0, ${classes})`);
        }
      }
      if (!Number.isFinite(lr) || lr < 0) {
        throw new RangeError(`learning rate must be finite and ≥ 0, got ${lr}`);
      }
      return await ctx.scoped("training step", async () => {
        const p = plan(batch);
        const t = step + 1;
        const u = new ArrayBuffer(32);
        const f = new Float32Array(u), w = new Uint32Array(u);
        f[0] = lr;
        f[1] = 1 - Math.pow(b1, t);
        f[2] = 1 - Math.pow(b2, t);
        w[3] = t;
        w[4] = cfg.seed >>> 0;
        device.queue.writeBuffer(stepU, 0, u);
        device.queue.writeBuffer(acts[0], 0, x as Float32Array<ArrayBuffer>);
        device.queue.writeBuffer(labelsBuf!, 0, labels as Int32Array<ArrayBuffer>);
        const enc = device.createCommandEncoder({ label: "train step" });
        encodeAll(enc, p.train);
        enc.copyBufferToBuffer(result, 0, staging, 0, 8);
        device.queue.submit([enc.finish()]);
        await staging.mapAsync(USAGE.MAP_MODE_READ);
        const r = new Float32Array(staging.getMappedRange().slice(0));
        staging.unmap();
        step = t;
        return { loss: r[0], correct: Math.round(r[1]) };
      });
    },

    trainPlan(batch: number): PreparedKernel[] {
      usable();
      if (!Number.isInteger(batch) || batch < 1) {
        throw new TypeError(`batch must be a positive integer, got ${quote(batch)}`);
      }
      return plan(batch).train;
    },

    async predict(x: Float32Array, batch: number): Promise<Float32Array> {
      usable();
      checkBatch(x, batch);
      return await ctx.scoped("predict", async () => {
        const p = plan(batch);
        device.queue.writeBuffer(acts[0], 0, x as Float32Array<ArrayBuffer>);
        const enc = device.createCommandEncoder({ label: "predict" });
        encodeAll(enc, p.predict);
        device.queue.submit([enc.finish()]);
        return (await ctx.read(acts[L], batch * classes));
      });
    },

    async getState(): Promise<BackendState> {
      usable();
      return await ctx.scoped("getState", async () => {
        const rd = (b: GPUBuffer, n: number) => ctx.read(b, n);
        const outParams: Float32Array[][] = [],
          outSlots: Float32Array[][][] = [],
          outRun: Float32Array[][] = [];
        for (let i = 0; i < L; i++) {
          const lens = init[i].map((t) => t.length);
          outParams.push(await Promise.all(params[i].map((b, k) => rd(b, lens[k]))));
          outSlots.push(
            await Promise.all(slots[i].map((ss, k) => Promise.all(ss.map((b) => rd(b, lens[k]))))),
          );
          const l = layers[i];
          if (l.op === "batchnorm") {
            const r = await rd(running[i]!, 2 * l.c);
            outRun.push([r.slice(0, l.c), r.slice(l.c)]);
          } else outRun.push([]);
        }
        return { params: outParams, slots: outSlots, running: outRun, step };
      });
    },

    async setState(s: BackendState): Promise<void> {
      usable();
      const bad = (what: string) => {
        throw new TypeError(`setState: ${what}`);
      };
      if (!s || !Array.isArray(s.params) || s.params.length !== L) bad(`expected params for ${L} layers`);
      if (!Array.isArray(s.slots) || s.slots.length !== L) bad(`expected slots for ${L} layers`);
      if (!Array.isArray(s.running) || s.running.length !== L) bad(`expected running stats for ${L} layers`);
      if (!Number.isInteger(s.step) || s.step < 0) bad(`step must be an integer ≥ 0, got ${s.step}`);
      for (let i = 0; i < L; i++) {
        const lens = init[i].map((t) => t.length);
        const ps = s.params[i], ss = s.slots[i];
        if (!Array.isArray(ps) || ps.length !== lens.length) {
          bad(`layer ${i}: expected ${lens.length} parameter tensors`);
        }
        ps.forEach((t, k) => {
          if (!(t instanceof Float32Array) || t.length !== lens[k]) {
            bad(`layer ${i} param ${k}: expected Float32Array(${lens[k]}), got ${t?.length}`);
          }
        });
        if (!Array.isArray(ss) || ss.length !== lens.length) {
          bad(`layer ${i}: expected ${lens.length} slot lists`);
        }
        ss.forEach((list, k) => {
          if (!Array.isArray(list) || list.length !== nSlots) {
            bad(`layer ${i} tensor ${k}: expected ${nSlots} slots`);
          }
          list.forEach((t) => {
            if (!(t instanceof Float32Array) || t.length !== lens[k]) {
              bad(`layer ${i} slot of tensor ${k}: expected Float32Array(${lens[k]})`);
            }
          });
        });
        const l = layers[i];
        const r = s.running[i];
        if (l.op === "batchnorm") {
          if (
            !Array.isArray(r) || r.length !== 2 ||
            r.some((t) => !(t instanceof Float32Array) || t.length !== l.c)
          ) {
            bad(`layer ${i}: expected running [mean(${l.c}), var(${l.c})]`);
          }
        } else if (!Array.isArray(r) || r.length !== 0) bad(`layer ${i}: expected no running stats`);
      }
      await ctx.scoped("setState", () => {
        const q = device.queue;
        for (let i = 0; i < L; i++) {
          s.params[i].forEach((t, k) => q.writeBuffer(params[i][k], 0, t as Float32Array<ArrayBuffer>));
          s.slots[i].forEach((list, k) =>
            list.forEach((t, j) => q.writeBuffer(slots[i][k][j], 0, t as Float32Array<ArrayBuffer>))
          );
          const l = layers[i];
          if (l.op === "batchnorm") {
            q.writeBuffer(running[i]!, 0, s.running[i][0] as Float32Array<ArrayBuffer>);
            q.writeBuffer(running[i]!, 4 * l.c, s.running[i][1] as Float32Array<ArrayBuffer>);
          }
        }
      });
      step = s.step;
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      for (const b of owned) b.destroy();
      ctx.destroy();
      for (const ts of [...params, ...grads]) for (const b of ts) b.destroy();
      for (const ts of slots) for (const ss of ts) for (const b of ss) b.destroy();
      for (const b of [...running, ...stats]) b?.destroy();
      stepU.destroy();
      result.destroy();
      staging.destroy();
    },
  };
}
