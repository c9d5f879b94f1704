// loadModel reads from anywhere — bytes, Blob, Response, ReadableStream,
// http(s) URL (a 127.0.0.1 server), file: URL, plain path — with the same
// result, and caps every source at maxBytes (declared sizes first, then while
// streaming: an endless stream is cut off). In Node (the CDN bundle run by
// `node`), plain paths and file: URLs load too, where Node's fetch cannot.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { loadModel } from "../mod.ts";
import { buildBundle } from "../examples/build_bundle.ts";

const MODEL = new URL("../weights/mnist.tcnn", import.meta.url);

async function out(src: Parameters<typeof loadModel>[0]): Promise<number[]> {
  const m = await loadModel(src, { backend: "cpu" });
  try {
    const x = new Float32Array(784).map((_, i) => (i % 29) / 29);
    return Array.from(await m.predict(x));
  } finally {
    m.dispose();
  }
}

Deno.test("loadModel: bytes, Blob, Response, ReadableStream, http URL, file: URL and path give the same model", async () => {
  const bytes = await Deno.readFile(MODEL);
  const want = await out(bytes);
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    () => new Response(bytes.slice()),
  );
  try {
    const sources: [string, () => Parameters<typeof loadModel>[0]][] = [
      ["ArrayBuffer", () => bytes.slice().buffer],
      ["Blob", () => new Blob([bytes.slice()])],
      ["Response", () => new Response(bytes.slice())],
      ["ReadableStream", () => new Blob([bytes.slice()]).stream()],
      ["http URL string", () => `http://127.0.0.1:${server.addr.port}/m.tcnn`],
      ["file: URL", () => MODEL],
      ["file: URL string", () => MODEL.href],
      ["plain path", () => MODEL.pathname],
    ];
    for (const [what, src] of sources) assertEquals(await out(src()), want, what);
  } finally {
    ac.abort();
    await server.finished;
  }
});

Deno.test("loadModel: every source is capped at maxBytes, an endless stream included", async () => {
  const max = 1000;
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled += 4096;
      c.enqueue(new Uint8Array(4096));
    },
  });
  await assertRejects(
    () => loadModel(endless, { maxBytes: max }),
    RangeError,
    "over the maxBytes limit of 1000",
  );
  assert(pulled <= 8192, `read ${pulled} bytes of an endless stream`);
  await assertRejects(
    () => loadModel(new Blob([new Uint8Array(2000)]), { maxBytes: max }),
    RangeError,
    "Blob is 2000",
  );
  const declared = new Response(new Uint8Array(2000), { headers: { "content-length": "2000" } });
  await assertRejects(() => loadModel(declared, { maxBytes: max }), RangeError, "response is 2000");
  await assertRejects(
    () => loadModel(MODEL.pathname, { maxBytes: max }),
    RangeError,
    "over the maxBytes limit",
  );
  await assertRejects(
    () => loadModel("/no/such/model.tcnn"),
    TypeError,
    "cannot read model file /no/such/model.tcnn",
  );
  await assertRejects(() => loadModel(new Response("x", { status: 404 })), TypeError, "HTTP 404");
  await assertRejects(() => loadModel(42 as unknown as string), TypeError, "model source must be");
});

/** `node --version`, or "" (the Node test is then ignored, saying so). */
const NODE = await new Deno.Command("node", { args: ["--version"], stdout: "piped", stderr: "null" }).output()
  .then(
    (o) => new TextDecoder().decode(o.stdout).trim(),
    () => (console.log("loadModel in Node: ignored — no `node` on PATH"), ""),
  );

Deno.test(
  "loadModel in Node: a plain path and a file: URL load through the CDN bundle",
  { ignore: !NODE },
  async () => {
    const version = NODE;
    const dir = await Deno.makeTempDir({ prefix: "tinycnn-node-" });
    try {
      const b = await buildBundle(dir);
      const script = `${dir}/run.mjs`;
      await Deno.writeTextFile(
        script,
        `import { loadModel } from ${JSON.stringify(new URL(`file://${b.file}`).href)};
const x = new Float32Array(784).map((_, i) => (i % 29) / 29);
for (const src of [process.argv[2], new URL("file://" + process.argv[2])]) {
  const m = await loadModel(src, { backend: "cpu" });
  console.log(JSON.stringify(Array.from(await m.predict(x))));
  m.dispose();
}`,
      );
      const r = await new Deno.Command("node", {
        args: [script, MODEL.pathname],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      const lines = new TextDecoder().decode(r.stdout).trim().split("\n").map((l) => JSON.parse(l));
      const want = await out(MODEL);
      assertEquals(lines.length, 2);
      for (const got of lines) {
        for (let i = 0; i < want.length; i++) {
          assert(Math.abs(got[i] - want[i]) < 1e-6, `node ${version}: ${got} vs ${want}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
