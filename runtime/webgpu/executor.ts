// Whole-network WebGPU forward executor. Shapes: run() takes x as
// (N, ...inShape) flattened row-major (NCHW) and returns (N, ...outShape).
// Invariants: pipelines, weight buffers and uniform buffers are created once
// per model; the activation buffers of the graph's slot plan (runtime/graph.ts
// planSlots: two ping-pong slots for a chain), the input buffer and the
// MAP_READ staging buffer are re-allocated only when a larger batch than ever
// before arrives; a join runs one dispatch per input;
// each run (each chunk when the batch exceeds what one buffer can hold) is
// one upload, one command encoder with one compute pass, one submit and one
// readback. Elementwise activations run in place or fuse into a preceding
// conv/dense/add that only they read; flatten is a no-op alias. Every size is checked against
// device.limits before allocation (RangeError); every GPU failure (device
// lost, validation / out-of-memory error, mapAsync rejection) rejects with
// GpuError. Runs are serialised, so concurrent calls never share the staging
// buffer.

import { COPY_DST, COPY_SRC, MAP_MODE_READ, MAP_READ, STORAGE, UNIFORM } from "./buffer_usage.ts";
import type { ActivationType, ResolvedLayer } from "../format/spec.ts";
import { isColumnAct } from "../ops/activation/table.ts";
import { DisposedError, GpuError } from "../errors.ts";
import { checkNetwork } from "../network_check.ts";
import { guarded, isLost, unlessLost } from "./device.ts";
import { pipelineFor } from "./pipeline_cache.ts";
import { WG } from "./kernel.ts";
import type { ForwardKernel } from "./kernel.ts";
import type { Epilogue } from "../ops/activation/wgsl.ts";
import { opEntry } from "../ops/table.ts";
import { layerKernel, layerParts } from "./layer_kernel.ts";
import { planSlots } from "../graph.ts";
import { quote } from "../quote.ts";

// GPUBufferUsage / GPUMapMode values (spelled out: the globals are absent where WebGPU is)

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Options of GpuExecutor.create. */
export interface GpuExecutorOptions {
  /** fuse an elementwise activation into the conv/dense before it (default true) */
  fuse?: boolean;
  /** cap on samples per submit (bounds activation memory); larger batches run in chunks. Default: what the limits allow */
  maxBatch?: number;
}

/** One dispatch of the plan. `src`/`dst` are buffer slots (src −1: the input buffer); in place when equal. */
interface Step {
  layer: ResolvedLayer;
  epilogue: Epilogue | null;
  src: number;
  dst: number;
  /** which input of a join this dispatch handles (0 otherwise) */
  part: number;
  params: GPUBuffer[];
  uniform: GPUBuffer;
  pipeline: GPUComputePipeline;
  kernel: ForwardKernel;
  bindGroup: GPUBindGroup | null;
}

const isElementwise = (a: ActivationType) => !isColumnAct(a);

/** Runs a resolved layer chain on one GPUDevice. */
export class GpuExecutor {
  readonly #device: GPUDevice;
  readonly #layers: ResolvedLayer[];
  readonly #steps: Step[];
  readonly #weights: GPUBuffer[];
  readonly #inPer: number;
  readonly #outPer: number;
  readonly #slotPer: number[];
  /** largest batch one chunk can hold (buffer size and dispatch limits) */
  readonly maxChunk: number;
  readonly #outSlot: number;
  #cap = 0;
  #bufs: GPUBuffer[] = [];
  #input: GPUBuffer | null = null;
  #staging: GPUBuffer | null = null;
  #uniformBatch = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #destroyed = false;

  private constructor(
    device: GPUDevice,
    layers: ResolvedLayer[],
    steps: Step[],
    weights: GPUBuffer[],
    slotPer: number[],
    outSlot: number,
    maxBatch: number,
  ) {
    this.#device = device;
    this.#layers = layers;
    this.#steps = steps;
    this.#weights = weights;
    this.#inPer = prod(layers[0].inShape);
    this.#outPer = prod(layers[layers.length - 1].outShape);
    this.#slotPer = slotPer;
    this.#outSlot = outSlot;
    const maxPer = Math.max(this.#inPer, ...slotPer);
    const lim = device.limits;
    const bytes = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize);
    const threads = lim.maxComputeWorkgroupsPerDimension ** 2 * WG;
    this.maxChunk = Math.floor(Math.min(bytes / (4 * maxPer), threads / maxPer, maxBatch));
  }

  /**
   * Build the executor: validates layers and params (TypeError), checks sizes
   * against device.limits (RangeError), uploads weights and compiles
   * pipelines (GpuError on failure).
   */
  static async create(
    device: GPUDevice,
    layers: ResolvedLayer[],
    params: Float32Array[][],
    opts: GpuExecutorOptions = {},
  ): Promise<GpuExecutor> {
    checkNetwork(layers, params);
    const lim = device.limits;
    const maxBytes = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize);
    const maxPer = Math.max(...layers.map((l) => prod(l.inShape)), ...layers.map((l) => prod(l.outShape)));
    if (4 * maxPer > maxBytes) {
      throw new RangeError(
        `an activation of ${maxPer} floats (${
          4 * maxPer
        } bytes per sample) exceeds the device's ${maxBytes}-byte storage buffer limit`,
      );
    }
    for (let i = 0; i < layers.length; i++) {
      for (const p of params[i]) {
        if (p.byteLength > maxBytes) {
          throw new RangeError(
            `layer ${i} (${
              layers[i].spec.type
            }): a ${p.byteLength}-byte parameter tensor exceeds the device's ${maxBytes}-byte storage buffer limit`,
          );
        }
      }
    }
    const fuse = opts.fuse !== false;
    const maxBatch = opts.maxBatch ?? Infinity;
    if (maxBatch !== Infinity && (!Number.isInteger(maxBatch) || maxBatch < 1)) {
      throw new TypeError(`maxBatch must be a positive integer, got ${quote(opts.maxBatch)}`);
    }
    const slots = planSlots(layers, {
      fuse: (i, j) => {
        const l = layers[i], next = layers[j];
        return fuse && opEntry(l).fuses && next.op === "act" &&
          isElementwise(next.act) && next.inputs[0] === i;
      },
      inPlace: (i) => layers[i].op === "act" && isElementwise((layers[i] as { act: ActivationType }).act),
    });
    return await guarded(device, "creating the WebGPU executor", async () => {
      const weights: GPUBuffer[] = [];
      const plan: Omit<Step, "pipeline" | "kernel" | "bindGroup" | "uniform">[] = [];
      for (const st of slots.steps) {
        const i = st.layer, l = layers[i];
        const f = st.fused === null ? null : layers[st.fused];
        const epilogue: Epilogue | null = f?.op === "act"
          ? { act: f.act as Epilogue["act"], alpha: f.alpha, beta: f.beta }
          : null;
        const bufs = params[i].map((p, k) => {
          const b = device.createBuffer({
            size: Math.max(4, p.byteLength),
            usage: STORAGE | COPY_DST,
            label: `layer ${i} param ${k}`,
          });
          device.queue.writeBuffer(b, 0, p as Float32Array<ArrayBuffer>);
          weights.push(b);
          return b;
        });
        for (let part = 0; part < layerParts(l); part++) {
          plan.push({ layer: l, epilogue, src: st.srcs[part], dst: st.dst, part, params: bufs });
        }
      }
      const steps: Step[] = await Promise.all(plan.map(async (s) => {
        const kernel = layerKernel(s.layer, 1, lim, s.epilogue, s.src === s.dst, s.part);
        const pipeline = await pipelineFor(device, kernel.code, kernel.label);
        const uniform = device.createBuffer({
          size: kernel.uniforms.byteLength,
          usage: UNIFORM | COPY_DST,
          label: `${kernel.label} uniforms`,
        });
        return { ...s, kernel, pipeline, uniform, bindGroup: null };
      }));
      return new GpuExecutor(device, layers, steps, weights, slots.slotPer, slots.out, maxBatch);
    });
  }

  /** Whether the device is lost (or the executor destroyed): run() would reject. */
  get lost(): boolean {
    return this.#destroyed || isLost(this.#device);
  }

  /** x is (N, ...inShape) flattened; resolves a fresh (N, ...outShape). Rejects with GpuError on GPU failure. */
  run(x: Float32Array, batch: number): Promise<Float32Array> {
    if (this.#destroyed) return Promise.reject(new DisposedError("GPU executor"));
    if (!Number.isInteger(batch) || batch < 1) {
      return Promise.reject(new TypeError(`batch must be a positive integer, got ${quote(batch)}`));
    }
    if (!(x instanceof Float32Array)) {
      return Promise.reject(new TypeError(`input must be a Float32Array, got ${typeof x}`));
    }
    if (x.length !== batch * this.#inPer) {
      return Promise.reject(
        new TypeError(
          `input has ${x.length} values, expected batch ${batch} × (${this.#layers[0].inShape.join("×")}) = ${
            batch * this.#inPer
          }`,
        ),
      );
    }
    if (this.maxChunk < 1) {
      return Promise.reject(new RangeError("one sample does not fit the device's buffer or dispatch limits"));
    }
    const job = this.#queue.then(() => this.#runAll(x, batch));
    this.#queue = job.catch(() => {});
    return job;
  }

  async #runAll(x: Float32Array, batch: number): Promise<Float32Array> {
    if (batch <= this.maxChunk) return await this.#runChunk(x, batch);
    const out = new Float32Array(batch * this.#outPer);
    for (let n0 = 0; n0 < batch; n0 += this.maxChunk) {
      const nb = Math.min(this.maxChunk, batch - n0);
      const y = await this.#runChunk(x.subarray(n0 * this.#inPer, (n0 + nb) * this.#inPer), nb);
      out.set(y, n0 * this.#outPer);
    }
    return out;
  }

  /** Grow the activation and staging buffers to `batch` samples; rebuild bind groups. */
  #ensureCapacity(batch: number) {
    if (batch <= this.#cap) return;
    const d = this.#device;
    for (const b of this.#bufs) b.destroy();
    this.#input?.destroy();
    this.#staging?.destroy();
    const usage = STORAGE | COPY_SRC | COPY_DST;
    this.#bufs = this.#slotPer.map((per, k) =>
      d.createBuffer({ size: Math.max(4, 4 * batch * per), usage, label: `activations ${k}` })
    );
    this.#input = d.createBuffer({ size: 4 * batch * this.#inPer, usage, label: "input" });
    this.#staging = d.createBuffer({
      size: 4 * batch * this.#outPer,
      usage: MAP_READ | COPY_DST,
      label: "output staging",
    });
    this.#cap = batch;
    for (const s of this.#steps) {
      const entries = s.kernel.bindings.map((role, k) => {
        const buffer = role === "x"
          ? (s.src < 0 ? this.#input! : this.#bufs[s.src])
          : role === "y"
          ? this.#bufs[s.dst]
          : s.params[role === "w" ? 0 : 1];
        return { binding: k + 1, resource: { buffer } };
      });
      s.bindGroup = d.createBindGroup({
        layout: s.pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: s.uniform } }, ...entries],
        label: s.kernel.label,
      });
    }
  }

  /** Rewrite the uniforms (shapes, dispatch) for `batch` samples. */
  #setBatch(batch: number) {
    if (batch === this.#uniformBatch) return;
    const lim = this.#device.limits;
    for (const s of this.#steps) {
      s.kernel = layerKernel(s.layer, batch, lim, s.epilogue, s.src === s.dst, s.part);
      this.#device.queue.writeBuffer(s.uniform, 0, s.kernel.uniforms);
    }
    this.#uniformBatch = batch;
  }

  #runChunk(x: Float32Array, batch: number): Promise<Float32Array> {
    const d = this.#device;
    return guarded(d, "running the model on WebGPU", async () => {
      if (this.#destroyed) throw new DisposedError("GPU executor");
      this.#ensureCapacity(batch);
      this.#setBatch(batch);
      d.queue.writeBuffer(this.#input!, 0, x as Float32Array<ArrayBuffer>);
      const enc = d.createCommandEncoder({ label: "forward" });
      if (this.#steps.length) {
        const pass = enc.beginComputePass({ label: "forward" });
        for (const s of this.#steps) {
          pass.setPipeline(s.pipeline);
          pass.setBindGroup(0, s.bindGroup!);
          const [gx, gy, gz] = s.kernel.dispatch.groups;
          pass.dispatchWorkgroups(gx, gy, gz);
        }
        pass.end();
      }
      const outBytes = 4 * batch * this.#outPer;
      const staging = this.#staging!;
      const outBuf = this.#outSlot < 0 ? this.#input! : this.#bufs[this.#outSlot];
      enc.copyBufferToBuffer(outBuf, 0, staging, 0, outBytes);
      d.queue.submit([enc.finish()]);
      try {
        await unlessLost(d, staging.mapAsync(MAP_MODE_READ, 0, outBytes), "reading the output");
      } catch (e) {
        throw e instanceof GpuError
          ? e
          : new GpuError(`reading the output failed: ${e instanceof Error ? e.message : e}`);
      }
      const out = new Float32Array(staging.getMappedRange(0, outBytes).slice(0));
      staging.unmap();
      return out;
    });
  }

  /**
   * Profiling hook (bench/webgpu_profile.ts): the dispatches one run of
   * `batch` samples (≤ maxChunk) encodes, in order, with their layers. The
   * activation buffers hold whatever the last run left; nothing is submitted.
   */
  profilePlan(batch: number): {
    label: string;
    layer: ResolvedLayer;
    pipeline: GPUComputePipeline;
    bindGroup: GPUBindGroup;
    groups: [number, number, number];
  }[] {
    if (this.#destroyed) throw new DisposedError("GPU executor");
    if (!Number.isInteger(batch) || batch < 1 || batch > this.maxChunk) {
      throw new RangeError(`profilePlan: batch must be an integer in [1, ${this.maxChunk}], got ${batch}`);
    }
    this.#ensureCapacity(batch);
    this.#setBatch(batch);
    return this.#steps.map((s) => ({
      label: s.kernel.label,
      layer: s.layer,
      pipeline: s.pipeline,
      bindGroup: s.bindGroup!,
      groups: s.kernel.dispatch.groups,
    }));
  }

  /** Free every GPU buffer of this executor (the device stays). Later run() calls reject with DisposedError. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const b of [...this.#weights, ...this.#bufs, ...this.#steps.map((s) => s.uniform)]) b.destroy();
    this.#staging?.destroy();
    this.#input?.destroy();
    this.#bufs = [];
    this.#input = null;
    this.#staging = null;
  }
}
