// Test helper: the first N Fashion-MNIST test images as raw 28×28 u8 pixels
// and as gray PNG bytes, read from the test split committed in
// tests/data/fashion-mnist/ (so no Debian package is needed).

import { encodePng } from "./png_encode.ts";
import { readIdxPair } from "../../train/data/idx.ts";
import type { SampleSet } from "../../train/data/sets.ts";

/** The committed 10k Fashion-MNIST test split (IDX, gzip). */
export const FASHION_TEST_DIR = new URL("../data/fashion-mnist/", import.meta.url).pathname;

export interface FashionImage {
  /** 28×28 gray pixels, row-major */
  pixels: Uint8Array;
  label: number;
  png: Uint8Array;
}

/** The whole committed test split (10,000 images, u8 (N,1,28,28)), read and checked by train/data/idx.ts. */
export async function fashionTestSplit(): Promise<SampleSet> {
  const p = await readIdxPair(
    `${FASHION_TEST_DIR}t10k-images-idx3-ubyte.gz`,
    `${FASHION_TEST_DIR}t10k-labels-idx1-ubyte.gz`,
    10,
  );
  if (p.images.h !== 28 || p.images.w !== 28 || p.images.c !== 1) {
    throw new TypeError(`unexpected Fashion-MNIST images ${p.images.c}x${p.images.h}x${p.images.w}`);
  }
  return { x: p.images.pixels, labels: p.labels, n: p.images.n };
}

/** First `n` test images with labels and PNG encodings. */
export async function fashionTestImages(n: number): Promise<FashionImage[]> {
  const set = await fashionTestSplit();
  const out: FashionImage[] = [];
  for (let i = 0; i < Math.min(n, set.n); i++) {
    const pixels = set.x.slice(i * 784, (i + 1) * 784) as Uint8Array;
    out.push({ pixels, label: set.labels[i], png: await encodePng(pixels, 28, 28, 1) });
  }
  return out;
}
