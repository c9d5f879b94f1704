// The public Model, a facade over its executors: the reference size's CPU
// and GPU executors, the other sizes' (size_cache.ts), the routing between
// CPU and GPU (routing.ts); loading is model_load.ts.
// Invariants: inputs are validated before any kernel runs; with backend
// "auto" and an adapter, each call runs where routing.ts measured it faster;
// a GPU failure
// (lost device, failed call) switches the model to the CPU for good and the
// call is answered there, so answers stay correct; an explicit "webgpu"
// never falls back (GpuError); GPU runs are serialised (they share buffers);
// every method of a disposed model throws DisposedError.

import type { DType } from "./format/header.ts";
import { DisposedError, GpuError } from "./errors.ts";
import { macs, paramCount, receptiveFields, type ResolvedLayer } from "./format/spec.ts";
import type { ModelDesc } from "./format/model_desc.ts";
import { type CpuRunner, type CpuSide, TS_SIDE } from "./cpu_side.ts";
import type { WasmSource } from "./wasm/engine.ts";
import type { GpuExecutor } from "./webgpu/executor.ts";
import { type ImageInput, imageSize, imageToInput } from "./input/image.ts";
import { type Budget, checkBatchCost, type ModelCost } from "./format/budget.ts";
import { isSeries, type SeriesInput, seriesToInput } from "./input/series.ts";
import { checkShape, clampShape, type InputRange } from "./input/input_range.ts";
import { measureRouting, type Routing } from "./routing.ts";
import { SizeCache, type SizeState } from "./size_cache.ts";
import { quote } from "./quote.ts";

/**
 * Which compute backend to use. "auto" prefers WebGPU and runs its CPU side on
 * the wasm kernels where they compile, else on the TypeScript ones; "wasm"
 * and "cpu" pick a CPU engine.
 */
export type BackendChoice = "auto" | "webgpu" | "wasm" | "cpu";

/** The engine that answered a call: WebGPU, the wasm kernels, or the TypeScript kernels. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/** How to load a model: backend, file-size limit, compute/memory budget (see runtime/format/budget.ts). */
export interface LoadOptions extends Budget {
  /** default "auto" */
  backend?: BackendChoice;
  /** largest accepted file in bytes (default 256 MiB) */
  maxBytes?: number;
  /** WebGPU entry point to use instead of navigator.gpu; null means "no WebGPU" */
  gpu?: GPU | null;
  /** variable-size models: bytes the executors of other input sizes may hold (default 32 MiB) */
  sizeCacheBytes?: number;
  /**
   * where the wasm kernels come from (default: the package's runtime/wasm/tinycnn.wasm, read beside the
   * module): a `WebAssembly.Module` (Cloudflare Workers: the imported .wasm), the bytes, or a URL
   */
  wasm?: WasmSource;
}

/** Options of `Model.predict`. */
export interface PredictOptions {
  /** number of samples in the input (default 1) */
  batch?: number;
  /** per-sample shape of x, for a model with an `inputRange` (default: its inputShape) */
  shape?: number[];
}

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

export type { Routing } from "./routing.ts";

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
  backend: BackendName;
  /** the CPU engine: "wasm", or "cpu" (TypeScript) with why the wasm engine is not used when it was wanted */
  cpuEngine: { name: "wasm" | "cpu"; why?: string };
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
  #cpu: CpuRunner | null = null;
  readonly #side: CpuSide;
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
  #last: BackendName | null = null;
  /** variable-size models: per other input size its layers, cost and executors (bounded; runtime/size_cache.ts) */
  readonly #sizes: SizeCache;
  readonly #create: GpuProvider["create"] | null;

  /** @internal use loadModel */
  constructor(
    desc: ModelDesc,
    layers: ResolvedLayer[],
    info: {
      dtype: DType;
      bytes: number;
      cost: ModelCost;
      budget: Budget;
      sizeCacheBytes: number;
      cpuSide?: CpuSide;
    },
    gpu: { device: GPUDevice; exec: GpuExecutor; create: GpuProvider["create"] } | null,
    auto: boolean,
  ) {
    this.#create = gpu?.create ?? null;
    this.#side = info.cpuSide ?? TS_SIDE;
    this.#desc = desc;
    this.#layers = layers;
    this.#dtype = info.dtype;
    this.#bytes = info.bytes;
    this.#device = gpu?.device ?? null;
    this.#gpu = gpu?.exec ?? null;
    this.#auto = auto;
    this.#cost = info.cost;
    this.#budget = info.budget;
    this.#sizes = new SizeCache(desc.layers, info.budget, info.sizeCacheBytes, (st) => {
      st.cpu?.dispose();
      // a GPU executor is destroyed in the GPU queue, after any run that uses it
      const gone = st.gpu;
      if (gone) this.#queue = this.#queue.then(() => gone.then((g) => g.destroy())).catch(() => {});
    });
    if (!this.#gpu) this.#cpu = this.#side.create(layers, desc.params);
  }

  /**
   * The backend that answered the last call — with "auto" that depends on the
   * batch (see `summary().routing`); before the first call, "webgpu" when the
   * model holds a WebGPU device, else its CPU engine ("wasm" or "cpu").
   */
  get backend(): BackendName {
    if (!this.#gpu) return this.#side.name;
    return this.#last ?? "webgpu";
  }

  /** @internal auto with a GPU: time both backends once and set the crossover batch. */
  async calibrate(): Promise<void> {
    const gpu = this.#gpu;
    if (!gpu || !this.#auto) return;
    const cpu = this.#cpu ??= this.#side.create(this.#layers, this.#desc.params);
    const per = this.#desc.inputShape.reduce((a, b) => a * b, 1);
    try {
      this.#routing = await measureRouting(cpu, gpu, per, this.#cost, this.#budget);
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

  #toCpu(): CpuRunner {
    this.#gpu?.destroy();
    this.#gpu = null;
    for (const st of this.#sizes.values()) {
      st.gpu?.then((g) => g.destroy(), () => {});
      st.gpu = null;
    }
    this.#device?.destroy();
    this.#device = null;
    return this.#cpu ??= this.#side.create(this.#layers, this.#desc.params);
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
        throw new TypeError(`batch must be a positive integer, got ${quote(opts.batch)}`);
      }
      const ref = this.#desc.inputShape;
      const shape = opts.shape === undefined ? ref : checkShape(opts.shape, ref, this.#desc.inputRange);
      const sized = shape.some((d, i) => d !== ref[i]) ? this.#sizes.get(shape) : null;
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
        return Promise.resolve(this.#runCpu(x, batch, sized));
      }
      const run = this.#queue.then(() => this.#runGpu(x, batch, sized));
      this.#queue = run.catch(() => {});
      return run;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The CPU executor of the reference size (sized = null) or of another size. */
  #cpuFor(sized: SizeState | null): CpuRunner {
    if (!this.#gpu) this.#toCpu();
    if (sized) return sized.cpu ??= this.#side.create(sized.layers, this.#desc.params);
    return this.#cpu ??= this.#side.create(this.#layers, this.#desc.params);
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
    return this.#runCpu(x, batch, sized);
  }

  #runCpu(x: Float32Array, batch: number, sized: SizeState | null): Float32Array {
    const y = this.#cpuFor(sized).run(x, batch);
    if (sized) this.#sizes.trim(sized);
    this.#last = this.#side.name;
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
    // a size the network cannot take, or one over the budget, is refused from the header, before any decoding
    if (shape.some((d, i) => d !== ref[i])) checkBatchCost(this.#sizes.get(shape).cost, 1, this.#budget);
    const x = series
      ? seriesToInput(input as SeriesInput, shape, norm)
      : await imageToInput(input as ImageInput, shape, norm);
    const y = await this.predict(x, { shape });
    const last = this.#layers[this.#layers.length - 1];
    // the model's own softmax serves when it normalises the whole (flat) output
    const p = last.op === "act" && last.act === "softmax" && last.outer * last.spatial === 1 ? y : softmax(y);
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
      cpuEngine: { name: this.#side.name, ...(this.#side.why ? { why: this.#side.why } : {}) },
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
    this.#sizes.clear();
    this.#gpu?.destroy();
    this.#device?.destroy();
    this.#cpu?.dispose();
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
