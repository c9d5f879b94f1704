// PNG decoder: every colour type and row filter round-trips through the test
// encoder; each defect class is rejected with a TypeError/RangeError.
import { assertEquals, assertRejects } from "@std/assert";
import { decodePng } from "../runtime/png.ts";
import { encodePng } from "./helpers/png_encode.ts";

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

Deno.test("png: defects are rejected with typed errors", async (t) => {
  const good = await valid();
  const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ["empty", () => new Uint8Array(0), /signature/],
    ["wrong signature", (b) => b.map((v, i) => (i === 1 ? 0 : v)), /signature/],
    ["truncated", (b) => b.slice(0, b.length - 20), /truncated|ends first|IEND/],
    ["16-bit depth", (b) => b.map((v, i) => (i === 24 ? 16 : v)), /8-bit/],
    ["interlaced", (b) => b.map((v, i) => (i === 28 ? 1 : v)), /interlaced/],
    ["bad colour type", (b) => b.map((v, i) => (i === 25 ? 5 : v)), /colour type/],
    ["zero width", (b) => b.map((v, i) => (i >= 16 && i < 20 ? 0 : v)), /positive/],
    ["corrupt image data", (b) => b.map((v, i) => (i > 45 && i < 60 ? v ^ 0x5a : v)), /zlib|inflate|filter/],
  ];
  for (const [name, mutate, re] of cases) {
    await t.step(name, async () => {
      await assertRejects(() => decodePng(mutate(good)), TypeError, undefined);
      await decodePng(mutate(good)).catch((e) => {
        if (!re.test(e.message)) throw new Error(`${name}: message "${e.message}" does not match ${re}`);
      });
    });
  }
  await t.step("huge dimensions → RangeError", async () => {
    const b = good.slice();
    new DataView(b.buffer).setUint32(16, 100000);
    new DataView(b.buffer).setUint32(20, 100000);
    await assertRejects(() => decodePng(b), RangeError);
  });
  await t.step("inflate bomb is capped", async () => {
    // a 2x2 header over the data of a 8x8 image: inflates past what the header allows
    const b = good.slice();
    new DataView(b.buffer).setUint32(16, 2);
    new DataView(b.buffer).setUint32(20, 2);
    await assertRejects(() => decodePng(b), TypeError, "inflates");
  });
});
