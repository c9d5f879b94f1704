// createHandler() in-process: the model source is read and loaded once per
// isolate even under concurrent first requests; a failed load answers 503
// with the reason and is retried by the next request; maxBodyBytes is enforced.

import { assertEquals, assertStringIncludes } from "@std/assert";
import { createHandler } from "../examples/edge/classify_api.ts";
import { fixtureModelBytes } from "./helpers/fixture_model.ts";
import { fashionTestImages } from "./helpers/fashion.ts";

const classify = (png: Uint8Array) =>
  new Request("http://local/v1/classify", {
    method: "POST",
    body: png as Uint8Array<ArrayBuffer>,
    headers: { "content-type": "image/png" },
  });

Deno.test("edge handler: model loads once for concurrent first requests", async () => {
  let calls = 0;
  const bytes = fixtureModelBytes();
  const h = createHandler({ model: () => (calls++, bytes), backend: "cpu" });
  const [im] = await fashionTestImages(1);
  const rs = await Promise.all(Array.from({ length: 8 }, () => h.fetch(classify(im.png))));
  for (const r of rs) {
    assertEquals(r.status, 200);
    assertEquals((await r.json()).top.length, 3);
  }
  assertEquals(calls, 1);
});

Deno.test("edge handler: failed load answers 503 and is retried", async () => {
  let calls = 0;
  const bytes = fixtureModelBytes();
  const h = createHandler({
    model: () => {
      if (++calls === 1) throw new Error("weights not there yet");
      return bytes;
    },
    backend: "cpu",
  });
  const a = await h.fetch(new Request("http://local/healthz"));
  assertEquals(a.status, 503);
  assertStringIncludes((await a.json()).error, "weights not there yet");
  const b = await h.fetch(new Request("http://local/healthz"));
  assertEquals(b.status, 200);
  assertEquals(calls, 2);
  // a corrupt model file is a 503 naming the format error
  const c = createHandler({ model: new Uint8Array(64), backend: "cpu" });
  const r = await c.fetch(new Request("http://local/v1/model"));
  assertEquals(r.status, 503);
  assertStringIncludes((await r.json()).error, "model is not available");
});

Deno.test("edge handler: maxBodyBytes is enforced", async () => {
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu", maxBodyBytes: 100 });
  const [im] = await fashionTestImages(1);
  const r = await h.fetch(classify(im.png));
  assertEquals(r.status, 413, `a ${im.png.length}-byte PNG over a 100-byte cap`);
  assertStringIncludes((await r.json()).expected, "at most 100 bytes");
});
