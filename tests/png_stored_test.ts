// The PNG decoder's stored-block path: a zlib stream made only of stored
// (uncompressed) deflate blocks is read in place, without DecompressionStream
// (which Workers refuse at global scope, where the edge warm-up runs), and
// decodes exactly as the same rows deflated; anything irregular — a bad
// Adler-32, a compressed block after stored ones, trailing bytes — goes
// through DecompressionStream as before and fails or decodes as it did; the
// IHDR bounds hold on both paths.

import { assertEquals, assertRejects } from "@std/assert";
import { decodePng } from "../runtime/input/png.ts";
import { encodePng, zlibStored } from "./helpers/png_encode.ts";

/** Random pixels from a fixed LCG: w×h×c bytes. */
function pixels(w: number, h: number, c: number, seed = 7): Uint8Array {
  const d = new Uint8Array(w * h * c);
  let s = seed;
  for (let i = 0; i < d.length; i++) d[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return d;
}

/** Run `f` with DecompressionStream replaced by one that throws, as at workerd's global scope. */
async function withoutStreams<T>(f: () => Promise<T>): Promise<T> {
  const real = globalThis.DecompressionStream;
  globalThis.DecompressionStream = class {
    constructor() {
      throw new Error("Disallowed operation called within global scope");
    }
  } as unknown as typeof DecompressionStream;
  try {
    return await f();
  } finally {
    globalThis.DecompressionStream = real;
  }
}

Deno.test("png stored: stored blocks over several IDATs decode as deflate does, without DecompressionStream", async () => {
  for (
    const [w, h, c, block, idat] of [[37, 23, 3, 100, 77], [5, 3, 1, 65535, 1000], [64, 64, 4, 4099, 50000]]
  ) {
    const px = pixels(w, h, c);
    const want = await decodePng(await encodePng(px, w, h, c, { filter: "cycle" }));
    const stored = await encodePng(px, w, h, c, {
      filter: "cycle",
      zlib: (r) => zlibStored(r, block),
      idatBytes: idat,
    });
    const got = await withoutStreams(() => decodePng(stored));
    assertEquals(got, want, `${w}×${h}×${c}, blocks of ${block}`);
    assertEquals(got.data, px);
  }
});

Deno.test("png stored: irregular streams go through DecompressionStream and keep its answers", async () => {
  const px = pixels(9, 4, 1), rows = 4 * 10;
  const withZlib = (zlib: (r: Uint8Array) => Uint8Array) => encodePng(px, 9, 4, 1, { zlib });
  // bad Adler-32: DecompressionStream's error
  const badAdler = await withZlib((r) => {
    const z = zlibStored(r);
    z[z.length - 1] ^= 1;
    return z;
  });
  await assertRejects(() => decodePng(badAdler), TypeError, "not a valid zlib stream");
  // a stored block, then an empty final fixed-Huffman block (bits 1,01 then end-of-block 0000000): valid
  const mixed = await withZlib((r) => {
    const s = zlibStored(r);
    s[2] = 0; // the stored block is not the last one
    const z = new Uint8Array(s.length + 2);
    z.set(s.subarray(0, s.length - 4));
    z.set([0x03, 0x00], s.length - 4);
    z.set(s.subarray(s.length - 4), s.length - 2);
    return z;
  });
  assertEquals((await decodePng(mixed)).data, px);
  await assertRejects(() => withoutStreams(() => decodePng(mixed)), Error, "global scope");
  // IHDR bounds on the stored path: more rows than IHDR allows, or fewer
  const long = await withZlib((r) => zlibStored(Uint8Array.from([...r, ...new Uint8Array(10)])));
  await assertRejects(() => withoutStreams(() => decodePng(long)), TypeError, `past the ${rows} bytes`);
  const short = await withZlib((r) => zlibStored(r.subarray(0, rows - 10)));
  await assertRejects(
    () => withoutStreams(() => decodePng(short)),
    TypeError,
    `inflates to 30 bytes, expected ${rows}`,
  );
  // a bad filter byte in a stored row: the same error as deflated
  const badFilter = await withZlib((r) => zlibStored(Uint8Array.from(r, (v, i) => (i === 10 ? 9 : v))));
  await assertRejects(
    () => withoutStreams(() => decodePng(badFilter)),
    TypeError,
    "row 1 has invalid filter type 9",
  );
});

Deno.test("png stored: a stored stream far past what IHDR allows is refused in memory bounded by its own size", async () => {
  // 9×4 gray allows 40 bytes of rows; the stream carries 8 MiB over 64 KiB IDAT chunks
  const big = new Uint8Array(8 << 20);
  const png = await encodePng(pixels(9, 4, 1), 9, 4, 1, { zlib: () => zlibStored(big), idatBytes: 64 << 10 });
  const rss0 = Deno.memoryUsage().rss;
  await assertRejects(() => withoutStreams(() => decodePng(png)), TypeError, "past the 40 bytes");
  const grew = Deno.memoryUsage().rss - rss0;
  console.log(`stored stream of ${png.length} B: refused, RSS +${(grew / 2 ** 20).toFixed(1)} MiB`);
  // the stored path copies the IDAT chunks once (8 MiB) and never makes more than IHDR's rows
  assertEquals(grew < 3 * big.length, true, `RSS grew ${grew} B`);
});
