// Test helper: the first N Fashion-MNIST test images as raw 28×28 u8 pixels
// and as gray PNG bytes, read from the test split committed in
// tests/data/fashion-mnist/ (so no Debian package is needed).

import { encodePng } from "./png_encode.ts";

/** The committed 10k Fashion-MNIST test split (IDX, gzip). */
export const FASHION_TEST_DIR = new URL("../data/fashion-mnist/", import.meta.url).pathname;

export interface FashionImage {
  /** 28×28 gray pixels, row-major */
  pixels: Uint8Array;
  label: number;
  png: Uint8Array;
}

async function gunzipFile(path: string): Promise<Uint8Array> {
  const f = await Deno.open(path);
  const s = f.readable.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

function findFile(stem: string): string {
  return `${FASHION_TEST_DIR}${stem}.gz`;
}

/** First `n` test images with labels and PNG encodings. */
export async function fashionTestImages(n: number): Promise<FashionImage[]> {
  const img = await gunzipFile(findFile("t10k-images-idx3-ubyte"));
  const lab = await gunzipFile(findFile("t10k-labels-idx1-ubyte"));
  const dv = new DataView(img.buffer);
  if (dv.getUint32(0) !== 2051 || dv.getUint32(8) !== 28 || dv.getUint32(12) !== 28) {
    throw new TypeError("unexpected Fashion-MNIST image header");
  }
  const count = Math.min(n, dv.getUint32(4));
  const out: FashionImage[] = [];
  for (let i = 0; i < count; i++) {
    const pixels = img.slice(16 + i * 784, 16 + (i + 1) * 784);
    out.push({ pixels, label: lab[8 + i], png: await encodePng(pixels, 28, 28, 1) });
  }
  return out;
}
