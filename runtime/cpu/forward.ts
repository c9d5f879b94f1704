// Pure-TypeScript forward pass: one resolved layer (forwardLayer) or a whole
// network (a chain or a DAG) over preallocated buffers reused by the plan of
// runtime/graph.ts planSlots (CpuExecutor; a chain gets two ping-pong slots).
// Shapes: activations are (N, ...shape) flattened row-major (NCHW).
// Invariants: every length (input, parameters, output buffer) is checked
// before a kernel runs and a mismatch throws TypeError saying what was got
// and what was expected; kernels themselves do no checks. Activations may run
// in place; flatten is a copy (identity on the data).
// Each layer runs through its op's entry in runtime/ops/table.ts, whose family
// chooses its own kernel (conv's convVariant, pool's poolVariant, dense's one
// gemm); the executor prepares weights once where the entry says how (conv's
// Winograd transforms) and fuses a ReLU that follows a
// conv, dense or add layer (when it is the ReLU's only reader) into its store,
// so forwardLayer and CpuExecutor run the same kernels and agree bit for bit.

import type { ResolvedLayer } from "../format/spec.ts";
import { inputSizes, isJoin } from "../format/spec.ts";
import { planSlots, type SlotPlan } from "../graph.ts";
import { opEntry } from "../ops/table.ts";
import { Scratch } from "./scratch.ts";
import { checkBatch, checkNetwork, checkParams, checkRunInput, layerName } from "../network_check.ts";

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * Run one layer with no checks, through its op's entry (runtime/ops/table.ts).
 * `xs` are its inputs (one but for joins); `y` must not alias them unless the
 * layer is elementwise. `prepared` is what the entry's prepare made of the
 * weights (made here when absent); `relu` fuses a following ReLU (conv, dense, add).
 */
function runLayer(
  l: ResolvedLayer,
  params: Float32Array[],
  xs: readonly Float32Array[],
  batch: number,
  y: Float32Array,
  prepared: unknown = undefined,
  relu = false,
  scratch: Scratch = new Scratch(),
): Float32Array {
  return opEntry(l).cpu(l, { params, xs, batch, y, relu, prepared, scratch });
}

/**
 * Runs one resolved layer. x is (N, ...l.inShape) flattened (a join takes one
 * array per input); returns (N, ...l.outShape). `out` may be passed to avoid
 * allocation.
 *
 * @example
 * ```ts
 * import { forwardLayer } from "./forward.ts";
 * import { resolveLayers } from "../format/spec.ts";
 * const [, add] = resolveLayers([{ type: "relu" }, { type: "add", inputs: ["input", 0] }], [2]);
 * const y = forwardLayer(add, [], [new Float32Array([1, 2]), new Float32Array([3, 4])], 1);
 * if (y.join() !== "4,6") throw new Error(String(y));
 * ```
 */
export function forwardLayer(
  l: ResolvedLayer,
  params: Float32Array[],
  x: Float32Array | readonly Float32Array[],
  batch: number,
  out?: Float32Array,
): Float32Array {
  checkBatch(batch);
  checkParams(l, params);
  const join = isJoin(l);
  const xs = x instanceof Float32Array ? [x] : x;
  if (!Array.isArray(xs) || (!join && !(x instanceof Float32Array))) {
    throw new TypeError(`input must be a Float32Array${join ? " per input" : ""}, got ${typeof x}`);
  }
  const sizes = inputSizes(l);
  if (xs.length !== sizes.length) {
    throw new TypeError(`${layerName(l)}: expected ${sizes.length} input array(s), got ${xs.length}`);
  }
  xs.forEach((xk, k) => {
    if (!(xk instanceof Float32Array)) {
      throw new TypeError(`input ${k} must be a Float32Array, got ${typeof xk}`);
    }
    if (xk.length !== batch * sizes[k]) {
      throw new TypeError(
        `${layerName(l)}: input ${
          xs.length > 1 ? `${k} ` : ""
        }has ${xk.length} values, expected batch ${batch} × ${sizes[k]} = ${batch * sizes[k]}`,
      );
    }
  });
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
    for (const xk of xs) {
      const overlap = out.buffer === xk.buffer &&
        out.byteOffset < xk.byteOffset + xk.byteLength && xk.byteOffset < out.byteOffset + out.byteLength;
      if (overlap && !(elementwise && out.byteOffset === xk.byteOffset)) {
        throw new TypeError(
          `${layerName(l)}: out must not overlap the input (only activations run in place)`,
        );
      }
    }
  }
  return runLayer(l, params, xs, batch, out);
}

/**
 * The CPU executor's buffer plan: a ReLU right after a conv, dense or add
 * that only it reads runs in that layer's store; activations run in place.
 */
export function cpuPlan(layers: readonly ResolvedLayer[]): SlotPlan {
  return planSlots(layers, {
    fuse: (i, j) => {
      const l = layers[i], next = layers[j];
      return opEntry(l).fuses && next.op === "act" &&
        next.act === "relu" && next.inputs[0] === i;
    },
    inPlace: (i) => layers[i].op === "act",
  });
}

/**
 * Whole-network executor: buffers of the graph's slot plan, sized for the
 * largest batch seen so far, and the kernels' scratch; dispose() frees both.
 */
export class CpuExecutor {
  readonly #layers: ResolvedLayer[];
  readonly #params: Float32Array[][];
  readonly #inPer: number;
  readonly #plan: SlotPlan;
  /** per layer: what its op entry prepared of its weights (e.g. Winograd transforms), computed once here */
  readonly #prep: unknown[];
  #cap = 0; // batch capacity of the buffers
  #bufs: Float32Array[] = [];
  readonly #scratch = new Scratch();

  constructor(layers: ResolvedLayer[], params: Float32Array[][]) {
    checkNetwork(layers, params);
    this.#layers = layers;
    this.#params = params;
    this.#inPer = prod(layers[0].inShape);
    this.#prep = layers.map((l, i) => opEntry(l).prepare?.(l, params[i]));
    this.#plan = cpuPlan(layers);
  }

  /** x is (N, ...inShape) flattened; returns a fresh (N, ...outShape). x is never modified. */
  run(x: Float32Array, batch: number): Float32Array {
    checkRunInput(x, batch, this.#layers[0].inShape);
    const plan = this.#plan;
    if (batch > this.#cap) {
      this.#bufs = plan.slotPer.map((per) => new Float32Array(batch * per));
      this.#cap = batch;
    }
    const view = (slot: number, per: number) => (slot < 0 ? x : this.#bufs[slot].subarray(0, batch * per));
    for (const s of plan.steps) {
      const l = this.#layers[s.layer];
      const sizes = inputSizes(l);
      const xs = s.srcs.map((slot, k) => view(slot, sizes[k]));
      const y = this.#bufs[s.dst].subarray(0, batch * prod(l.outShape));
      runLayer(l, this.#params[s.layer], xs, batch, y, this.#prep[s.layer], s.fused !== null, this.#scratch);
    }
    const outPer = prod(this.#layers[this.#layers.length - 1].outShape);
    return view(plan.out, outPer).slice(0, batch * outPer);
  }

  /** Bytes held now by the slot buffers and the kernels' scratch. */
  get heldBytes(): number {
    return this.#bufs.reduce((a, b) => a + b.byteLength, 0) + this.#scratch.bytes;
  }

  /** Free the slot buffers and the scratch (a later run allocates them again). */
  dispose(): void {
    this.#bufs = [];
    this.#cap = 0;
    this.#scratch.release();
  }
}
