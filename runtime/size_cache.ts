// The executors of a variable-size model's other input sizes (its file's
// inputRange): per size its resolved layers, cost and lazily made CPU / GPU
// executors, kept least recently used first out. Bounded twice: at most
// MAX_SIZES sizes, and at most `maxBytes` held by their CPU executors (slot
// buffers + scratch, measured after each run) — the entry just used keeps its
// layers but frees its buffers when it alone is over. clear() (the model's
// dispose) frees every one. Invariant: a size is resolved and budget-checked
// once, before any executor is made for it.

import { type Budget, checkModelCost, type ModelCost, modelCost } from "./format/budget.ts";
import { type LayerSpec, type ResolvedLayer, resolveLayers } from "./format/spec.ts";
import type { CpuRunner } from "./cpu_side.ts";
import type { GpuExecutor } from "./webgpu/executor.ts";

/** The executors and cost of one input size other than the reference one. */
export interface SizeState {
  layers: ResolvedLayer[];
  cost: ModelCost;
  cpu: CpuRunner | null;
  gpu: Promise<GpuExecutor> | null;
}

/** Input sizes kept at most (least recently used first out). */
export const MAX_SIZES = 8;

/** Default bound on the bytes the cached sizes' CPU executors hold (fits a 128 MB isolate beside a model). */
export const DEFAULT_SIZE_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The per-size executor cache of one model.
 *
 * @example
 * ```ts
 * import { SizeCache } from "./size_cache.ts";
 * const cache = new SizeCache([{ type: "globalavgpool" }], {}, 1 << 20, () => {});
 * const st = cache.get([1, 4, 4]);
 * if (cache.get([1, 4, 4]) !== st || st.layers[0].outShape[0] !== 1) throw new Error();
 * cache.clear();
 * ```
 */
export class SizeCache {
  /** by key "C,H,W", least recently used first */
  readonly #sizes = new Map<string, SizeState>();
  readonly #specs: LayerSpec[];
  readonly #budget: Budget;
  readonly #maxBytes: number;
  readonly #evict: (st: SizeState) => void;

  /** `evict` frees an entry's executors (the GPU one after any run that uses it: the model's queue). */
  constructor(specs: LayerSpec[], budget: Budget, maxBytes: number, evict: (st: SizeState) => void) {
    this.#specs = specs;
    this.#budget = budget;
    this.#maxBytes = maxBytes;
    this.#evict = evict;
  }

  /** The state of input size `shape`, resolved and budget-checked on first use (TypeError/RangeError). */
  get(shape: number[]): SizeState {
    const key = shape.join(",");
    let st = this.#sizes.get(key);
    if (st) {
      this.#sizes.delete(key); // most recently used last
    } else {
      let layers: ResolvedLayer[];
      try {
        layers = resolveLayers(this.#specs, shape);
      } catch (e) {
        if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
        // inside inputRange but not a size every layer takes (an odd size into an add after a
        // downsample and an upsample, a pooling that leaves 0): the caller's size, refused
        throw new RangeError(
          `input size (${
            shape.join(",")
          }) is inside the model's inputRange, but its layers cannot take it: ${e.message}`,
        );
      }
      const cost = modelCost(layers);
      checkModelCost(cost, layers, this.#budget);
      st = { layers, cost, cpu: null, gpu: null };
      if (this.#sizes.size >= MAX_SIZES) this.#drop(this.#sizes.keys().next().value!);
    }
    this.#sizes.set(key, st);
    return st;
  }

  /** Bytes held by the cached CPU executors now. */
  get heldBytes(): number {
    let b = 0;
    for (const st of this.#sizes.values()) b += st.cpu?.heldBytes ?? 0;
    return b;
  }

  /** After a run of `current`: drop least recently used sizes while over maxBytes; free current's buffers if it alone is. */
  trim(current: SizeState): void {
    for (const [key, st] of this.#sizes) {
      if (this.heldBytes <= this.#maxBytes) return;
      if (st !== current) this.#drop(key);
    }
    if (this.heldBytes > this.#maxBytes) current.cpu?.dispose();
  }

  /** Every cached state (the model's switch to the CPU drops their GPU executors). */
  values(): IterableIterator<SizeState> {
    return this.#sizes.values();
  }

  /** Free every size's executors. */
  clear(): void {
    for (const key of [...this.#sizes.keys()]) this.#drop(key);
  }

  #drop(key: string): void {
    const st = this.#sizes.get(key)!;
    this.#sizes.delete(key);
    this.#evict(st);
  }
}
