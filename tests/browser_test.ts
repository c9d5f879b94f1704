// The browser demo (examples/browser/) in real headless Chromium
// (/usr/bin/chromium, driven by npm playwright-core), served from a local
// static server on 127.0.0.1 with the freshly built bundle and the shipped
// model: once with WebGPU enabled and once without. Uploaded Fashion-MNIST
// PNGs and a mouse drawing must give the same top-3 as in-process mod.ts;
// the page must say which backend ran. Screenshots go to
// .tmp/test-output/browser-*.png. Browser and server are always closed.

import { assert, assertEquals } from "@std/assert";
import { Buffer } from "node:buffer";
import { loadModel, type Prediction } from "../mod.ts";
import { buildBundle } from "../examples/build_bundle.ts";
import { fashionTestImages } from "./helpers/fashion.ts";

import { chromiumOrIgnore, required } from "./helpers/system.ts";
import { launchChromium } from "./helpers/chromium.ts";

const HAS_CHROMIUM = chromiumOrIgnore("browser demo");
const ROOT = new URL("../", import.meta.url);
const OUT = new URL("../.tmp/test-output/", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json",
};

/** Same classes in the same order; probabilities within `tol`. */
function assertClose(got: Prediction[], want: Prediction[], tol: number, what: string): void {
  assertEquals(got.map((p) => p.index), want.map((p) => p.index), what);
  assertEquals(got.map((p) => p.label), want.map((p) => p.label), what);
  for (let i = 0; i < want.length; i++) {
    assert(
      Math.abs(got[i].probability - want[i].probability) <= tol,
      `${what}: probability ${got[i].probability} vs ${want[i].probability}`,
    );
  }
}

Deno.test({
  name: "browser demo in headless Chromium: WebGPU and CPU give mod.ts predictions",
  ignore: !HAS_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-browser-" });
  const bundle = await buildBundle(dir);
  // the shipped edge model, so the screenshot shows real predictions
  const modelBytes = await Deno.readFile(new URL("../weights/fashion-mnist.tcnn", import.meta.url));
  const ref = await loadModel(modelBytes, { backend: "cpu" });
  const images = await fashionTestImages(3);
  await Deno.mkdir(OUT, { recursive: true });

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    try {
      if (path === "/model.tcnn") {
        return new Response(modelBytes as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      let file: string | null = null;
      if (path.startsWith("/dist/")) file = `${dir}/${path.slice(6)}`;
      else if (/^\/examples\/browser\/[\w.-]+$/.test(path)) file = new URL(path.slice(1), ROOT).pathname;
      if (file && !file.includes("..")) {
        const ext = file.split(".").pop()!;
        return new Response(await Deno.readFile(file), {
          headers: { "content-type": TYPES[ext] ?? "application/octet-stream" },
        });
      }
    } catch { /* fall through to 404 */ }
    return new Response("not found", { status: 404 });
  });
  const page0 =
    `http://127.0.0.1:${server.addr.port}/examples/browser/index.html?model=/model.tcnn&lib=/dist/tinycnn.min.js`;
  const requireGpu = required("WEBGPU");

  try {
    for (const mode of ["webgpu", "cpu"] as const) {
      await t.step(`${mode === "webgpu" ? "WebGPU enabled" : "WebGPU disabled"}`, async () => {
        const browser = await launchChromium({
          webgpu: mode === "webgpu",
          viewport: { width: 900, height: 560 },
        });
        const ctx = browser.ctx;
        try {
          const page = await ctx.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(String(e)));
          // WebGPU mode asks for "webgpu" explicitly: "auto" would run single images on the CPU where that is faster
          await page.goto(mode === "webgpu" ? `${page0}&backend=webgpu` : page0);
          await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', {
            timeout: 60_000,
          });
          assertEquals(
            await page.getAttribute("#status", "data-state"),
            "ready",
            await page.textContent("#status"),
          );
          const backend = await page.textContent("#backend");
          // without WebGPU, "auto" runs on the wasm kernels, fetched from beside the bundle (dist/tinycnn.wasm)
          if (mode === "cpu") assertEquals(backend, "wasm");
          else if (backend !== "webgpu") {
            // say why: load again with backend "webgpu", which throws instead of falling back
            const why: string = await page.evaluate(`(async () => {
              const { loadModel } = await import("/dist/tinycnn.min.js");
              const b = new Uint8Array(await (await fetch("/model.tcnn")).arrayBuffer());
              try { (await loadModel(b, { backend: "webgpu" })).dispose(); return "no error"; }
              catch (e) { return e.name + ": " + e.message; } })()`);
            if (requireGpu) {
              assertEquals(backend, "webgpu", `REQUIRE_WEBGPU=1 but the page ran on the CPU: ${why}`);
            }
            console.warn(`Chromium page fell back to the CPU: ${why}`);
          }
          const tol = backend === "webgpu" ? 1e-4 : backend === "wasm" ? 1e-5 : 1e-6;

          let last = "";
          const waitResult = async () => {
            // page code as strings: this file is type-checked without the DOM lib
            await page.waitForFunction(
              `(() => { const r = document.getElementById("results").dataset.result;
                 return (r && r !== ${JSON.stringify(last)}) ||
                   document.getElementById("status").dataset.state === "error"; })()`,
              undefined,
              { timeout: 60_000 },
            );
            assertEquals(
              await page.getAttribute("#status", "data-state"),
              "ready",
              await page.textContent("#status"),
            );
            last = (await page.getAttribute("#results", "data-result"))!;
            return JSON.parse(last) as Prediction[];
          };

          for (const [i, im] of images.entries()) {
            await page.setInputFiles("#file", {
              name: `fashion-${i}.png`,
              mimeType: "image/png",
              buffer: Buffer.from(im.png),
            });
            const got = await waitResult();
            assertClose(got, await ref.classify(im.png, { topK: 3 }), tol, `${mode} image ${i}`);
            assertEquals(got[0].index, im.label, `${mode} image ${i}: the shipped model misclassifies it`);
            assertEquals(await page.textContent("#backend"), backend);
            assertEquals(await page.locator("#results li").count(), 3);
          }
          // the layer list shows the shipped model's layers, a join with the layers it reads
          const layers = ref.summary().layers;
          assertEquals(await page.locator("#layers li").count(), layers.length);
          const join = layers.find((l) => l.type === "add" || l.type === "concat");
          if (join) {
            const text = await page.locator("#layers li").nth(join.index).textContent();
            const from = join.inputs.map((j) => (j < 0 ? "input" : j)).join(", ");
            assert(text?.includes(`← ${from}`), `layer ${join.index}: ${text}`);
          }

          // draw with the mouse, classify, compare with the canvas pixels in-process
          await page.click("#clear");
          const box = (await page.locator("#pad").boundingBox())!;
          await page.mouse.move(box.x + 70, box.y + 60);
          await page.mouse.down();
          for (const [x, y] of [[210, 60], [210, 230], [70, 230], [70, 60]]) {
            await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
          }
          await page.mouse.up();
          await page.click("#classify");
          const got = await waitResult();
          const px: number[] = await page.evaluate(
            `(() => { const c = document.getElementById("pad");
               return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data); })()`,
          );
          assert(px.some((v, j) => j % 4 === 0 && v > 200), "the drawing left no stroke");
          const want = await ref.classify(
            { data: new Uint8Array(px), width: 280, height: 280, channels: 4 },
            {
              topK: 3,
            },
          );
          assertClose(got, want, tol, `${mode} drawing`);

          // leave an uploaded image on screen for the screenshot
          await page.setInputFiles("#file", {
            name: "f.png",
            mimeType: "image/png",
            buffer: Buffer.from(images[0].png),
          });
          await waitResult();
          await page.screenshot({ path: new URL(`browser-${mode}.png`, OUT).pathname });
          assertEquals(errors, []);
        } finally {
          await browser.close();
        }
      });
    }
    console.log(`bundle ${bundle.bytes} B; screenshots in .tmp/test-output/browser-{webgpu,cpu}.png`);
  } finally {
    await server.shutdown();
    ref.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
