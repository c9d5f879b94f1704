// Pure-TypeScript forward pass: one resolved layer (forwardLayer) or a whole
// network with preallocated ping-pong buffers (CpuExecutor).
// Shapes: activations are (N, ...shape) flattened row-major (NCHW).
// Invariants: every length (input, parameters, output buffer) is checked
// before a kernel runs and a mismatch throws TypeError saying what was got
// and what was expected; kernels themselves do no checks. Activations may run
// in place; flatten is a copy (identity on the data).
// Each op family chooses its own kernel (runtime/ops/<family>/cpu.ts: conv's
// convVariant, pool's poolVariant, dense's one gemm); the executor prepares
// conv weights once (Winograd transforms) and fuses a ReLU that follows a
// conv or dense layer into its store, so forwardLayer and CpuExecutor run the
// same kernels and agree bit for bit.

import type { ResolvedLayer } from "../spec.ts";
import { paramShapes } from "../spec.ts";
import { convCpu, prepareConv, type PreparedConv } from "../ops/conv/cpu.ts";
import { globalAvgPool, poolCpu } from "../ops/pool/cpu.ts";
import { denseCpu } from "../ops/dense/cpu.ts";
import { activation } from "../ops/activation/cpu.ts";
import { upsampleCpu } from "../ops/upsample/cpu.ts";
import { convTransposeCpu } from "../ops/conv/transpose_cpu.ts";

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function layerName(l: ResolvedLayer): string {
  return `${l.spec.type} layer (${l.inShape.join("×")} → ${l.outShape.join("×")})`;
}

/** Check that `params` matches paramShapes(l) exactly. Throws TypeError. */
export function checkParams(l: ResolvedLayer, params: Float32Array[]): void {
  const shapes = paramShapes(l);
  if (!Array.isArray(params) || params.length !== shapes.length) {
    throw new TypeError(
      `${layerName(l)}: expected ${shapes.length} parameter tensor(s), got ${
        Array.isArray(params) ? params.length : typeof params
      }`,
    );
  }
  for (let i = 0; i < shapes.length; i++) {
    const p = params[i];
    const want = prod(shapes[i]);
    if (!(p instanceof Float32Array)) {
      throw new TypeError(`${layerName(l)}: parameter ${i} must be a Float32Array, got ${typeof p}`);
    }
    if (p.length !== want) {
      throw new TypeError(
        `${layerName(l)}: parameter ${i} has ${p.length} values, expected (${shapes[i].join("×")}) = ${want}`,
      );
    }
  }
}

function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new TypeError(`batch must be a positive integer, got ${JSON.stringify(batch)}`);
  }
}

/**
 * Run one layer with no checks. `y` must not alias `x` unless the layer is
 * elementwise. `prep` is the conv's prepared weights (made here when absent);
 * `relu` fuses a following ReLU (conv, dense).
 */
function runLayer(
  l: ResolvedLayer,
  params: Float32Array[],
  x: Float32Array,
  batch: number,
  y: Float32Array,
  prep: PreparedConv | null = null,
  relu = false,
) {
  const b = "bias" in l && l.bias ? params[1] : null;
  switch (l.op) {
    case "conv":
      return convCpu(l, prep ?? prepareConv(l, params[0]), params[0], b, x, batch, y, relu);
    case "pool":
      return poolCpu(l, l.mode, x, batch, y);
    case "dense":
      return denseCpu(l.inF, l.outF, params[0], b, x, batch, y, relu);
    case "globalavgpool":
      return globalAvgPool(l.c, l.spatial, x, batch, y);
    case "upsample":
      return upsampleCpu(l, x, batch, y);
    case "convT":
      return convTransposeCpu(l, params[0], b, x, batch, y, false);
    case "act":
      return activation(l.act, l.alpha, l.beta, l.c, l.spatial, x, batch, y);
    case "flatten":
      if (y !== x) y.set(x);
      return y;
  }
}

/** Runs one resolved layer. x is (N, ...l.inShape) flattened; returns (N, ...l.outShape). `out` may be passed to avoid allocation. */
export function forwardLayer(
  l: ResolvedLayer,
  params: Float32Array[],
  x: Float32Array,
  batch: number,
  out?: Float32Array,
): Float32Array {
  checkBatch(batch);
  checkParams(l, params);
  if (!(x instanceof Float32Array)) throw new TypeError(`input must be a Float32Array, got ${typeof x}`);
  const inLen = batch * prod(l.inShape);
  if (x.length !== inLen) {
    throw new TypeError(
      `${layerName(l)}: input has ${x.length} values, expected batch ${batch} × (${
        l.inShape.join("×")
      }) = ${inLen}`,
    );
  }
  const outLen = batch * prod(l.outShape);
  if (out === undefined) {
    out = new Float32Array(outLen);
  } else {
    if (!(out instanceof Float32Array) || out.length !== outLen) {
      throw new TypeError(
        `${layerName(l)}: out must be a Float32Array of ${outLen} values, got ${
          out instanceof Float32Array ? out.length : typeof out
        }`,
      );
    }
    const elementwise = l.op === "act" || l.op === "flatten";
    const overlap = out.buffer === x.buffer &&
      out.byteOffset < x.byteOffset + x.byteLength && x.byteOffset < out.byteOffset + out.byteLength;
    if (overlap && !(elementwise && out.byteOffset === x.byteOffset)) {
      throw new TypeError(`${layerName(l)}: out must not overlap the input (only activations run in place)`);
    }
  }
  return runLayer(l, params, x, batch, out);
}

/** Check a layer chain and its parameters before any buffer is made: TypeError on a mismatch. */
export function checkNetwork(layers: ResolvedLayer[], params: Float32Array[][]): void {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new TypeError("layers must be a non-empty array");
  }
  if (!Array.isArray(params) || params.length !== layers.length) {
    throw new TypeError(
      `expected one parameter list per layer (${layers.length}), got ${
        Array.isArray(params) ? params.length : typeof params
      }`,
    );
  }
  for (let i = 0; i < layers.length; i++) {
    if (i > 0 && prod(layers[i].inShape) !== prod(layers[i - 1].outShape)) {
      throw new TypeError(
        `layer ${i} expects (${layers[i].inShape.join("×")}) but layer ${i - 1} gives (${
          layers[i - 1].outShape.join("×")
        })`,
      );
    }
    checkParams(layers[i], params[i]);
  }
}

/** Whole-network executor with preallocated ping-pong buffers sized for the largest batch seen so far. */
export class CpuExecutor {
  readonly #layers: ResolvedLayer[];
  readonly #params: Float32Array[][];
  readonly #inPer: number;
  readonly #maxPer: number;
  /** per conv layer: its kernel and prepared (e.g. Winograd-transformed) weights, computed once here */
  readonly #prep: (PreparedConv | null)[];
  /** per layer: a ReLU right after it is fused into its store (and the ReLU layer is skipped) */
  readonly #fuseRelu: boolean[];
  #cap = 0; // batch capacity of the buffers
  #bufs: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];

  constructor(layers: ResolvedLayer[], params: Float32Array[][]) {
    checkNetwork(layers, params);
    this.#layers = layers;
    this.#params = params;
    this.#inPer = prod(layers[0].inShape);
    this.#maxPer = Math.max(this.#inPer, ...layers.map((l) => prod(l.outShape)));
    this.#prep = layers.map((l, i) => l.op === "conv" ? prepareConv(l, params[i][0]) : null);
    this.#fuseRelu = layers.map((l, i) => {
      const next = layers[i + 1];
      return (l.op === "conv" || l.op === "dense") && next?.op === "act" && next.act === "relu";
    });
  }

  /** x is (N, ...inShape) flattened; returns a fresh (N, ...outShape). x is never modified. */
  run(x: Float32Array, batch: number): Float32Array {
    checkBatch(batch);
    if (!(x instanceof Float32Array)) throw new TypeError(`input must be a Float32Array, got ${typeof x}`);
    if (x.length !== batch * this.#inPer) {
      throw new TypeError(
        `input has ${x.length} values, expected batch ${batch} × (${this.#layers[0].inShape.join("×")}) = ${
          batch * this.#inPer
        }`,
      );
    }
    if (batch > this.#cap) {
      const n = batch * this.#maxPer;
      this.#bufs = [new Float32Array(n), new Float32Array(n)];
      this.#cap = batch;
    }
    let cur = x;
    let which = -1; // -1: cur is the caller's x; 0/1: cur lives in #bufs[which]
    for (let i = 0; i < this.#layers.length; i++) {
      const l = this.#layers[i];
      if (l.op === "flatten") continue; // same data, new shape
      if (i > 0 && this.#fuseRelu[i - 1]) continue; // applied by the previous layer's store
      const outLen = batch * prod(l.outShape);
      // activations run in place once the data is in our own buffers
      const dst = l.op === "act" && which >= 0 ? which : which === 0 ? 1 : 0;
      const y = this.#bufs[dst].subarray(0, outLen);
      cur = runLayer(l, this.#params[i], cur, batch, y, this.#prep[i], this.#fuseRelu[i]);
      which = dst;
    }
    return cur.slice();
  }
}
