// Fast float32 whole-network forward/backward for the CPU training backend.
// Conv (+ a following ReLU, fused), dense (+ReLU), max pool, ReLU, flatten and
// dropout run on float32 kernels (train/ops/{conv,dense}/cpu_train.ts, pool/maxpool_cpu_train.ts) over
// buffers preallocated per capacity and reused every step; any other layer
// (batchnorm, other activations and pools, global average pool) runs the
// float64 oracle (reference.ts) on converted copies.
// Graphs: every op's output has its own slot (slot 0 is the caller's x;
// flatten shares its input's slot); an op reads the slots of its layer's
// inputs; a slot read by several ops gets the sum of their gradients (the
// first writer in backward order writes, the others add through scratch).
// A join (add, concat) is an op with several inputs.
// Dropout keeps element i of layer l at step t iff dropoutKeep(seed, l, t, i,
// rate) (train/ops/dropout/mask.ts), the WebGPU backend's mask, bit for bit.
// Invariants: no allocation per step on the fast layers; deterministic (fixed
// summation order); backward skips dX below the first layer with parameters
// unless inputGrad; gradients are float64, (per layer, trainParamShapes order).

import type { TrainResolvedLayer } from "../layers.ts";
import { isJoin } from "../../runtime/format/spec.ts";
import { prod, trainParamShapes } from "../layers.ts";
import { dropoutKeep, dropThreshold } from "../ops/dropout/mask.ts";
import { Conv32 } from "../ops/conv/cpu_train.ts";
import { Dense32 } from "../ops/dense/cpu_train.ts";
import { MaxPool32 } from "../ops/pool/maxpool_cpu_train.ts";
import { backward64, forward64 } from "../ops/layer_reference.ts";
import { joinBackward32, joinForward32 } from "../ops/join/cpu_train.ts";
import { consumers } from "../../runtime/graph.ts";

export interface Mode32 {
  train: boolean;
  /** dropout key (training) */
  seed: number;
  step: number;
  /** per layer: batchnorm [mean, var] (updated in place in training), else [] */
  running: Float32Array[][];
}

/** A single-input op as its kernel sees it. */
interface Op1 {
  /** first and last layer covered */
  first: number;
  last: number;
  forward(x: Float32Array, y: Float32Array, batch: number, params: Float32Array[][], mode: Mode32): void;
  /** dx is null when not needed; grads[first] are zeroed by the caller */
  backward(
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    dx: Float32Array | null,
    batch: number,
    params: Float32Array[][],
    grads: Float64Array[][],
  ): void;
  reserve(cap: number): void;
  /** has learnable parameters */
  learns: boolean;
}

/** An op of the network: layers first..last, reading slots `xs`, writing slot `ys`. */
interface Op extends Omit<Op1, "forward" | "backward"> {
  xs: number[];
  ys: number;
  forward(xs: Float32Array[], y: Float32Array, batch: number, params: Float32Array[][], mode: Mode32): void;
  /** dxs[k] is null when input k needs no gradient */
  backward(
    xs: Float32Array[],
    y: Float32Array,
    dy: Float32Array,
    dxs: (Float32Array | null)[],
    batch: number,
    params: Float32Array[][],
    grads: Float64Array[][],
  ): void;
}

/** A single-input op as a network op. */
function graphOp(op: Op1, xs: number[], ys: number): Op {
  return {
    ...op,
    xs,
    ys,
    forward: (x, y, batch, params, mode) => op.forward(x[0], y, batch, params, mode),
    backward: (x, y, dy, dx, batch, params, grads) => op.backward(x[0], y, dy, dx[0], batch, params, grads),
  };
}

/** A join (add, concat, mul): train/ops/join/cpu_train.ts (reference.ts in float32). */
function joinOp(
  l: TrainResolvedLayer & { op: "add" | "concat" | "mul" },
  i: number,
  xs: number[],
  ys: number,
): Op {
  return {
    first: i,
    last: i,
    xs,
    ys,
    learns: false,
    reserve() {},
    forward: (x, y, batch) => void joinForward32(l, x, batch, y),
    backward: (x, _y, dy, dxs, batch) => joinBackward32(l, x, dy, dxs, batch),
  };
}

const to64 = (a: Float32Array) => Float64Array.from(a);

function fallbackOp(l: TrainResolvedLayer, i: number): Op1 {
  const inPer = prod(l.inShape), outPer = prod(l.outShape);
  let saved: { x: Float64Array; y: Float64Array; p: Float64Array[]; cache: unknown } | null = null;
  return {
    first: i,
    last: i,
    learns: trainParamShapes(l).length > 0,
    reserve() {},
    forward(x, y, batch, params, mode) {
      const x64 = to64(x.subarray(0, batch * inPer));
      const p = params[i].map(to64);
      const running = mode.running[i].map(to64);
      const r = forward64(l, p, x64, batch, { train: mode.train, running });
      y.set(r.y);
      mode.running[i].forEach((t, j) => t.set(running[j]));
      saved = mode.train ? { x: x64, y: r.y, p, cache: r.cache } : null;
    },
    backward(_x, _y, dy, dx, batch, _params, grads) {
      if (!saved) throw new Error("backward without a training forward");
      const dy64 = to64(dy.subarray(0, batch * outPer));
      const r = backward64(l, saved.p, saved.x, saved.y, dy64, batch, saved.cache);
      r.dParams.forEach((g, j) => grads[i][j].set(g));
      if (dx) dx.set(r.dx);
    },
  };
}

function convOp(l: TrainResolvedLayer & { op: "conv" }, i: number, relu: boolean): Op1 {
  const k = new Conv32(l, relu);
  return {
    first: i,
    last: relu ? i + 1 : i,
    learns: true,
    reserve: (cap) => k.reserve(cap),
    forward(x, y, batch, params, mode) {
      k.forward(params[i][0], l.bias ? params[i][1] : null, x, y, batch, mode.train);
    },
    backward(_x, y, dy, dx, batch, params, grads) {
      k.backward(params[i][0], y, dy, batch, grads[i][0], l.bias ? grads[i][1] : null, dx);
    },
  };
}

function denseOp(l: TrainResolvedLayer & { op: "dense" }, i: number, relu: boolean): Op1 {
  const k = new Dense32(l.inF, l.outF, relu);
  return {
    first: i,
    last: relu ? i + 1 : i,
    learns: true,
    reserve: (cap) => k.reserve(cap),
    forward(x, y, batch, params) {
      k.forward(params[i][0], l.bias ? params[i][1] : null, x, y, batch);
    },
    backward(x, y, dy, dx, batch, params, grads) {
      k.backward(params[i][0], x, y, dy, batch, grads[i][0], l.bias ? grads[i][1] : null, dx);
    },
  };
}

/** The op of layer i alone, without parameters (`reserve` does nothing unless given). */
const paramless = (
  i: number,
  op: Pick<Op1, "forward" | "backward"> & Partial<Pick<Op1, "reserve">>,
): Op1 => ({
  first: i,
  last: i,
  learns: false,
  reserve() {},
  ...op,
});

function maxPoolOp(l: TrainResolvedLayer & { op: "pool" }, i: number): Op1 {
  const k = new MaxPool32(l);
  const outPer = prod(l.outShape);
  let argmax = new Int32Array(0);
  return paramless(i, {
    reserve(cap) {
      if (argmax.length < cap * outPer) argmax = new Int32Array(cap * outPer);
    },
    forward: (x, y, batch) => k.forward(x, y, argmax, batch),
    backward: (_x, _y, dy, dx, batch) => dx && k.backward(dy, argmax, dx, batch),
  });
}

function reluOp(l: TrainResolvedLayer, i: number): Op1 {
  const per = prod(l.inShape);
  return paramless(i, {
    forward(x, y, batch) {
      const n = batch * per;
      for (let j = 0; j < n; j++) y[j] = x[j] > 0 ? x[j] : 0;
    },
    backward(_x, y, dy, dx, batch) {
      if (!dx) return;
      const n = batch * per;
      for (let j = 0; j < n; j++) dx[j] = y[j] > 0 ? dy[j] : 0;
    },
  });
}

function dropoutOp(l: TrainResolvedLayer & { op: "dropout" }, i: number): Op1 {
  const per = prod(l.inShape);
  const scale = Math.fround(1 / (1 - l.rate));
  dropThreshold(l.rate); // validates the rate
  let mask = new Uint8Array(0);
  let active = false;
  return paramless(i, {
    reserve(cap) {
      if (mask.length < cap * per) mask = new Uint8Array(cap * per);
    },
    forward(x, y, batch, _params, mode) {
      const n = batch * per;
      active = mode.train && l.rate > 0;
      if (!active) {
        y.set(x.subarray(0, n));
        return;
      }
      const seed = mode.seed >>> 0, t = mode.step >>> 0;
      for (let j = 0; j < n; j++) {
        const keep = dropoutKeep(seed, i, t, j, l.rate);
        mask[j] = keep ? 1 : 0;
        y[j] = keep ? x[j] * scale : 0;
      }
    },
    backward(_x, _y, dy, dx, batch) {
      if (!dx) return;
      const n = batch * per;
      if (!active) dx.set(dy.subarray(0, n));
      else for (let j = 0; j < n; j++) dx[j] = mask[j] ? dy[j] * scale : 0;
    },
  });
}

export class Net32 {
  readonly layers: TrainResolvedLayer[];
  readonly #ops: Op[];
  /** per layer: slot of its output; per slot: elements per sample */
  readonly #slotOf: number[];
  readonly #slotPer: number[];
  /** per slot: how many op inputs read it (gradients summed when > 1) */
  readonly #reads: number[];
  /** per slot: some op that writes it or feeds it learns (its gradient is needed) */
  readonly #needGrad: boolean[];
  #acts: Float32Array[] = [];
  #grads: Float32Array[] = [];
  /** per op, per input: scratch for a gradient that is added to an already written slot */
  #scratch: Float32Array[][] = [];
  #x: Float32Array = new Float32Array(0);
  #cap = 0;
  /** gradients per layer (trainParamShapes order), valid after backward */
  readonly grads: Float64Array[][];

  constructor(layers: TrainResolvedLayer[]) {
    this.layers = layers;
    this.grads = layers.map((l) => trainParamShapes(l).map((s) => new Float64Array(prod(s))));
    const readers = consumers(layers);
    const ops: Op[] = [];
    const slotOf: number[] = [];
    const slotPer = [prod(layers[0].inShape)];
    const slot = (j: number) => (j < 0 ? 0 : slotOf[j]);
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const xs = l.inputs.map(slot);
      if (l.op === "flatten") {
        slotOf.push(xs[0]); // same storage
        continue;
      }
      const next = layers[i + 1];
      const reluNext = next !== undefined && next.op === "act" && next.act === "relu" &&
        readers[i].length === 1 && next.inputs[0] === i;
      const ys = slotPer.length;
      let op: Op;
      if (isJoin(l)) op = joinOp(l, i, xs, ys);
      else if (l.op === "conv") op = graphOp(convOp(l, i, reluNext), xs, ys);
      else if (l.op === "dense") op = graphOp(denseOp(l, i, reluNext), xs, ys);
      else if (l.op === "pool" && l.mode === "max" && l.dh === 1 && l.dw === 1) {
        op = graphOp(maxPoolOp(l, i), xs, ys);
      } else if (l.op === "act" && l.act === "relu") op = graphOp(reluOp(l, i), xs, ys);
      else if (l.op === "dropout") op = graphOp(dropoutOp(l, i), xs, ys);
      else op = graphOp(fallbackOp(l, i), xs, ys);
      slotPer.push(prod(layers[op.last].outShape));
      for (let j = op.first; j <= op.last; j++) slotOf.push(ys);
      ops.push(op);
      i = op.last;
    }
    this.#ops = ops;
    this.#slotOf = slotOf;
    this.#slotPer = slotPer;
    this.#reads = slotPer.map(() => 0);
    this.#needGrad = slotPer.map(() => false);
    for (const op of ops) {
      for (const s of op.xs) this.#reads[s]++;
      this.#needGrad[op.ys] = op.learns || op.xs.some((s) => this.#needGrad[s]);
    }
  }

  get capacity(): number {
    return this.#cap;
  }

  /** Grow the per-sample buffers to hold `cap` samples. */
  reserve(cap: number): void {
    if (cap <= this.#cap) return;
    this.#acts = this.#slotPer.map((per, s) => s === 0 ? new Float32Array(0) : new Float32Array(cap * per));
    this.#grads = this.#slotPer.map((per) => new Float32Array(cap * per));
    this.#scratch = this.#ops.map((op) =>
      op.xs.map((s) => this.#reads[s] > 1 ? new Float32Array(cap * this.#slotPer[s]) : new Float32Array(0))
    );
    for (const op of this.#ops) op.reserve(cap);
    this.#cap = cap;
  }

  /** Forward of `batch` ≤ capacity samples; returns a view of the output (batch, ...outShape). */
  forward(params: Float32Array[][], x: Float32Array, batch: number, mode: Mode32): Float32Array {
    if (batch > this.#cap) throw new RangeError(`batch ${batch} exceeds the reserved capacity ${this.#cap}`);
    this.#x = x;
    this.#acts[0] = x;
    for (const op of this.#ops) {
      op.forward(op.xs.map((s) => this.#acts[s]), this.#acts[op.ys], batch, params, mode);
    }
    const out = this.#slotOf[this.layers.length - 1];
    return this.#acts[out].subarray(0, batch * this.#slotPer[out]);
  }

  /**
   * Backward of the last training forward from dOut = ∂L/∂output (batch, ...outShape):
   * fills this.grads; returns ∂L/∂x when inputGrad, else null.
   */
  backward(
    params: Float32Array[][],
    dOut: ArrayLike<number>,
    batch: number,
    inputGrad = false,
  ): Float32Array | null {
    for (const ts of this.grads) for (const t of ts) t.fill(0);
    const outSlot = this.#slotOf[this.layers.length - 1];
    const dOutBuf = this.#grads[outSlot];
    const n = batch * this.#slotPer[outSlot];
    for (let j = 0; j < n; j++) dOutBuf[j] = dOut[j];
    this.#acts[0] = this.#x;
    const ops = this.#ops;
    // written[s]: some op already wrote slot s's gradient in this pass (the output's is dOut)
    const written = this.#slotPer.map((_, s) => s === outSlot);
    for (let k = ops.length - 1; k >= 0; k--) {
      const op = ops[k];
      const need = op.xs.map((s) => inputGrad || this.#needGrad[s]);
      if (!op.learns && !need.some(Boolean)) continue;
      // in input order, so add(x, x) writes x's gradient once and adds it once
      const adds = op.xs.map((s, p) => {
        const add = need[p] && written[s];
        if (need[p]) written[s] = true;
        return add;
      });
      const dxs = op.xs.map((s, p) => !need[p] ? null : adds[p] ? this.#scratch[k][p] : this.#grads[s]);
      op.backward(
        op.xs.map((s) => this.#acts[s]),
        this.#acts[op.ys],
        this.#grads[op.ys],
        dxs,
        batch,
        params,
        this.grads,
      );
      op.xs.forEach((s, p) => {
        if (!adds[p]) return;
        const g = this.#grads[s], d = dxs[p]!, m = batch * this.#slotPer[s];
        for (let j = 0; j < m; j++) g[j] += d[j];
      });
    }
    return inputGrad ? this.#grads[0].subarray(0, batch * this.#slotPer[0]) : null;
  }
}
