// The CDN bundle: examples/build_bundle.ts builds dist/tinycnn.min.js from
// mod.ts; its inputs must be runtime files only (no train/, node_modules or
// npm: code); sizes are reported (goal ≤ 30 KiB minified, ≤ 10 KiB gzipped —
// reported, not asserted); the bundle imported in Deno predicts exactly what
// mod.ts predicts.

import { assert, assertEquals } from "@std/assert";
import * as tinycnn from "../mod.ts";
import { buildBundle } from "../examples/build_bundle.ts";
import { fixtureModelBytes } from "./helpers/fixture_model.ts";
import { fashionTestImages } from "./helpers/fashion.ts";

Deno.test("bundle: runtime-only inputs, size report, same predictions as mod.ts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-bundle-" });
  try {
    const b = await buildBundle(dir);
    console.log(
      `bundle: ${b.bytes} bytes minified (${(b.bytes / 1024).toFixed(1)} KiB, goal ≤ 30), ` +
        `${b.gzipBytes} bytes gzipped (${
          (b.gzipBytes / 1024).toFixed(1)
        } KiB, goal ≤ 10), ${b.inputs.length} inputs`,
    );
    const bad = b.inputs.filter((p) => !(p === "mod.ts" || p.startsWith("runtime/")));
    assertEquals(bad, [], `bundle inputs outside mod.ts/runtime/: ${bad.join(", ")}`);
    assert(b.inputs.includes("mod.ts"));
    const map = JSON.parse(await Deno.readTextFile(`${b.file}.map`));
    assertEquals(map.version, 3);
    assert((await Deno.readTextFile(b.file)).includes("//# sourceMappingURL=tinycnn.min.js.map"));

    const bundled: typeof tinycnn = await import(new URL(`file://${b.file}`).href);
    for (const name of Object.keys(tinycnn)) assert(name in bundled, `bundle lacks export ${name}`);
    const bytes = fixtureModelBytes();
    const ref = await tinycnn.loadModel(bytes, { backend: "cpu" });
    const got = await bundled.loadModel(bytes, { backend: "cpu" });
    try {
      const images = await fashionTestImages(4);
      const x = new Float32Array(4 * 784);
      images.forEach((im, i) => im.pixels.forEach((v, j) => x[i * 784 + j] = v / 255));
      assertEquals(await got.predict(x, { batch: 4 }), await ref.predict(x, { batch: 4 }));
      for (const im of images) {
        assertEquals(await got.classify(im.png, { topK: 3 }), await ref.classify(im.png, { topK: 3 }));
      }
      // typed errors survive bundling
      let err: unknown;
      try {
        bundled.decodeModel(new Uint8Array(8));
      } catch (e) {
        err = e;
      }
      assert(err instanceof bundled.ModelFormatError, `got ${err}`);
    } finally {
      ref.dispose();
      got.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
