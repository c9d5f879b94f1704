// Named-dataset downloads against a local 127.0.0.1 server (never the
// internet): files land in the cache only after their checksum matched, a
// dropped connection is resumed with a Range request, progress is reported,
// a verified cache is not fetched again, and a wrong checksum leaves nothing.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { createHash } from "node:crypto";
import { idx } from "./helpers/idx_fixture.ts";
import { ensureDownloaded, REMOTE, type RemoteDataset } from "../train/data/download.ts";
import { loadDataset } from "../train/data/datasets.ts";

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** A small IDX dataset (random-ish pixels, so the gz stays large enough to cut) as served files. */
async function files(): Promise<Map<string, { raw: Uint8Array; gz: Uint8Array }>> {
  const m = new Map<string, { raw: Uint8Array; gz: Uint8Array }>();
  let s = 7;
  const px = (n: number) =>
    Uint8Array.from({ length: n * 784 }, () => (s = (s * 1103515245 + 12345) & 0x7fffffff) & 255);
  const add = async (name: string, raw: Uint8Array) => m.set(name, { raw, gz: await gzip(raw) });
  await add("train-images-idx3-ubyte.gz", idx(0x803, [200, 28, 28], px(200)));
  await add(
    "train-labels-idx1-ubyte.gz",
    idx(0x801, [200], Uint8Array.from({ length: 200 }, (_, i) => i % 2)),
  );
  await add("t10k-images-idx3-ubyte.gz", idx(0x803, [20, 28, 28], px(20)));
  await add("t10k-labels-idx1-ubyte.gz", idx(0x801, [20], Uint8Array.from({ length: 20 }, (_, i) => i % 2)));
  return m;
}

const hex = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest("hex");

Deno.test("download: resumes a dropped transfer with Range, verifies, reports progress, then serves from the cache", async () => {
  const served = await files();
  const seen: { name: string; range: string | null }[] = [];
  let cutOnce = true;
  const ac = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} }, (req) => {
    const name = new URL(req.url).pathname.slice(1);
    const f = served.get(name);
    const range = req.headers.get("range");
    seen.push({ name, range });
    if (!f) return new Response("no", { status: 404 });
    const from = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const body = f.gz.subarray(from);
    const headers = { "content-length": String(body.length) };
    if (name.startsWith("train-images") && cutOnce) {
      cutOnce = false; // send 60% and then drop the connection
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(body.slice(0, Math.floor(body.length * 0.6)));
          setTimeout(() => c.error(new Error("dropped")), 20);
        },
      });
      return new Response(stream, { status: 200, headers });
    }
    return new Response(body.slice(), { status: range ? 206 : 200, headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-cache-" });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/`;
    const ds: RemoteDataset = {
      base: "http://example.invalid/",
      files: [...served].map(([name, f], i) => ({
        name,
        maxBytes: 1 << 20,
        ...(i % 2 ? { md5: hex("md5", f.gz) } : { sha256: hex("sha256", f.raw) }),
      })),
    };
    const lines: string[] = [];
    await assertRejects(() => ensureDownloaded(ds, dir, { base, progress: (l) => lines.push(l) }));
    const part = await Deno.stat(`${dir}/train-images-idx3-ubyte.gz.part`);
    assert(part.size > 0, "the partial download is kept");
    await ensureDownloaded(ds, dir, { base, progress: (l) => lines.push(l) });
    const resumed = seen.find((s) => s.range !== null);
    assertEquals(resumed?.name, "train-images-idx3-ubyte.gz");
    assertEquals(resumed?.range, `bytes=${part.size}-`);
    assert(lines.some((l) => /resuming at/.test(l)), lines.join("\n"));
    assert(lines.some((l) => /MiB downloaded/.test(l)), lines.join("\n"));
    for (const [name, f] of served) assertEquals(await Deno.readFile(`${dir}/${name}`), f.gz);
    const before = seen.length;
    await ensureDownloaded(ds, dir, { base });
    assertEquals(seen.length, before, "a verified cache makes no request");
    // the cached files load as an IDX dataset
    const d = await loadDataset("mnist", { dataDir: dir });
    assertEquals([d.train.n + d.val.n, d.test.n], [200, 20]);
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a file that does not match the published checksum is deleted and named in the error", async () => {
  const served = await files();
  const ac = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} }, (req) => {
    const f = served.get(new URL(req.url).pathname.slice(1));
    return f ? new Response(f.gz.slice()) : new Response("no", { status: 404 });
  });
  const cache = await Deno.makeTempDir({ prefix: "tinycnn-cache-" });
  const old = Deno.env.get("XDG_CACHE_HOME");
  Deno.env.set("XDG_CACHE_HOME", cache);
  try {
    // mnist-full expects the real MNIST files' md5s; these are not them
    const e = await assertRejects(
      () => loadDataset("mnist-full", { download: { base: `http://127.0.0.1:${server.addr.port}/` } }),
      TypeError,
    );
    assert(
      /train-images-idx3-ubyte\.gz\.part: md5 [0-9a-f]{32} does not match the published f68b3c2d/.test(
        e.message,
      ),
      e.message,
    );
    const left = [...Deno.readDirSync(`${cache}/tinycnn/mnist-full`)].map((f) => f.name);
    assertEquals(left, [], "nothing half-written stays in the cache");
  } finally {
    if (old === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", old);
    ac.abort();
    await server.finished;
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("download: every named dataset's default base URL is https (a mirror given by the user may be anything)", () => {
  for (const [name, d] of Object.entries(REMOTE)) assert(d.base.startsWith("https://"), `${name}: ${d.base}`);
});
