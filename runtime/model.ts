// The public Model: loads a .tcnn file, picks a backend and runs inference.
// Invariants: inputs are validated before any kernel runs; with backend
// "auto" and an adapter, each call runs where it is faster: a cost model
// calibrated once at load (CPU time per sample; GPU fixed cost per call +
// time per sample, which in Deno includes ~11 ms of mapAsync) gives the batch
// from which the GPU wins, and smaller batches run on the CPU; a GPU failure
// (lost device, failed call) switches the model to the CPU for good and the
// call is answered there, so answers stay correct; an explicit "webgpu"
// never falls back (GpuError); GPU runs are serialised (they share buffers);
// every method of a disposed model throws DisposedError.

import { decodeModel, DEFAULT_MAX_BYTES } from "./format/decode.ts";
import type { DType } from "./format/header.ts";
import { type ModelSource, readModelSource } from "./input/source.ts";
import { DisposedError, GpuError } from "./errors.ts";
import { macs, paramCount, receptiveFields, type ResolvedLayer, resolveLayers } from "./format/spec.ts";
import type { ModelDesc } from "./format/model_desc.ts";
import { CpuExecutor } from "./cpu/forward.ts";
import type { GpuExecutor } from "./webgpu/executor.ts";
import { type ImageInput, imageSize, imageToInput } from "./input/image.ts";
import {
  type Budget,
  checkBatchCost,
  checkModelCost,
  DEFAULT_MAX_ACTIVATION_BYTES,
  type ModelCost,
  modelCost,
} from "./format/budget.ts";
import { isSeries, type SeriesInput, seriesToInput } from "./input/series.ts";
import { checkShape, clampShape, type InputRange } from "./input/input_range.ts";

/** Which compute backend to use. "auto" prefers WebGPU and falls back to CPU. */
export type BackendChoice = "auto" | "webgpu" | "cpu";

/** How to load a model: backend, file-size limit, compute/memory budget (see runtime/format/budget.ts). */
export interface LoadOptions extends Budget {
  /** default "auto" */
  backend?: BackendChoice;
  /** largest accepted file in bytes (default 256 MiB) */
  maxBytes?: number;
  /** WebGPU entry point to use instead of navigator.gpu; null means "no WebGPU" */
  gpu?: GPU | null;
}

/** Options of `Model.predict`. */
export interface PredictOptions {
  /** number of samples in the input (default 1) */
  batch?: number;
  /** per-sample shape of x, for a model with an `inputRange` (default: its inputShape) */
  shape?: number[];
}

/** The executors and cost of one input size other than the reference one (variable-size models). */
interface SizeState {
  layers: ResolvedLayer[];
  cost: ModelCost;
  cpu: CpuExecutor | null;
  gpu: Promise<GpuExecutor> | null;
}

/** Input sizes a variable-size model keeps executors for (least recently used first out). */
const MAX_SIZES = 8;

/** Options of `Model.classify`. */
export interface ClassifyOptions {
  /** how many classes to return, most probable first (default 3, capped at the class count) */
  topK?: number;
}

/** One class of a `classify` answer. */
export interface Prediction {
  /** the class name (the model's label, else the index as a string) */
  label: string;
  /** the output unit */
  index: number;
  /** softmax probability in [0, 1] */
  probability: number;
}

/** One layer of `Model.summary()`. */
export interface LayerSummary {
  /** position in the model (its layers are in topological order) */
  index: number;
  /** layer type as in the file (conv2d, relu, …) */
  type: string;
  /** the layer's name, when the file gives one */
  name?: string;
  /** the layers it reads (−1: the model input); [index − 1] in a chain */
  inputs: number[];
  /** per-sample output shape */
  outputShape: number[];
  /** weights and biases */
  params: number;
  /** multiply-adds per sample */
  macs: number;
  /** receptive field [h, w] in input pixels of one unit of this layer's output */
  receptiveField: [number, number];
}

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

/** What `Model.summary()` returns. */
export interface ModelSummary {
  /** per-sample input shape */
  inputShape: number[];
  /** the other sizes the model runs at (predict's `shape`), when its file has an inputRange */
  inputRange?: InputRange;
  /** per-sample output shape */
  outputShape: number[];
  /** every layer, in order */
  layers: LayerSummary[];
  /** weights and biases of all layers */
  totalParams: number;
  /** multiply-adds per sample of all layers */
  totalMacs: number;
  /** the backend that answered the last call (before any: "webgpu" when a device is held) */
  backend: "webgpu" | "cpu";
  /** backend "auto" with a GPU: where calls run, from the timings measured at load */
  routing?: Routing;
  /** dtype the weights were stored in */
  weightsDtype: DType;
  /** size of the .tcnn file */
  fileBytes: number;
  /** class names, when the file has them */
  labels?: string[];
  /** the file's training metadata */
  meta?: Record<string, unknown>;
}

/**
 * A loaded model. Create with {@link loadModel}.
 *
 * @example
 * ```ts
 * import { encodeModel, loadModel } from "../mod.ts";
 * // a 4-input, 2-class model with zero weights, just to show the calls
 * const bytes = encodeModel({
 *   inputShape: [4],
 *   layers: [{ type: "dense", units: 2 }, { type: "softmax" }],
 *   params: [[new Float32Array(8), new Float32Array(2)], []],
 *   labels: ["no", "yes"],
 * });
 * const model = await loadModel(bytes, { backend: "cpu" });
 * const y = await model.predict(new Float32Array([1, 2, 3, 4]));
 * if (Math.abs(y[0] - 0.5) > 1e-6) throw new Error("zero weights give equal odds");
 * model.dispose();
 * ```
 */
export class Model {
  #cpu: CpuExecutor | null = null;
  #gpu: GpuExecutor | null;
  #device: GPUDevice | null;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;
  readonly #auto: boolean;
  readonly #layers: ResolvedLayer[];
  readonly #desc: ModelDesc;
  readonly #dtype: DType;
  readonly #bytes: number;
  readonly #cost: ModelCost;
  readonly #budget: Budget;
  /** auto with a GPU: the batch from which calls run on the GPU, and how it was measured */
  #routing: Routing | null = null;
  /** the backend that answered the last call */
  #last: "webgpu" | "cpu" | null = null;
  /** variable-size models: per input size (key "C,H,W") its layers, cost and executors, in use order */
  readonly #sizes = new Map<string, SizeState>();
  readonly #create: GpuProvider["create"] | null;

  /** @internal use loadModel */
  constructor(
    desc: ModelDesc,
    layers: ResolvedLayer[],
    info: { dtype: DType; bytes: number; cost: ModelCost; budget: Budget },
    gpu: { device: GPUDevice; exec: GpuExecutor; create: GpuProvider["create"] } | null,
    auto: boolean,
  ) {
    this.#create = gpu?.create ?? null;
    this.#desc = desc;
    this.#layers = layers;
    this.#dtype = info.dtype;
    this.#bytes = info.bytes;
    this.#device = gpu?.device ?? null;
    this.#gpu = gpu?.exec ?? null;
    this.#auto = auto;
    this.#cost = info.cost;
    this.#budget = info.budget;
    if (!this.#gpu) this.#cpu = new CpuExecutor(layers, desc.params);
  }

  /**
   * The backend that answered the last call — with "auto" that depends on the
   * batch (see `summary().routing`); before the first call, "webgpu" when the
   * model holds a WebGPU device, else "cpu".
   */
  get backend(): "webgpu" | "cpu" {
    if (!this.#gpu) return "cpu";
    return this.#last ?? "webgpu";
  }

  /** @internal auto with a GPU: time both backends once and set the crossover batch. */
  async calibrate(): Promise<void> {
    const gpu = this.#gpu;
    if (!gpu || !this.#auto) return;
    const per = this.#desc.inputShape.reduce((a, b) => a * b, 1);
    // timings keep the best of n runs; a model too big to time cheaply on the CPU is sent to the GPU
    const cpu = this.#cpu ??= new CpuExecutor(this.#layers, this.#desc.params);
    const time = async (f: () => unknown, n: number) => {
      let best = Infinity;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await f();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const x1 = new Float32Array(per);
    const big = Math.max(
      2,
      Math.min(
        64,
        Math.floor(
          ((this.#budget.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES) - this.#cost.scratchBytes) /
            this.#cost.perSampleBytes,
        ),
      ),
    );
    const xB = new Float32Array(per * big);
    try {
      // the CPU's JIT needs a few runs to reach its steady speed: run up to 12 times or 150 ms, keep the best
      let cpuMs = Infinity;
      if (this.#cost.macs <= 2e8) {
        const t0 = performance.now();
        for (let i = 0; i < 12 && (i < 3 || performance.now() - t0 < 150); i++) {
          cpuMs = Math.min(cpuMs, await time(() => cpu.run(x1, 1), 1));
        }
        // per sample at the large batch too (warmer, and batches amortise per-call work)
        if (this.#cost.macs * big <= 2e9) {
          cpuMs = Math.min(
            cpuMs,
            (await time(() => cpu.run(xB, big), 2)) / big,
          );
        }
      }
      await gpu.run(x1, 1);
      const g1 = await time(() => gpu.run(x1, 1), 3);
      await gpu.run(xB, big);
      const gB = await time(() => gpu.run(xB, big), 2);
      const gpuPer = Math.max(0, (gB - g1) / (big - 1)), gpuFixed = Math.max(0, g1 - gpuPer);
      // the GPU must win by a margin (timings are noisy; a wrong move to the GPU costs more than one to the CPU)
      const margin = 1.15, gain = cpuMs - margin * gpuPer;
      const from = gain <= 0 ? Infinity : Math.max(1, Math.ceil((margin * gpuFixed) / gain));
      this.#routing = {
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
    } catch {
      this.#toCpu(); // a GPU that fails while being measured is not used
    }
  }
  /** Per-sample input shape, e.g. [1, 28, 28]. */
  get inputShape(): number[] {
    return [...this.#desc.inputShape];
  }
  /** Per-sample output shape, e.g. [10]. */
  get outputShape(): number[] {
    return [...this.#layers[this.#layers.length - 1].outShape];
  }
  /** Class names, when the file has them. */
  get labels(): string[] | undefined {
    return this.#desc.labels ? [...this.#desc.labels] : undefined;
  }

  #alive(): void {
    if (this.#disposed) throw new DisposedError();
  }

  #toCpu(): CpuExecutor {
    this.#gpu?.destroy();
    this.#gpu = null;
    for (const st of this.#sizes.values()) {
      st.gpu?.then((g) => g.destroy(), () => {});
      st.gpu = null;
    }
    this.#device?.destroy();
    this.#device = null;
    return this.#cpu ??= new CpuExecutor(this.#layers, this.#desc.params);
  }

  /** The layers, cost and executors of input size `shape` (resolved and budget-checked once, kept for MAX_SIZES sizes). */
  #size(shape: number[]): SizeState {
    const key = shape.join(",");
    let st = this.#sizes.get(key);
    if (st) {
      this.#sizes.delete(key); // most recently used last
    } else {
      const layers = resolveLayers(this.#desc.layers, shape);
      const cost = modelCost(layers);
      checkModelCost(cost, layers, this.#budget);
      st = { layers, cost, cpu: null, gpu: null };
      if (this.#sizes.size >= MAX_SIZES) {
        const [oldKey, old] = this.#sizes.entries().next().value!;
        this.#sizes.delete(oldKey);
        // destroyed in the GPU queue, after any run that uses it
        if (old.gpu) {
          const gone = old.gpu;
          this.#queue = this.#queue.then(() => gone.then((g) => g.destroy())).catch(() => {});
        }
      }
    }
    this.#sizes.set(key, st);
    return st;
  }

  /**
   * Forward pass. `x` is (N, ...shape) flattened, N = opts.batch (default 1),
   * shape = opts.shape (default inputShape; another size only within the
   * model's inputRange). Returns (N, ...outputShape).
   */
  predict(x: Float32Array, opts: PredictOptions = {}): Promise<Float32Array> {
    try {
      this.#alive();
      const batch = opts.batch ?? 1;
      if (!Number.isInteger(batch) || batch < 1) {
        throw new TypeError(`batch must be a positive integer, got ${JSON.stringify(opts.batch)}`);
      }
      const ref = this.#desc.inputShape;
      const shape = opts.shape === undefined ? ref : checkShape(opts.shape, ref, this.#desc.inputRange);
      const sized = shape.some((d, i) => d !== ref[i]) ? this.#size(shape) : null;
      checkBatchCost(sized?.cost ?? this.#cost, batch, this.#budget);
      if (!(x instanceof Float32Array)) {
        throw new TypeError(
          `input must be a Float32Array, got ${(x as object)?.constructor?.name ?? typeof x}`,
        );
      }
      const per = shape.reduce((a, b) => a * b, 1);
      if (x.length !== batch * per) {
        throw new TypeError(
          `input has ${x.length} values, expected batch ${batch} × (${shape.join("×")}) = ${batch * per}`,
        );
      }
      for (let i = 0; i < x.length; i++) {
        if (!Number.isFinite(x[i])) throw new TypeError(`input[${i}] is ${x[i]}; expected a finite number`);
      }
      // another size costs (its MACs / the reference's) reference samples per sample
      const work = batch * (sized ? sized.cost.macs / Math.max(1, this.#cost.macs) : 1);
      const onCpu = !this.#gpu || (this.#routing !== null && work < this.#routing.gpuFromBatch);
      if (onCpu) {
        const y = this.#cpuFor(sized).run(x, batch);
        this.#last = "cpu";
        return Promise.resolve(y);
      }
      const run = this.#queue.then(() => this.#runGpu(x, batch, sized));
      this.#queue = run.catch(() => {});
      return run;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The CPU executor of the reference size (sized = null) or of another size. */
  #cpuFor(sized: SizeState | null): CpuExecutor {
    if (!this.#gpu) this.#toCpu();
    if (sized) return sized.cpu ??= new CpuExecutor(sized.layers, this.#desc.params);
    return this.#cpu ??= new CpuExecutor(this.#layers, this.#desc.params);
  }

  async #runGpu(x: Float32Array, batch: number, sized: SizeState | null): Promise<Float32Array> {
    this.#alive();
    if (this.#gpu && !this.#gpu.lost) {
      try {
        const device = this.#device!, create = this.#create!;
        const exec = sized
          ? await (sized.gpu ??= create(device, sized.layers, this.#desc.params))
          : this.#gpu;
        const y = await exec.run(x, batch);
        this.#last = "webgpu";
        return y;
      } catch (e) {
        if (!this.#auto) {
          throw e instanceof GpuError || e instanceof RangeError
            ? e
            : new GpuError(`WebGPU call failed: ${e}`);
        }
      }
    } else if (this.#gpu && !this.#auto) {
      throw new GpuError("the WebGPU device was lost; load the model again or use backend 'auto'");
    }
    this.#toCpu();
    const y = this.#cpuFor(sized).run(x, batch);
    this.#last = "cpu";
    return y;
  }

  /**
   * Classify one image (PNG bytes, ImageData, or raw u8/f32 gray/RGB/RGBA pixels),
   * resized to the model input — or, for a 1-D model with input (C,L), one raw
   * series (`Float32Array` or `number[]` of C·L values) with the model's recorded
   * preprocessing applied. A model with an inputRange runs an image at its own
   * size (clamped to the range) and a series at its own length. Returns the
   * top-k classes, most probable first.
   */
  async classify(input: ImageInput | SeriesInput, opts: ClassifyOptions = {}): Promise<Prediction[]> {
    this.#alive();
    const out = this.outputShape;
    if (out.length !== 1) {
      throw new TypeError(`classify() needs a flat output, this model gives (${out.join(",")})`);
    }
    const k = opts.topK ?? Math.min(3, out[0]);
    if (!Number.isInteger(k) || k < 1) {
      throw new TypeError(`topK must be a positive integer, got ${opts.topK}`);
    }
    const ref = this.#desc.inputShape, norm = this.#desc.normalization, range = this.#desc.inputRange;
    const series = ref.length === 2 || isSeries(input);
    // a variable-size model runs a series at its own length, an image at its own size clamped to the range
    let shape = ref;
    if (range && series && isSeries(input) && ref.length === 2 && input.length % ref[0] === 0) {
      shape = checkShape([ref[0], input.length / ref[0]], ref, range);
    } else if (range && !series) {
      const size = imageSize(input as ImageInput);
      if (size) shape = clampShape([ref[0], size.height, size.width], ref, range);
    }
    const x = series
      ? seriesToInput(input as SeriesInput, shape, norm)
      : await imageToInput(input as ImageInput, shape, norm);
    const y = await this.predict(x, { shape });
    const last = this.#layers[this.#layers.length - 1];
    const p = last.op === "act" && last.act === "softmax" ? y : softmax(y);
    const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b).slice(0, Math.min(k, p.length));
    return order.map((i) => ({ label: this.#desc.labels?.[i] ?? String(i), index: i, probability: p[i] }));
  }

  /** Layers, output shapes, parameter counts, MACs and receptive fields. */
  summary(): ModelSummary {
    this.#alive();
    const rf = receptiveFields(this.#layers);
    const layers = this.#layers.map((l, i) => ({
      index: i,
      type: l.spec.type,
      ...(l.spec.name !== undefined ? { name: l.spec.name } : {}),
      inputs: [...l.inputs],
      outputShape: [...l.outShape],
      params: paramCount(l),
      macs: macs(l),
      receptiveField: rf[i].rf,
    }));
    return {
      inputShape: this.inputShape,
      ...(this.#desc.inputRange ? { inputRange: structuredClone(this.#desc.inputRange) } : {}),
      outputShape: this.outputShape,
      layers,
      totalParams: layers.reduce((a, l) => a + l.params, 0),
      totalMacs: layers.reduce((a, l) => a + l.macs, 0),
      backend: this.backend,
      ...(this.#routing && this.#gpu ? { routing: { ...this.#routing } } : {}),
      weightsDtype: this.#dtype,
      fileBytes: this.#bytes,
      labels: this.labels,
      meta: this.#desc.meta,
    };
  }

  /** Free GPU buffers and the device. Later calls throw DisposedError. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#gpu?.destroy();
    this.#device?.destroy();
    this.#gpu = this.#device = this.#cpu = null;
  }
}

function softmax(y: Float32Array): Float32Array {
  let m = -Infinity;
  for (const v of y) m = Math.max(m, v);
  const e = y.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * How a build gets a WebGPU executor: the full build passes the WebGPU
 * backend (load.ts), the CPU-only build (load_cpu.ts) passes null, so none of
 * the WebGPU code is reachable from it.
 */
export interface GpuProvider {
  /** a device from `gpu` (or navigator.gpu), or null without an adapter */
  acquire(gpu: GPU | undefined): Promise<GPUDevice | null>;
  /** the executor for a model's layers on that device */
  create(device: GPUDevice, layers: ResolvedLayer[], params: Float32Array[][]): Promise<GpuExecutor>;
}

/** loadModel with a given WebGPU provider (null: CPU only). */
export async function loadModelWith(
  src: ModelSource,
  opts: LoadOptions,
  provider: GpuProvider | null,
): Promise<Model> {
  const choice = opts.backend ?? "auto";
  if (!["auto", "webgpu", "cpu"].includes(choice)) {
    throw new TypeError(`backend must be "auto", "webgpu" or "cpu", got ${JSON.stringify(choice)}`);
  }
  if (choice === "webgpu" && !provider) {
    throw new GpuError(
      'this is the CPU-only build (tinycnn/cpu): backend "webgpu" needs the full build (tinycnn)',
    );
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer, got ${JSON.stringify(opts.maxBytes)}`);
  }
  const bytes = await readModelSource(src, maxBytes);
  const { desc, dtype, byteLength } = decodeModel(bytes, { maxBytes: opts.maxBytes });
  const layers = resolveLayers(desc.layers, desc.inputShape);
  // what inference will cost, checked before any backend allocates
  for (const k of ["maxMacs", "maxActivationBytes"] as const) {
    const v = opts[k];
    if (v !== undefined && !(typeof v === "number" && v > 0)) {
      throw new TypeError(`${k} must be a positive number, got ${JSON.stringify(v)}`);
    }
  }
  const budget: Budget = { maxMacs: opts.maxMacs, maxActivationBytes: opts.maxActivationBytes };
  const cost = modelCost(layers);
  checkModelCost(cost, layers, budget);
  const info = { dtype, bytes: byteLength, cost, budget };
  if (choice === "cpu" || !provider) return new Model(desc, layers, info, null, false);
  let device: GPUDevice | null = null;
  try {
    device = opts.gpu === null ? null : await provider.acquire(opts.gpu);
    if (!device) throw new GpuError("no WebGPU adapter is available");
    const exec = await provider.create(device, layers, desc.params);
    const model = new Model(desc, layers, info, { device, exec, create: provider.create }, choice === "auto");
    await model.calibrate();
    return model;
  } catch (e) {
    device?.destroy();
    if (choice === "webgpu") {
      throw e instanceof GpuError || e instanceof RangeError ? e : new GpuError(String(e));
    }
    return new Model(desc, layers, info, null, true);
  }
}
