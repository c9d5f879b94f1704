// createHandler() in-process: the model source is read and loaded once per
// isolate even under concurrent first requests; a failed load answers 503
// with the reason and is retried by the next request; maxBodyBytes is enforced
// to the byte; tiny chunks, a bad topK, OPTIONS and overload get their 4xx/503.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { createHandler, PUBLIC_META } from "../examples/edge/classify_api.ts";
import { decodeModel, encodeModel } from "../mod.ts";
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

Deno.test("edge handler: a body of exactly maxBodyBytes is read, one byte more is 413", async () => {
  const limit = 1000;
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu", maxBodyBytes: limit });
  const send = (n: number) =>
    h.fetch(
      new Request("http://local/v1/classify", {
        method: "POST",
        // streamed (no content-length), so the cap in the reader decides
        body: new Blob([new Uint8Array(n)]).stream(),
        headers: { "content-type": "image/png" },
      }),
    );
  const at = await send(limit);
  assertEquals(at.status, 422, "exactly the limit is read and decoded (zeros are not a PNG)");
  const over = await send(limit + 1);
  assertEquals(over.status, 413);
  assertStringIncludes((await over.json()).expected, `at most ${limit} bytes`);
});

Deno.test("edge handler: tiny body chunks are refused early and never retained", async () => {
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu" });
  let pulled = 0;
  // each chunk a 1-byte view into its own 64 KiB buffer, as Deno serve hands them out
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (++pulled > 20_000) return c.close();
      c.enqueue(new Uint8Array(new ArrayBuffer(65536), 0, 1));
    },
  });
  const r = await h.fetch(
    new Request("http://local/v1/classify", {
      method: "POST",
      body,
      headers: { "content-type": "image/png" },
    }),
  );
  assertEquals(r.status, 413);
  assertStringIncludes((await r.json()).error, "chunks of 1 bytes on average");
  assert(pulled < 300, `read ${pulled} chunks before refusing`);
});

Deno.test("edge handler: a bad topK is refused before the body is decoded; OPTIONS without CORS is 405", async () => {
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu" });
  const [im] = await fashionTestImages(1);
  const corrupt = im.png.slice(0, im.png.length - 30);
  const r = await h.fetch(
    new Request("http://local/v1/classify?topK=abc", {
      method: "POST",
      body: corrupt as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "image/png" },
    }),
  );
  assertEquals(r.status, 400, "the query error wins over the (corrupt) PNG");
  assertStringIncludes((await r.json()).error, "topK");
  const o = await h.fetch(new Request("http://local/v1/classify", { method: "OPTIONS" }));
  assertEquals(o.status, 405);
  assertEquals(o.headers.get("allow"), "GET, HEAD, POST");
});

Deno.test("edge handler: past maxInFlight + maxQueued a request gets 503 with Retry-After; /healthz answers meanwhile", async () => {
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu", maxInFlight: 1, maxQueued: 0 });
  const [im] = await fashionTestImages(1);
  await (await h.fetch(new Request("http://local/healthz"))).body?.cancel(); // model loaded
  const [a, b] = await Promise.all([h.fetch(classify(im.png)), h.fetch(classify(im.png))]);
  const statuses = [a.status, b.status].sort();
  assertEquals(statuses, [200, 503]);
  const busy = a.status === 503 ? a : b;
  assertEquals(busy.headers.get("retry-after"), "1");
  await a.body?.cancel();
  await b.body?.cancel();
  assertEquals((await h.fetch(new Request("http://local/healthz"))).status, 200);
});

Deno.test("edge handler: integers in the query, headers and JSON are decimal digits only (0x2, 1e0, 0b10, +2 are 400)", async () => {
  const h = createHandler({ model: fixtureModelBytes(), backend: "cpu" });
  const [im] = await fashionTestImages(1);
  for (const bad of ["0x2", "1e0", "0b10", "+2", " 2", "2.0", "0o2"]) {
    const r = await h.fetch(
      new Request(`http://local/v1/classify?topK=${encodeURIComponent(bad)}`, {
        method: "POST",
        body: im.png as Uint8Array<ArrayBuffer>,
        headers: { "content-type": "image/png" },
      }),
    );
    assertEquals(r.status, 400, `topK=${bad}`);
    assertStringIncludes((await r.json()).expected, "integer");
    const raw = await h.fetch(
      new Request("http://local/v1/classify", {
        method: "POST",
        body: new Uint8Array(4),
        headers: {
          "content-type": "application/octet-stream",
          "x-width": bad,
          "x-height": "2",
          "x-channels": "1",
        },
      }),
    );
    // (a header value's surrounding spaces are removed by HTTP itself, so " 2" arrives as "2" there)
    if (bad !== " 2") assertEquals(raw.status, 400, `x-width: ${bad}`);
    else await raw.body?.cancel();
  }
  for (const bad of ["1e0", "2.0", "-2", "0.2e1"]) {
    const body = `{"pixels": [0, 0, 0, 0], "width": ${bad}, "height": 2, "channels": 1}`;
    const r = await h.fetch(
      new Request("http://local/v1/classify", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      }),
    );
    assertEquals(r.status, 400, `JSON width ${bad}`);
    assertStringIncludes((await r.json()).error, "width");
  }
  // decimal digits still work
  const ok = await h.fetch(
    new Request("http://local/v1/classify?topK=2", {
      method: "POST",
      body: im.png as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "image/png" },
    }),
  );
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).top.length, 2);
});

Deno.test("edge handler: with a CORS allow-list every response says Vary: Origin, allowed origin or not", async () => {
  const h = createHandler({
    model: fixtureModelBytes(),
    backend: "cpu",
    corsOrigins: ["https://good.example"],
  });
  for (const origin of ["https://good.example", "https://evil.example", null]) {
    const headers: Record<string, string> = origin ? { origin } : {};
    for (
      const req of [
        new Request("http://local/healthz", { headers }),
        new Request("http://local/nope", { headers }),
        new Request("http://local/v1/classify", {
          method: "OPTIONS",
          headers: { ...headers, "access-control-request-method": "POST" },
        }),
      ]
    ) {
      const r = await h.fetch(req);
      await r.body?.cancel();
      assertEquals(r.headers.get("vary"), "origin", `${req.method} ${req.url} from ${origin}`);
      assertEquals(r.headers.has("access-control-allow-origin"), origin === "https://good.example");
    }
  }
  const none = await createHandler({ model: fixtureModelBytes(), backend: "cpu" }).fetch(
    new Request("http://local/healthz", { headers: { origin: "https://x.example" } }),
  );
  await none.body?.cancel();
  assertEquals(none.headers.get("vary"), null, "no allow-list: nothing varies by origin");
});

Deno.test("edge handler: GET /v1/model shows only the allow-listed meta fields, never a path of the training machine", async () => {
  const bytes = await Deno.readFile(new URL("../weights/fashion-mnist.tcnn", import.meta.url));
  const desc = decodeModel(bytes).desc;
  const leaky = encodeModel({
    ...desc,
    meta: {
      ...desc.meta,
      command: "deno task train --out /root/secret/run/m.tcnn",
      host: "build-7",
      dataset: "d",
    },
  });
  const r = await createHandler({ model: leaky, backend: "cpu" }).fetch(new Request("http://local/v1/model"));
  assertEquals(r.status, 200);
  const body = await r.text();
  assert(!body.includes("/root/secret"), "no machine path");
  const meta = JSON.parse(body).meta;
  assertEquals(Object.keys(meta).filter((k) => !PUBLIC_META.includes(k)), []);
  assertEquals(meta.dataset, "d");
});
