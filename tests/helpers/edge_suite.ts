// Test helper: the black-box checks every edge deployment of
// examples/edge/handler.ts must pass (real HTTP against a running server):
// answers equal the in-process mod.ts classify for Fashion-MNIST test images
// sent as PNG, raw pixels and JSON; every bad input is a 4xx JSON
// {error, expected}; the server keeps serving afterwards.

import { assert, assertEquals } from "@std/assert";
import type { Model, Prediction } from "../../mod.ts";
import type { FashionImage } from "./fashion.ts";
import { encodePng } from "./png_encode.ts";
import type { WarmStatus } from "../../examples/edge/warm.ts";

export const LIMIT = 1 << 20;

interface Answer {
  top: Prediction[];
  backend: string;
  ms: number;
}

/** Probability tolerance vs the in-process CPU reference: exact-ish on CPU, f32 reordering on WebGPU. */
let tol = 1e-6;

/** Predictions equal: same classes in the same order, probabilities within `tol`. */
export function assertSameTop(got: Prediction[], want: Prediction[], what: string): void {
  assertEquals(got.map((p) => [p.index, p.label]), want.map((p) => [p.index, p.label]), what);
  for (let i = 0; i < want.length; i++) {
    assert(
      Math.abs(got[i].probability - want[i].probability) <= tol,
      `${what}: probability ${got[i].probability} vs ${want[i].probability}`,
    );
  }
}

async function post(
  base: string,
  body: BodyInit | null,
  headers: Record<string, string>,
  path = "/v1/classify",
) {
  const r = await fetch(base + path, { method: "POST", body, headers });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON answer ${r.status}: ${text.slice(0, 200)}`);
  }
  return { status: r.status, json, headers: r.headers };
}

async function expect4xx(
  base: string,
  status: number,
  body: BodyInit | null,
  headers: Record<string, string>,
  path?: string,
): Promise<Record<string, unknown>> {
  const r = await post(base, body, headers, path);
  assertEquals(r.status, status, JSON.stringify(r.json));
  assertEquals(typeof r.json.error, "string");
  assertEquals(typeof r.json.expected, "string");
  return r.json;
}

const PNG = { "content-type": "image/png" };
const JSONCT = { "content-type": "application/json" };
const raw = (w: number, h: number, c: number) => ({
  "content-type": "application/octet-stream",
  "x-width": String(w),
  "x-height": String(h),
  "x-channels": String(c),
});

/** Run every edge check against `base` as test steps. */
export async function edgeSuite(
  t: Deno.TestContext,
  base: string,
  model: Model,
  images: FashionImage[],
  expectBackend?: "cpu" | "wasm" | "webgpu",
  /** what /healthz must say the start-up warm-up did (examples/edge/warm.ts) */
  expectWarm?: WarmStatus,
): Promise<void> {
  let backend = "";
  await t.step("GET /healthz and /v1/model", async () => {
    const h = await fetch(base + "/healthz");
    assertEquals(h.status, 200);
    const health = await h.json();
    assertEquals(health.ok, true);
    if (expectWarm) assertEquals(health.warm, expectWarm);
    const m = await fetch(base + "/v1/model");
    assertEquals(m.status, 200);
    const s = await m.json();
    // health says where the last call ran (the start-up warm-up's batch 1 ran on the CPU under "auto");
    // a model holding a GPU shows its calibrated routing in the summary
    backend = s.routing !== undefined ? "webgpu" : health.backend;
    // WebGPU and the wasm kernels sum in f32, the TypeScript kernels in float64
    tol = backend === "cpu" ? 1e-6 : 1e-4;
    if (expectBackend) assertEquals(backend, expectBackend);
    assertEquals(s.inputShape, model.inputShape);
    assertEquals(s.totalParams, model.summary().totalParams);
    assertEquals(s.labels, model.labels);
  });

  await t.step(`PNG, raw and JSON answers equal in-process classify (${images.length} images)`, async () => {
    for (const [i, img] of images.entries()) {
      const want = await model.classify(img.png, { topK: 3 });
      const a = await post(base, img.png as Uint8Array<ArrayBuffer>, PNG);
      assertEquals(a.status, 200, JSON.stringify(a.json));
      const ans = a.json as unknown as Answer;
      assertSameTop(ans.top, want, `image ${i} (PNG)`);
      // a model holding a GPU ("auto") runs each call where it is faster: single images may run on the CPU
      assert(
        ans.backend === backend ||
          (backend === "webgpu" && (ans.backend === "cpu" || ans.backend === "wasm")),
        `answered on ${ans.backend}, health said ${backend}`,
      );
      assertEquals(typeof ans.ms, "number");
      const b = await post(base, img.pixels as Uint8Array<ArrayBuffer>, raw(28, 28, 1));
      assertEquals(b.status, 200, JSON.stringify(b.json));
      assertSameTop((b.json as unknown as Answer).top, want, `image ${i} (raw)`);
      const c = await post(
        base,
        JSON.stringify({ pixels: [...img.pixels], width: 28, height: 28, channels: 1 }),
        JSONCT,
      );
      assertEquals(c.status, 200, JSON.stringify(c.json));
      assertSameTop((c.json as unknown as Answer).top, want, `image ${i} (JSON)`);
    }
  });

  await t.step("RGBA 56×56 raw is resized like in-process classify; topK", async () => {
    const src = images[0].pixels;
    const rgba = new Uint8Array(56 * 56 * 4);
    for (let y = 0; y < 56; y++) {
      for (let x = 0; x < 56; x++) {
        const v = src[(y >> 1) * 28 + (x >> 1)];
        rgba.set([v, v, v, 255], (y * 56 + x) * 4);
      }
    }
    const want = await model.classify({ data: rgba, width: 56, height: 56, channels: 4 }, { topK: 5 });
    const a = await post(base + "", rgba, raw(56, 56, 4), "/v1/classify?topK=5");
    assertEquals(a.status, 200, JSON.stringify(a.json));
    assertEquals((a.json as unknown as Answer).top.length, 5);
    assertSameTop((a.json as unknown as Answer).top, want, "RGBA 56×56");
    await expect4xx(base, 400, images[0].png as Uint8Array<ArrayBuffer>, PNG, "/v1/classify?topK=11");
    await expect4xx(base, 400, images[0].png as Uint8Array<ArrayBuffer>, PNG, "/v1/classify?topK=0");
  });

  await t.step("415 wrong content type", async () => {
    await expect4xx(base, 415, "hello", { "content-type": "text/plain" });
    await expect4xx(base, 415, images[0].png as Uint8Array<ArrayBuffer>, {});
  });

  await t.step("400 empty body", async () => {
    await expect4xx(base, 400, new Uint8Array(0), PNG);
    await expect4xx(base, 400, "", JSONCT);
  });

  await t.step("413 oversized body (declared and streamed)", async () => {
    const j = await expect4xx(base, 413, new Uint8Array(LIMIT + 1), raw(1024, 1024, 1));
    assert(String(j.expected).includes(String(LIMIT)), String(j.expected));
    // no content-length: the cap must hold while streaming. The server answers 413 and closes while the
    // client may still be sending; on a loaded machine the client's write can then fail before it reads the
    // answer ("fetch failed"), so up to 3 tries must see the 413 itself
    const streamed = () => {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent > LIMIT + (256 << 10)) return c.close();
          sent += 64 << 10;
          c.enqueue(new Uint8Array(64 << 10));
        },
      });
      return fetch(base + "/v1/classify", {
        method: "POST",
        body: stream,
        headers: PNG,
        duplex: "half",
      } as RequestInit);
    };
    let r: Response | null = null;
    const resets: string[] = [];
    for (let i = 0; i < 3 && !r; i++) {
      r = await streamed().catch((e) => (resets.push(String(e)), null));
    }
    if (!r) throw new Error(`every streamed try was cut off before its answer: ${resets.join("; ")}`);
    assertEquals(r.status, 413);
    assertEquals(typeof (await r.json()).error, "string");
  });

  await t.step("422 corrupt PNG", async () => {
    const png = images[0].png;
    const truncated = png.slice(0, png.length - 20);
    await expect4xx(base, 422, truncated, PNG);
    const flipped = png.slice();
    flipped[40] ^= 0xff; // inside IDAT: CRC mismatch or bad deflate
    await expect4xx(base, 422, flipped, PNG);
    await expect4xx(base, 422, new TextEncoder().encode("not a png at all"), PNG);
    // a 16-bit PNG is valid but unsupported
    const sixteen = (await encodePng(new Uint8Array(8), 2, 2, 1)).slice();
    sixteen[24] = 16; // bit depth byte of IHDR (CRC now wrong too)
    await expect4xx(base, 422, sixteen, PNG);
  });

  await t.step("400 wrong raw dimensions / headers", async () => {
    await expect4xx(base, 400, new Uint8Array(700), raw(28, 28, 1));
    const j = await expect4xx(base, 400, new Uint8Array(784), raw(28, 28, 3));
    assert(String(j.expected).includes("2352"), String(j.expected));
    await expect4xx(base, 400, new Uint8Array(784), raw(28, 28, 5));
    await expect4xx(base, 400, new Uint8Array(784), raw(0, 28, 1));
    await expect4xx(base, 400, new Uint8Array(784), raw(28.5, 28, 1));
    await expect4xx(base, 400, new Uint8Array(784), { "content-type": "application/octet-stream" });
  });

  await t.step("400 bad JSON: NaN, null, wrong length, range, not JSON", async () => {
    const px = [...images[0].pixels];
    const body = (pixels: unknown, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ pixels, width: 28, height: 28, channels: 1, ...extra });
    await expect4xx(base, 400, body(px).replace(/"pixels":\[\d+/, '"pixels":[NaN'), JSONCT);
    await expect4xx(base, 400, body([NaN, ...px.slice(1)]), JSONCT); // stringifies to null
    await expect4xx(base, 400, body(px.slice(1)), JSONCT);
    await expect4xx(base, 400, body([300, ...px.slice(1)]), JSONCT);
    await expect4xx(base, 400, body([0.5, ...px.slice(1)]), JSONCT);
    await expect4xx(base, 400, body(px, { width: "28" }), JSONCT);
    await expect4xx(base, 400, body("abc"), JSONCT);
    await expect4xx(base, 400, "[1,2,3]", JSONCT);
    await expect4xx(base, 400, "{not json", JSONCT);
    await expect4xx(base, 400, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), JSONCT); // invalid UTF-8
  });

  await t.step("404 unknown route, 405 wrong method", async () => {
    const a = await fetch(base + "/nope");
    assertEquals(a.status, 404);
    assertEquals(typeof (await a.json()).error, "string");
    const b = await fetch(base + "/v1/classify");
    assertEquals(b.status, 405);
    assertEquals(b.headers.get("allow"), "POST");
    await b.body?.cancel();
    await expect4xx(base, 405, "x", {}, "/healthz");
    await expect4xx(base, 405, "x", {}, "/v1/model");
  });

  await t.step("still serving after every bad request", async () => {
    const want = await model.classify(images[1].png, { topK: 3 });
    const a = await post(base, images[1].png as Uint8Array<ArrayBuffer>, PNG);
    assertEquals(a.status, 200);
    assertSameTop((a.json as unknown as Answer).top, want, "after bad requests");
  });
}
