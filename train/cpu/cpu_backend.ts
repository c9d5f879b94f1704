// CPU training backend: float32 kernels over preallocated buffers (network.ts;
// float64 accumulation in the gemm, float64 gradients, the float64 oracle
// reference.ts for the rarer layers), float32 storage for parameters,
// optimizer slots and batchnorm running stats. Invariants: the same config
// (seed) and the same inputs give bit-identical weights (pure JS arithmetic in
// a fixed order; dropout masks are the WebGPU backend's dropoutKeep(seed,
// layer, step, i)); getState/setState round-trip exactly, and a state
// restored mid-run continues exactly as the uninterrupted run.
// Shapes: step/predict x is (N, ...inputShape) flattened; labels (N);
// predict returns (N, ...outputShape).

import { checkLoss } from "../ops/loss/spec.ts";
import type { BackendState, StepResult, TrainBackend, TrainConfig } from "../backend.ts";
import { DisposedError } from "../../runtime/errors.ts";
import { prod, resolveTrainLayers, trainParamShapes, type TrainResolvedLayer } from "../layers.ts";
import { initParams } from "../init.ts";
import { Net32 } from "./network.ts";
import { meanSquaredError, softmaxCrossEntropy } from "../ops/loss/reference.ts";
import {
  optimizerUpdate,
  type ResolvedOptimizer,
  resolveOptimizer,
  slotCount,
} from "../ops/optimizer/cpu.ts";
import { quote } from "../../runtime/quote.ts";

/** Samples per chunk in predict when no training batch has sized the buffers yet. */
const PREDICT_CHUNK = 64;

/** Runs f, turning a synchronous throw into a rejected promise. */
function settle<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

class CpuBackend implements TrainBackend {
  readonly name = "cpu" as const;
  readonly #layers: TrainResolvedLayer[];
  readonly #cfg: TrainConfig;
  readonly #opt: ResolvedOptimizer;
  readonly #inPer: number;
  readonly #outPer: number;
  readonly #net: Net32;
  #params: Float32Array[][];
  #slots: Float32Array[][][];
  #running: Float32Array[][];
  #step = 0;
  #disposed = false;

  constructor(cfg: TrainConfig) {
    checkLoss(cfg.loss, cfg.labelSmoothing ?? 0);
    if (typeof cfg.seed !== "number" || !Number.isFinite(cfg.seed)) {
      throw new TypeError(`seed must be a finite number, got ${quote(cfg.seed)}`);
    }
    this.#cfg = cfg;
    this.#layers = resolveTrainLayers(cfg.layers, cfg.inputShape);
    this.#opt = resolveOptimizer(cfg.optimizer);
    this.#inPer = prod(this.#layers[0].inShape);
    this.#outPer = prod(this.#layers[this.#layers.length - 1].outShape);
    this.#net = new Net32(this.#layers);
    this.#params = initParams(this.#layers, cfg.seed);
    const k = slotCount(this.#opt);
    this.#slots = this.#params.map((ts) =>
      ts.map((t) => Array.from({ length: k }, () => new Float32Array(t.length)))
    );
    this.#running = this.#layers.map((l) =>
      l.op === "batchnorm" ? [new Float32Array(l.c), new Float32Array(l.c).fill(1)] : []
    );
  }

  #live(): void {
    if (this.#disposed) throw new DisposedError("CPU training backend");
  }

  #checkX(x: Float32Array, batch: number): void {
    if (!Number.isInteger(batch) || batch < 1) {
      throw new TypeError(`batch must be a positive integer, got ${batch}`);
    }
    if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${typeof x}`);
    if (x.length !== batch * this.#inPer) {
      throw new TypeError(
        `x has ${x.length} values, expected batch ${batch} × (${this.#cfg.inputShape.join("×")}) = ${
          batch * this.#inPer
        }`,
      );
    }
  }

  step(x: Float32Array, labels: Int32Array, batch: number, lr: number): Promise<StepResult> {
    return settle(() => this.#stepSync(x, labels, batch, lr));
  }

  #stepSync(x: Float32Array, labels: Int32Array, batch: number, lr: number): StepResult {
    this.#live();
    this.#checkX(x, batch);
    if (typeof lr !== "number" || !Number.isFinite(lr) || lr < 0) {
      throw new RangeError(`learning rate must be a finite number ≥ 0, got ${lr}`);
    }
    const net = this.#net;
    net.reserve(batch);
    const t = this.#step + 1;
    const out = net.forward(this.#params, x, batch, {
      train: true,
      seed: this.#cfg.seed,
      step: t,
      running: this.#running,
    });
    const { loss, dz, correct } = this.#cfg.loss === "mse"
      ? meanSquaredError(out, labels, batch)
      : softmaxCrossEntropy(out, labels, batch, this.#cfg.labelSmoothing ?? 0);
    net.backward(this.#params, dz, batch);
    for (let i = this.#cfg.frozen ?? 0; i < this.#params.length; i++) {
      for (let j = 0; j < this.#params[i].length; j++) {
        optimizerUpdate(this.#opt, this.#params[i][j], net.grads[i][j], this.#slots[i][j], lr, t);
      }
    }
    this.#step = t;
    return { loss, correct };
  }

  predict(x: Float32Array, batch: number): Promise<Float32Array> {
    return settle(() => this.#predictSync(x, batch));
  }

  #predictSync(x: Float32Array, batch: number): Float32Array {
    this.#live();
    this.#checkX(x, batch);
    const net = this.#net;
    if (net.capacity === 0) net.reserve(Math.min(batch, PREDICT_CHUNK));
    const chunk = net.capacity;
    const out = new Float32Array(batch * this.#outPer);
    const mode = { train: false, seed: this.#cfg.seed, step: this.#step, running: this.#running };
    for (let s = 0; s < batch; s += chunk) {
      const n = Math.min(chunk, batch - s);
      const xs = x.subarray(s * this.#inPer, (s + n) * this.#inPer);
      out.set(net.forward(this.#params, xs, n, mode), s * this.#outPer);
    }
    return out;
  }

  getState(): Promise<BackendState> {
    return settle(() => this.#getStateSync());
  }

  #getStateSync(): BackendState {
    this.#live();
    return {
      params: this.#params.map((ts) => ts.map((t) => t.slice())),
      slots: this.#slots.map((ts) => ts.map((ss) => ss.map((s) => s.slice()))),
      running: this.#running.map((ts) => ts.map((t) => t.slice())),
      step: this.#step,
    };
  }

  setState(s: BackendState): Promise<void> {
    return settle(() => this.#setStateSync(s));
  }

  #setStateSync(s: BackendState): void {
    this.#live();
    const L = this.#layers.length;
    const bad = (what: string) => {
      throw new TypeError(`state ${what}`);
    };
    if (!s || !Array.isArray(s.params) || !Array.isArray(s.slots) || !Array.isArray(s.running)) {
      bad("must have params, slots and running arrays");
    }
    if (s.params.length !== L || s.slots.length !== L || s.running.length !== L) {
      bad(`has ${s.params.length}/${s.slots.length}/${s.running.length} layers, expected ${L}`);
    }
    if (!Number.isInteger(s.step) || s.step < 0) bad(`step must be an integer ≥ 0, got ${s.step}`);
    const k = slotCount(this.#opt);
    const want = (t: unknown, n: number, what: string) => {
      if (!(t instanceof Float32Array) || t.length !== n) {
        bad(
          `${what}: expected a Float32Array of ${n}, got ${t instanceof Float32Array ? t.length : typeof t}`,
        );
      }
    };
    this.#layers.forEach((l, i) => {
      const shapes = trainParamShapes(l);
      if (s.params[i]?.length !== shapes.length || s.slots[i]?.length !== shapes.length) {
        bad(`layer ${i}: expected ${shapes.length} parameter tensors`);
      }
      shapes.forEach((sh, j) => {
        want(s.params[i][j], prod(sh), `params[${i}][${j}]`);
        if (s.slots[i][j]?.length !== k) bad(`slots[${i}][${j}]: expected ${k} optimizer slots`);
        s.slots[i][j].forEach((v, m) => want(v, prod(sh), `slots[${i}][${j}][${m}]`));
      });
      const nr = l.op === "batchnorm" ? 2 : 0;
      if (s.running[i]?.length !== nr) bad(`running[${i}]: expected ${nr} tensors`);
      for (let j = 0; j < nr; j++) want(s.running[i][j], (l as { c: number }).c, `running[${i}][${j}]`);
    });
    this.#params = s.params.map((ts) => ts.map((t) => t.slice()));
    this.#slots = s.slots.map((ts) => ts.map((ss) => ss.map((v) => v.slice())));
    this.#running = s.running.map((ts) => ts.map((t) => t.slice()));
    this.#step = s.step;
  }

  dispose(): void {
    this.#disposed = true;
  }
}

/** A CPU training backend for `cfg`; weights start from initParams(layers, cfg.seed). */
export function createCpuBackend(cfg: TrainConfig): TrainBackend {
  return new CpuBackend(cfg);
}
