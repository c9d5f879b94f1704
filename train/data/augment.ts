// Training-time augmentation of one sample: random shift (the sample moved by
// up to `shift` cells along each spatial axis, vacated cells filled with the
// background 0), optional horizontal flip (images only), random erasing
// (images only, Zhong et al. 2017: with probability `erase` one rectangle of
// 2–40% of the area, aspect 0.3–3.3, is filled with uniform random bytes in
// every channel), and Gaussian noise (added after normalisation, by the batch
// builder). Invariants: in place on
// one sample (C,H,W) u8 or (C,L) f32, every channel moved alike; flips only
// where mirror images keep their class (clothes, not digits or series);
// draws come from the caller's rng, so a (seed, epoch, step) stream
// reproduces them exactly.

import type { DataRng } from "./prng.ts";

export interface AugmentOptions {
  /** max shift in cells along each spatial axis (0 = none) */
  shift: number;
  /** mirror left-right with probability 1/2 (images only) */
  flip: boolean;
  /** std of Gaussian noise added to the normalised input (0 = none) */
  noise?: number;
  /** probability of erasing one random rectangle (images only; 0 = none) */
  erase?: number;
}

type Plane = Uint8Array | Float32Array;

/**
 * Shift `img` (H,W) by (dy,dx) filling vacated pixels with 0, then flip if asked.
 * `tmp` is scratch of the same size.
 */
export function shiftFlip(
  img: Plane,
  tmp: Plane,
  h: number,
  w: number,
  dy: number,
  dx: number,
  flip: boolean,
) {
  tmp.fill(0);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const sx0 = x - dx;
      if (sx0 < 0 || sx0 >= w) continue;
      const tx = flip ? w - 1 - x : x;
      tmp[y * w + tx] = img[sy * w + sx0];
    }
  }
  img.set(tmp);
}

/** Erasing's area fraction and aspect-ratio ranges (the paper's defaults). */
export const ERASE_AREA = [0.02, 0.4] as const, ERASE_ASPECT = 0.3;

/**
 * With probability `p`, fill one random rectangle of `img` (C planes of H×W
 * bytes) with uniform random bytes. Up to 10 draws of (area, aspect) are tried
 * for a rectangle that fits; none fitting leaves the image as it was.
 * Returns the rectangle [y, x, h, w] or null.
 */
export function eraseRect(
  img: Uint8Array,
  c: number,
  h: number,
  w: number,
  p: number,
  rng: DataRng,
): [number, number, number, number] | null {
  if (p <= 0 || rng.next() >= p) return null;
  const [lo, hi] = ERASE_AREA, la = Math.log(ERASE_ASPECT);
  for (let t = 0; t < 10; t++) {
    const area = (lo + (hi - lo) * rng.next()) * h * w;
    const aspect = Math.exp(la + -2 * la * rng.next());
    const eh = Math.round(Math.sqrt(area * aspect)), ew = Math.round(Math.sqrt(area / aspect));
    if (eh < 1 || ew < 1 || eh > h || ew > w) continue;
    const y0 = rng.int(h - eh + 1), x0 = rng.int(w - ew + 1);
    for (let ch = 0; ch < c; ch++) {
      for (let y = y0; y < y0 + eh; y++) {
        const row = ch * h * w + y * w;
        for (let x = x0; x < x0 + ew; x++) img[row + x] = rng.int(256);
      }
    }
    return [y0, x0, eh, ew];
  }
  return null;
}

/**
 * Apply a random shift/flip to one sample in place. `shape` is (C,H,W) or
 * (C,L); `tmp` is scratch of one plane (H·W or L values).
 */
export function augmentSample(
  sample: Plane,
  tmp: Plane,
  shape: readonly number[],
  o: AugmentOptions,
  rng: DataRng,
) {
  const s = o.shift;
  const [c] = shape;
  if (shape.length === 3) {
    const [, h, w] = shape;
    const dy = s > 0 ? rng.int(2 * s + 1) - s : 0;
    const dx = s > 0 ? rng.int(2 * s + 1) - s : 0;
    const flip = o.flip && rng.next() < 0.5;
    if (dy !== 0 || dx !== 0 || flip) {
      for (let ch = 0; ch < c; ch++) {
        shiftFlip(sample.subarray(ch * h * w, (ch + 1) * h * w), tmp, h, w, dy, dx, flip);
      }
    }
    if (o.erase) {
      if (!(sample instanceof Uint8Array)) throw new TypeError("erasing applies to u8 images");
      eraseRect(sample, c, h, w, o.erase, rng);
    }
  } else {
    if (o.erase) throw new TypeError("erasing applies to images, not series");
    const l = shape[1];
    const dx = s > 0 ? rng.int(2 * s + 1) - s : 0;
    if (dx === 0) return;
    for (let ch = 0; ch < c; ch++) shiftFlip(sample.subarray(ch * l, (ch + 1) * l), tmp, 1, l, 0, dx, false);
  }
}
