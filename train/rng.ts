// Seeded pseudo-random numbers for training (weight init, dropout masks).
// Invariants: the whole state is one uint32 (`state`), so a stream can be
// saved and restored exactly; the same seed always yields the same sequence
// on every JavaScript engine (only integer ops, Math.log/cos/sqrt for normals).
// `Rng.derive(seed, ...keys)` gives an independent stream per key tuple.

import { quote } from "../runtime/quote.ts";

/** mulberry32 generator with uniform, normal, integer and shuffle helpers. */
export class Rng {
  state: number;

  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isFinite(seed)) {
      throw new TypeError(`seed must be a finite number, got ${quote(seed)}`);
    }
    this.state = seed >>> 0;
  }

  /** Independent stream for (seed, ...keys) (e.g. seed, step, layer). */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = (seed >>> 0) ^ 0x9e3779b9;
    for (const k of keys) {
      h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) >>> 0;
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      h ^= h >>> 16;
    }
    return new Rng(h >>> 0);
  }

  /** Uniform uint32. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal (Box–Muller, one draw pair per call; no cached spare, so state stays one uint32). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`int(n) needs an integer n ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** In-place Fisher–Yates shuffle; returns `a`. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** A bare uniform [0,1) function over the Rng(seed) stream, for tests and benchmarks. */
export function uniformFn(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
