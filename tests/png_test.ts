// PNG decoder: every colour type and row filter round-trips through the test
// encoder; every PNG kind of the spec (bit depths 1–16, tRNS, palette,
// Adam7; ImageMagick fixtures) decodes as npm pngjs decodes it; each defect
// class (incl. CRC, chunk order, limits on IHDR) is rejected with a
// TypeError/RangeError; a decompression bomb stops early in bounded memory.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { PNG } from "../train/data/decode_image.ts";
import { Buffer } from "node:buffer";
import { decodePng, decodePngRows } from "../runtime/input/png.ts";
import { crc32 } from "../runtime/format/crc32.ts";
import { encodePng, rgbaAt } from "./helpers/png_encode.ts";
import { pngChunk as chunk, zeroPng } from "./helpers/attack_payloads.ts";

function pattern(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 37 + seed * 11 + ((i * i) >> 3)) & 255;
  return a;
}

for (const channels of [1, 2, 3, 4]) {
  for (const filter of [0, 1, 2, 3, 4, "cycle"] as const) {
    Deno.test(`png: ${channels}-channel image, filter ${filter} round-trips`, async () => {
      const w = 13, h = 7;
      const px = pattern(w * h * channels, channels);
      const img = await decodePng(await encodePng(px, w, h, channels, { filter }));
      assertEquals([img.width, img.height, img.channels], [w, h, channels]);
      assertEquals(img.data, px);
    });
  }
}

Deno.test("png: Adam7 images of odd sizes decode row by row, in order, as their pixels", async () => {
  for (const [w, h] of [[1, 1], [1, 9], [9, 1], [13, 7], [8, 8], [17, 10], [3, 2]]) {
    for (const channels of [1, 3, 4]) {
      const px = pattern(w * h * channels, w + h + channels);
      const png = await encodePng(px, w, h, channels, { filter: "cycle", interlace: true });
      const ys: number[] = [];
      const got = new Uint8Array(px.length);
      const info = await decodePngRows(png, (y, row) => (ys.push(y), got.set(row, y * w * channels)));
      assert(info.interlaced, `${w}×${h}`);
      assertEquals(ys, [...Array(h).keys()], `${w}×${h}×${channels} row order`);
      assertEquals(got, px, `${w}×${h}×${channels}`);
    }
  }
});

Deno.test("png: palette image expands to RGB", async () => {
  const palette = new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0]);
  const idx = new Uint8Array([0, 1, 2, 1, 0, 2]);
  const img = await decodePng(await encodePng(idx, 3, 2, 1, { colorType: 3, palette }));
  assertEquals(img.channels, 3);
  assertEquals([...img.data.subarray(0, 9)], [0, 0, 0, 255, 0, 0, 0, 255, 0]);
});

async function valid(): Promise<Uint8Array> {
  return await encodePng(pattern(64, 1), 8, 8, 1);
}

/** Change IHDR bytes (offsets inside the file) and fix its CRC, so the semantic check is what fails. */
function withIhdr(b: Uint8Array, edit: (dv: DataView) => void): Uint8Array {
  const c = b.slice();
  const dv = new DataView(c.buffer);
  edit(dv);
  dv.setUint32(29, crc32(c, 12, 29));
  return c;
}

/** Insert `extra` right before the chunk that starts at byte `at` (33 = after IHDR). */
function insertAt(b: Uint8Array, at: number, extra: Uint8Array): Uint8Array {
  const c = new Uint8Array(b.length + extra.length);
  c.set(b.subarray(0, at));
  c.set(extra, at);
  c.set(b.subarray(at), at + extra.length);
  return c;
}

/** Byte offset of the first chunk of `type`. */
function chunkAt(b: Uint8Array, type: string): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  for (let p = 8; p < b.length; p += 12 + dv.getUint32(p)) {
    if (String.fromCharCode(...b.subarray(p + 4, p + 8)) === type) return p;
  }
  throw new Error(`no ${type}`);
}

Deno.test("png: defects are rejected with typed errors", async (t) => {
  const good = await valid();
  const idatAt = chunkAt(good, "IDAT"), iendAt = chunkAt(good, "IEND");
  const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ["empty", () => new Uint8Array(0), /signature/],
    ["wrong signature", (b) => b.map((v, i) => (i === 1 ? 0 : v)), /signature/],
    ["truncated", (b) => b.slice(0, b.length - 20), /truncated|ends first|IEND/],
    [
      "bit depth 3",
      (b) => withIhdr(b, (dv) => dv.setUint8(24, 3)),
      /bit depth 3 is invalid for colour type 0/,
    ],
    [
      "16-bit palette",
      (b) => withIhdr(b, (dv) => (dv.setUint8(24, 16), dv.setUint8(25, 3))),
      /bit depth 16 is invalid/,
    ],
    ["interlace method 2", (b) => withIhdr(b, (dv) => dv.setUint8(28, 2)), /interlace method 2 is invalid/],
    ["bad colour type", (b) => withIhdr(b, (dv) => dv.setUint8(25, 5)), /colour type 5 is invalid/],
    ["zero width", (b) => withIhdr(b, (dv) => dv.setUint32(16, 0)), /positive/],
    [
      "IHDR CRC mismatch",
      (b) => b.map((v, i) => (i === 24 ? 16 : v)),
      /"IHDR" at byte 8 fails its CRC check/,
    ],
    [
      "IDAT CRC mismatch",
      (b) => b.map((v, i) => (i === iendAt - 1 ? v ^ 1 : v)),
      /"IDAT" .* fails its CRC check/,
    ],
    ["second IHDR", (b) => insertAt(b, 33, b.slice(8, 33)), /second IHDR chunk at byte 33/],
    [
      "PLTE in a gray PNG",
      (b) => insertAt(b, 33, chunk("PLTE", new Uint8Array(6))),
      /colour type 0 must not have a PLTE/,
    ],
    [
      "PLTE after IDAT",
      (b) => insertAt(b, iendAt, chunk("PLTE", new Uint8Array(6))),
      /PLTE must come before the image data|must not have/,
    ],
    ["IDATs not consecutive", (b) => {
      const idat = b.slice(idatAt, iendAt);
      return insertAt(insertAt(b, iendAt, idat), iendAt, chunk("tEXt", new Uint8Array([65, 0, 66])));
    }, /IDAT chunks must be consecutive/],
    [
      "unknown critical chunk",
      (b) => insertAt(b, 33, chunk("ABCD", new Uint8Array(1))),
      /unknown critical chunk "ABCD"/,
    ],
    [
      "corrupt image data",
      (b) => b.map((v, i) => (i > 45 && i < 60 ? v ^ 0x5a : v)),
      /CRC|zlib|inflate|filter/,
    ],
  ];
  for (const [name, mutate, re] of cases) {
    await t.step(name, async () => {
      const e = await assertRejects(() => decodePng(mutate(good)), TypeError);
      if (!re.test(e.message)) throw new Error(`${name}: message "${e.message}" does not match ${re}`);
    });
  }
  await t.step("an ancillary chunk with a bad CRC is ignored", async () => {
    const c = chunk("tEXt", new Uint8Array([65, 0, 66]));
    c[c.length - 1] ^= 1;
    assertEquals((await decodePng(insertAt(good, 33, c))).data, (await decodePng(good)).data);
  });
  await t.step("over the limits on IHDR → RangeError, before inflating", async () => {
    for (const [w, h] of [[100000, 100000], [8192, 2048], [1, 16777216], [4097, 1]]) {
      const e = await assertRejects(
        () => decodePng(withIhdr(good, (dv) => (dv.setUint32(16, w), dv.setUint32(20, h)))),
        RangeError,
      );
      assert(new RegExp(`PNG is ${w}x${h}, over the limit of 4096 pixels a side`).test(e.message), e.message);
    }
    await assertRejects(
      () => decodePng(good, { maxSide: 4 }),
      RangeError,
      "over the limit of 4 pixels a side",
    );
  });
  await t.step("inflate bomb is capped", async () => {
    // a 2x2 header over the data of a 8x8 image: inflates past what the header allows
    const b = withIhdr(good, (dv) => (dv.setUint32(16, 2), dv.setUint32(20, 2)));
    await assertRejects(() => decodePng(b), TypeError, "inflates past the 6 bytes its header allows");
  });
  await t.step("a palette index equal to the palette size is rejected", async () => {
    const palette = new Uint8Array([0, 0, 0, 255, 0, 0]); // 2 entries
    const ok = await decodePng(
      await encodePng(new Uint8Array([0, 1, 1, 0]), 2, 2, 1, { colorType: 3, palette }),
    );
    assertEquals(ok.channels, 3);
    const bad = await encodePng(new Uint8Array([0, 1, 2, 0]), 2, 2, 1, { colorType: 3, palette });
    await assertRejects(
      () => decodePng(bad),
      TypeError,
      "PNG palette index 2 out of range (palette has 2 entries)",
    );
  });
});

Deno.test("png: every PNG kind decodes as npm pngjs decodes it (ImageMagick fixtures; 16-bit: high byte)", async () => {
  const dir = new URL("./data/images/", import.meta.url);
  let files = 0;
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.endsWith(".png")) continue;
    files++;
    const bytes = await Deno.readFile(new URL(e.name, dir));
    // 16-bit files: pngjs's own 16→8 rounding differs from browsers'; read the samples and keep the high byte
    const wide = bytes[24] === 16;
    const read = PNG.sync.read(Buffer.from(bytes), wide ? { skipRescale: true } : undefined);
    const ref = { ...read, data: wide ? Uint8Array.from(read.data, (v) => v >> 8) : read.data as Uint8Array };
    const img = await decodePng(bytes);
    assertEquals([img.width, img.height], [ref.width, ref.height], e.name);
    for (let i = 0; i < img.width * img.height; i++) {
      const rgba = rgbaAt(img.data, img.channels, i);
      const want = Array.from(ref.data.subarray(4 * i, 4 * i + 4));
      // a fully transparent pixel's colour is not defined (pngjs zeroes it)
      if (want[3] === 0) assertEquals(rgba[3], 0, `${e.name} pixel ${i} alpha`);
      else assertEquals(rgba, want, `${e.name} pixel ${i}`);
    }
  }
  assert(files >= 16, `${files} fixtures`);
});

Deno.test("png: a decompression bomb stops as soon as it passes what IHDR allows, in bounded memory", async () => {
  // 4096×4096 gray allows 16.8 MB of filtered rows; the stream holds 256 MiB of zeros
  const png = await zeroPng(4096, 4096, 256);
  const rss0 = Deno.memoryUsage().rss;
  let peak = rss0;
  const probe = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 1);
  let rows = 0;
  try {
    await assertRejects(
      () => decodePngRows(png, () => rows++),
      TypeError,
      "inflates past the 16781312 bytes",
    );
  } finally {
    clearInterval(probe);
  }
  peak = Math.max(peak, Deno.memoryUsage().rss);
  console.log(
    `bomb: ${png.length} B (256 MiB inflated), ${rows} rows decoded, RSS +${
      ((peak - rss0) / 2 ** 20).toFixed(1)
    } MiB`,
  );
  assert(rows <= 4096, `${rows} rows: never more than the header allows`);
  assert(peak - rss0 < 64 * 2 ** 20, `RSS grew by ${peak - rss0} bytes`);
});
