// Scratch memory of the CPU kernels (im2col columns, Winograd transforms,
// float64 accumulator planes): named grow-only arrays owned by whoever runs
// the kernels — a model's CPU executor holds one and release() frees it on
// dispose(), so no buffer outlives its model. Invariants: a kernel asks by a
// name of its own (two kernels never share a name), gets at least n elements
// (contents unspecified) and keeps the array only for the call; one kernel
// runs at a time per Scratch.

/**
 * Grow-only scratch arrays by name.
 *
 * @example
 * ```ts
 * import { Scratch } from "./scratch.ts";
 * const s = new Scratch();
 * const a = s.f64("acc", 8);
 * if (a.length < 8 || s.f64("acc", 4) !== a) throw new Error();
 * const held = s.bytes;
 * s.release();
 * if (held !== 64 || s.bytes !== 0) throw new Error();
 * ```
 */
export class Scratch {
  readonly #f32 = new Map<string, Float32Array>();
  readonly #f64 = new Map<string, Float64Array>();

  /** A float32 array of at least `n` elements under `name`. */
  f32(name: string, n: number): Float32Array {
    let a = this.#f32.get(name);
    if (!a || a.length < n) this.#f32.set(name, a = new Float32Array(n));
    return a;
  }

  /** A float64 array of at least `n` elements under `name`. */
  f64(name: string, n: number): Float64Array {
    let a = this.#f64.get(name);
    if (!a || a.length < n) this.#f64.set(name, a = new Float64Array(n));
    return a;
  }

  /** Bytes held now. */
  get bytes(): number {
    let b = 0;
    for (const a of this.#f32.values()) b += a.byteLength;
    for (const a of this.#f64.values()) b += a.byteLength;
    return b;
  }

  /** Drop every array (the next request allocates again). */
  release(): void {
    this.#f32.clear();
    this.#f64.clear();
  }
}
