// PNG conformance against a real browser: every fixture in tests/data/images
// (bit depths 1–16, gray/gray+alpha/RGB/RGBA/palette, tRNS, Adam7) decoded
// by headless Chromium (createImageBitmap without colour conversion or
// premultiplication, read back through a 2-D canvas) and by runtime/input/png.ts.
// Opaque pixels must match exactly; a translucent pixel's colour within the
// rounding of Chromium's premultiplied canvas (255/alpha); a fully
// transparent pixel only in its alpha.

import { assert, assertEquals } from "@std/assert";
import { decodePng } from "../runtime/input/png.ts";
import { chromiumOrIgnore } from "./helpers/system.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { rgbaAt } from "./helpers/png_encode.ts";
import { Buffer } from "node:buffer";

const HAS_CHROMIUM = chromiumOrIgnore("png conformance");

Deno.test({
  name: "png: every fixture decodes as Chromium decodes it",
  ignore: !HAS_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const dir = new URL("./data/images/", import.meta.url);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".png")).sort();
  const browser = await launchChromium();
  try {
    const page = await browser.ctx.newPage();
    let exact = 0, translucent = 0;
    for (const name of files) {
      const bytes = await Deno.readFile(new URL(name, dir));
      const ref: { w: number; h: number; data: number[] } = await page.evaluate(async (b64: string) => {
        const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const bmp = await createImageBitmap(new Blob([raw], { type: "image/png" }), {
          colorSpaceConversion: "none",
          premultiplyAlpha: "none",
        });
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        // the page's canvas API (Deno's type library has no 2-D canvas types)
        const ctx = c.getContext("2d", { willReadFrequently: true }) as unknown as {
          drawImage(b: unknown, x: number, y: number): void;
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
        ctx.drawImage(bmp, 0, 0);
        return {
          w: bmp.width,
          h: bmp.height,
          data: Array.from(ctx.getImageData(0, 0, bmp.width, bmp.height).data),
        };
      }, Buffer.from(bytes).toString("base64"));
      const img = await decodePng(bytes);
      assertEquals([img.width, img.height], [ref.w, ref.h], name);
      for (let i = 0; i < img.width * img.height; i++) {
        const ours = rgbaAt(img.data, img.channels, i);
        const want = ref.data.slice(4 * i, 4 * i + 4);
        assertEquals(ours[3], want[3], `${name} pixel ${i} alpha`);
        if (want[3] === 0) continue;
        const tol = want[3] === 255 ? 0 : Math.ceil(255 / want[3]);
        for (let k = 0; k < 3; k++) {
          assert(Math.abs(ours[k] - want[k]) <= tol, `${name} pixel ${i}: ours ${ours} vs Chromium ${want}`);
        }
        if (tol === 0) exact++;
        else translucent++;
      }
    }
    console.log(
      `${files.length} PNG kinds: ${exact} opaque pixels identical, ${translucent} translucent within rounding`,
    );
  } finally {
    await browser.close();
  }
});
