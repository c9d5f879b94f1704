// Data-order and augmentation randomness on the trainer's seeded Rng
// (train/rng.ts). Invariants: `DataRng.derive(seed, ...keys)` gives an
// independent stream per (seed, epoch, step), so a resumed run draws the same
// numbers as an uninterrupted one without replaying earlier draws.

import { Rng } from "../rng.ts";

export { Rng as DataRng };

/** Fisher-Yates permutation of 0..n-1 drawn from rng. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}
