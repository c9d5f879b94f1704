// Training-time augmentation on u8 images: random shift (a crop of the image
// padded with background zeros) and optional horizontal flip. Invariants:
// in-place on one (H,W) image; flips are only for datasets where mirror images
// keep their class (clothes, not digits); draws come from the caller's rng so
// a (seed, epoch, step) stream reproduces them exactly.

import type { DataRng } from "./prng.ts";

export interface AugmentOptions {
  /** max shift in pixels along each axis (0 = none) */
  shift: number;
  /** mirror left-right with probability 1/2 */
  flip: boolean;
}

/**
 * Shift `img` (H,W) by (dy,dx) filling vacated pixels with 0, then flip if asked.
 * `tmp` is scratch of the same size.
 */
export function shiftFlip(
  img: Uint8Array,
  tmp: Uint8Array,
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

/** Apply a random augmentation to one image in place. */
export function augmentImage(
  img: Uint8Array,
  tmp: Uint8Array,
  h: number,
  w: number,
  o: AugmentOptions,
  rng: DataRng,
) {
  const s = o.shift;
  const dy = s > 0 ? rng.int(2 * s + 1) - s : 0;
  const dx = s > 0 ? rng.int(2 * s + 1) - s : 0;
  const flip = o.flip && rng.next() < 0.5;
  if (dy !== 0 || dx !== 0 || flip) shiftFlip(img, tmp, h, w, dy, dx, flip);
}
