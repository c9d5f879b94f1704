// The wasm engine's whole-network executor: the CPU executor's slot plan
// (runtime/cpu/forward.ts cpuPlan: ReLU fused into conv/dense/add, activations
// in place) over one arena in the kernels' own memory. Layout from
// heapBase() up, 16-byte aligned: the wasm layers' parameters (as their
// entry's `params` made them, copied once at load), then for the batch
// capacity the input, each slot, and the largest scratch any wasm layer needs.
// A layer whose op has a wasm forward runs it on byte offsets; any other op
// runs its TypeScript kernel over Float32Array views of the same memory, so
// every op of the format runs and the plan is the one the CPU follows.
// Invariants: links and parameter lengths are checked (checkNetwork) before
// anything is copied; the arena is sized before a run and never grows during
// one (views stay valid); memory is at most 4 GiB (wasm32) and the model's
// activation budget was checked at load; dispose() drops the instance and its
// memory (a later run makes a fresh one).

import type { ResolvedLayer } from "../format/spec.ts";
import { inputSizes } from "../format/spec.ts";
import type { SlotPlan } from "../graph.ts";
import { opEntry } from "../ops/table.ts";
import { cpuPlan } from "../cpu/forward.ts";
import { Scratch } from "../cpu/scratch.ts";
import { checkNetwork, checkRunInput } from "../network_check.ts";
import { instantiateKernels, type WasmKernels } from "./engine.ts";

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);
const align = (n: number): number => (n + 15) & ~15;
const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE;

/**
 * Runs a resolved network on the wasm kernels.
 *
 * @example
 * ```ts
 * import { resolveLayers } from "../format/spec.ts";
 * import { compileKernels } from "./engine.ts";
 * import { WasmExecutor } from "./executor.ts";
 * const layers = resolveLayers([{ type: "dense", units: 1 }, { type: "relu" }], [2]);
 * const exec = new WasmExecutor(await compileKernels(), layers, [[Float32Array.of(1, -2), Float32Array.of(0.5)], []]);
 * const y = exec.run(Float32Array.of(3, 1), 1);
 * if (y[0] !== 1.5) throw new Error(String(y));
 * exec.dispose();
 * ```
 */
/** The wasm forward of `l`'s op when it takes `l` (else the op's TS kernel runs over views of the memory). */
const wasmOf = (l: ResolvedLayer) => {
  const w = opEntry(l).wasm;
  return w && (w.accepts?.(l) ?? true) ? w : undefined;
};

export class WasmExecutor {
  readonly #mod: WebAssembly.Module;
  readonly #layers: ResolvedLayer[];
  readonly #params: Float32Array[][];
  /** per layer: its wasm parameters (prepared), or null for a layer that runs its TS kernel */
  readonly #wasmParams: (Float32Array[] | null)[];
  readonly #prep: unknown[];
  readonly #plan: SlotPlan;
  readonly #inPer: number;
  readonly #scratchFloats: number;
  readonly #jsScratch = new Scratch();
  #k: WasmKernels | null = null;
  /** per layer: byte offsets of its wasm parameters */
  #paramOffs: number[][] = [];
  #paramsEnd = 0;
  #cap = 0;
  #inOff = 0;
  #slotOffs: number[] = [];
  #scratchOff = 0;

  constructor(mod: WebAssembly.Module, layers: ResolvedLayer[], params: Float32Array[][]) {
    checkNetwork(layers, params);
    this.#mod = mod;
    this.#layers = layers;
    this.#params = params;
    this.#plan = cpuPlan(layers);
    this.#inPer = prod(layers[0].inShape);
    this.#wasmParams = layers.map((l, i) => {
      const w = wasmOf(l);
      return w ? (w.params?.(l, params[i]) ?? params[i]) : null;
    });
    this.#prep = layers.map((l, i) => (wasmOf(l) ? undefined : opEntry(l).prepare?.(l, params[i])));
    this.#scratchFloats = Math.max(0, ...layers.map((l) => wasmOf(l)?.scratch?.(l) ?? 0));
    this.#instance();
  }

  /** Which layers run a wasm kernel (the others run their TypeScript kernel in the same memory). */
  get wasmLayers(): boolean[] {
    return this.#wasmParams.map((p) => p !== null);
  }

  #instance(): WasmKernels {
    if (this.#k) return this.#k;
    const k = instantiateKernels(this.#mod);
    let off = align(k.heapBase());
    const need = this.#wasmParams.reduce(
      (a, ps) => a + (ps ?? []).reduce((b, p) => b + align(p.byteLength), 0),
      0,
    );
    this.#grow(k, off + need);
    const mem = k.memory.buffer;
    this.#paramOffs = this.#wasmParams.map((ps) =>
      (ps ?? []).map((p) => {
        if (p.length === 0) return 0;
        new Float32Array(mem, off, p.length).set(p);
        const at = off;
        off += align(p.byteLength);
        return at;
      })
    );
    this.#paramsEnd = off;
    this.#cap = 0;
    return this.#k = k;
  }

  #grow(k: WasmKernels, bytes: number): void {
    if (bytes > MAX_BYTES) {
      throw new RangeError(`the wasm arena would need ${bytes} bytes, more than wasm32's 4 GiB`);
    }
    const have = k.memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      k.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (e) {
      throw new RangeError(`the wasm arena could not grow to ${bytes} bytes: ${e}`);
    }
  }

  /** Lay out input, slots and scratch for `batch` samples above the parameters. */
  #layout(k: WasmKernels, batch: number): void {
    let off = this.#paramsEnd;
    this.#inOff = off;
    off += align(batch * this.#inPer * 4);
    this.#slotOffs = this.#plan.slotPer.map((per) => {
      const at = off;
      off += align(batch * per * 4);
      return at;
    });
    this.#scratchOff = off;
    off += align(this.#scratchFloats * 4);
    this.#grow(k, off);
    this.#cap = batch;
  }

  /** x is (N, ...inShape) flattened; returns a fresh (N, ...outShape). x is never modified. */
  run(x: Float32Array, batch: number): Float32Array {
    checkRunInput(x, batch, this.#layers[0].inShape);
    const k = this.#instance();
    if (batch > this.#cap) this.#layout(k, batch);
    const mem = k.memory.buffer;
    new Float32Array(mem, this.#inOff, x.length).set(x);
    const off = (slot: number) => (slot < 0 ? this.#inOff : this.#slotOffs[slot]);
    const view = (at: number, n: number) => new Float32Array(mem, at, n);
    for (const s of this.#plan.steps) {
      const l = this.#layers[s.layer];
      const sizes = inputSizes(l);
      const outN = batch * prod(l.outShape);
      const e = opEntry(l), w = wasmOf(l);
      const relu = s.fused !== null;
      if (w) {
        w.run(l, {
          k,
          params: this.#paramOffs[s.layer],
          xs: s.srcs.map(off),
          y: off(s.dst),
          batch,
          relu,
          scratch: this.#scratchOff,
        });
      } else {
        e.cpu(l, {
          params: this.#params[s.layer],
          xs: s.srcs.map((slot, i) => view(off(slot), batch * sizes[i])),
          batch,
          y: view(off(s.dst), outN),
          relu,
          prepared: this.#prep[s.layer],
          scratch: this.#jsScratch,
        });
      }
    }
    const outPer = prod(this.#layers[this.#layers.length - 1].outShape);
    return view(off(this.#plan.out), batch * outPer).slice();
  }

  /** Bytes held now: the kernels' memory and the TypeScript kernels' scratch. */
  get heldBytes(): number {
    return (this.#k?.memory.buffer.byteLength ?? 0) + this.#jsScratch.bytes;
  }

  /** Drop the instance, its memory and the scratch (a later run instantiates again). */
  dispose(): void {
    this.#k = null;
    this.#cap = 0;
    this.#jsScratch.release();
  }
}
