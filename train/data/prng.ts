// Seeded, counter-derivable PRNG for data order and augmentation.
// Invariants: the whole state is one uint32 (`state`), so it serialises into a
// checkpoint exactly; `derive(seed, ...keys)` gives an independent stream per
// (seed, epoch, step) so a resumed run draws the same numbers as an
// uninterrupted one without replaying earlier draws.

/** mulberry32-style generator; state is a uint32. */
export class DataRng {
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
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

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Stream for (seed, ...keys), independent of any draws made elsewhere. */
  static derive(seed: number, ...keys: number[]): DataRng {
    let h = (seed >>> 0) ^ 0x9e3779b9;
    for (const k of keys) {
      h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) >>> 0;
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      h ^= h >>> 16;
    }
    return new DataRng(h);
  }
}

/** Fisher-Yates permutation of 0..n-1 drawn from rng. */
export function permutation(n: number, rng: DataRng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
