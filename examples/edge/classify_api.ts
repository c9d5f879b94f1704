// createHandler(): the HTTP API of the edge example, as one fetch(request)
// handler over a given model (examples/edge/handler.ts wires the default model).
// Routes: POST /v1/classify (image/png | application/octet-stream raw pixels
// with x-width/x-height/x-channels | application/json {pixels,width,height,
// channels}) → {top, backend, ms}; GET /v1/model → summary; GET /healthz.
// Invariants: the model loads once per isolate (one lazy promise, retried
// after a failure); request bodies are read through a streaming byte cap
// (never more than maxBodyBytes + one chunk is buffered); every bad request
// gets a 4xx JSON {error, expected}; no request can throw out of fetch().
// Web standards only.

import { type BackendChoice, decodePng, loadModel, type Model } from "../../mod.ts";

/** Where the model bytes come from: bytes, a URL, or a function giving either. */
export type ModelSource =
  | Uint8Array
  | ArrayBuffer
  | URL
  | string
  | (() => Promise<Uint8Array | ArrayBuffer | URL | string> | Uint8Array | ArrayBuffer | URL | string);

export interface HandlerOptions {
  /** the model; a function is called once, on the first request that needs it */
  model: ModelSource;
  /** largest accepted request body in bytes (default 1 MiB) */
  maxBodyBytes?: number;
  /** default "auto" (WebGPU when there is an adapter, else CPU) */
  backend?: BackendChoice;
}

/** The handler object: `export default` it for `deno serve` or a module worker. */
export interface EdgeHandler {
  fetch(request: Request, env?: unknown): Promise<Response>;
}

export const DEFAULT_MAX_BODY = 1 << 20;
/** Largest image side accepted for raw pixels and JSON. */
export const MAX_SIDE = 4096;

/** A client error: becomes a 4xx JSON answer. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly expected: string) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** Read the body, failing with 413 as soon as it exceeds `limit` bytes. */
async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new HttpError(413, `body of ${declared} bytes is too large`, `at most ${limit} bytes`);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > limit) {
        throw new HttpError(413, `body is larger than ${limit} bytes`, `at most ${limit} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) (out.set(c, o), o += c.length);
  return out;
}

/** An integer in lo..hi; strings (headers, query) are parsed only when `fromText`. */
function intField(v: unknown, name: string, lo: number, hi: number, fromText = false): number {
  const n = fromText && typeof v === "string" ? (v.trim() === "" ? NaN : Number(v)) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < lo || n > hi) {
    throw new HttpError(
      400,
      `${name} is ${JSON.stringify(v ?? null)}`,
      `${name}: an integer in ${lo}..${hi}`,
    );
  }
  return n;
}

const CHANNELS = "channels: 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)";

function channelsField(v: unknown, fromText = false): 1 | 2 | 3 | 4 {
  const c = fromText && typeof v === "string" ? Number(v) : v;
  if (c !== 1 && c !== 2 && c !== 3 && c !== 4) {
    throw new HttpError(400, `channels is ${JSON.stringify(v ?? null)}`, CHANNELS);
  }
  return c;
}

interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

function fromRaw(body: Uint8Array, h: Headers): Pixels {
  const width = intField(h.get("x-width"), "x-width header", 1, MAX_SIDE, true);
  const height = intField(h.get("x-height"), "x-height header", 1, MAX_SIDE, true);
  const channels = channelsField(h.get("x-channels"), true);
  const want = width * height * channels;
  if (body.length !== want) {
    throw new HttpError(
      400,
      `raw body has ${body.length} bytes`,
      `x-width × x-height × x-channels = ${width}×${height}×${channels} = ${want} bytes`,
    );
  }
  return { data: body, width, height, channels };
}

function fromJson(body: Uint8Array): Pixels {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (e) {
    throw new HttpError(
      400,
      `body is not valid JSON (${(e as Error).message})`,
      "JSON {pixels: number[], width, height, channels}",
    );
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new HttpError(
      400,
      "JSON body is not an object",
      "JSON {pixels: number[], width, height, channels}",
    );
  }
  const o = v as Record<string, unknown>;
  const width = intField(o.width, "width", 1, MAX_SIDE);
  const height = intField(o.height, "height", 1, MAX_SIDE);
  const channels = channelsField(o.channels);
  const want = width * height * channels;
  if (!Array.isArray(o.pixels) || o.pixels.length !== want) {
    const got = Array.isArray(o.pixels) ? `${o.pixels.length} values` : JSON.stringify(o.pixels ?? null);
    throw new HttpError(
      400,
      `pixels is ${got}`,
      `pixels: an array of width×height×channels = ${want} integers 0..255`,
    );
  }
  const data = new Uint8Array(want);
  for (let i = 0; i < want; i++) {
    const p = o.pixels[i];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 255) {
      throw new HttpError(400, `pixels[${i}] is ${JSON.stringify(p)}`, "every pixel an integer 0..255");
    }
    data[i] = p;
  }
  return { data, width, height, channels };
}

async function fromPng(body: Uint8Array): Promise<Pixels> {
  try {
    const img = await decodePng(body);
    return img;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new HttpError(413, `PNG is too large: ${e.message}`, "a PNG of at most 4096×4096 pixels");
    }
    throw new HttpError(
      422,
      `could not decode the PNG: ${(e as Error).message}`,
      "an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB, RGBA or palette)",
    );
  }
}

const CONTENT_TYPES =
  "image/png, application/octet-stream (with x-width, x-height, x-channels) or application/json";

/** Make the handler for one model. */
export function createHandler(opts: HandlerOptions): EdgeHandler {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let modelPromise: Promise<Model> | null = null;

  const getModel = (): Promise<Model> => {
    if (!modelPromise) {
      modelPromise = (async () => {
        const src = typeof opts.model === "function" ? await opts.model() : opts.model;
        return await loadModel(src, { backend: opts.backend ?? "auto" });
      })();
      // a failed load is retried by the next request instead of being cached
      modelPromise.catch(() => modelPromise = null);
    }
    return modelPromise;
  };

  const modelOr503 = async (): Promise<Model> => {
    try {
      return await getModel();
    } catch (e) {
      throw new HttpError(503, `model is not available: ${(e as Error).message}`, "a loadable .tcnn model");
    }
  };

  async function classify(request: Request): Promise<Response> {
    const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "image/png" && type !== "application/octet-stream" && type !== "application/json") {
      throw new HttpError(415, `content-type ${JSON.stringify(type)} is not supported`, CONTENT_TYPES);
    }
    const url = new URL(request.url);
    const topParam = url.searchParams.get("topK");
    const body = await readCapped(request, limit);
    if (body.length === 0) throw new HttpError(400, "request body is empty", CONTENT_TYPES);
    const px = type === "image/png"
      ? await fromPng(body)
      : type === "application/json"
      ? fromJson(body)
      : fromRaw(body, request.headers);
    const model = await modelOr503();
    const classes = model.outputShape.reduce((a, b) => a * b, 1);
    const topK = topParam === null ? Math.min(3, classes) : intField(topParam, "topK", 1, classes, true);
    const t0 = performance.now();
    let top;
    try {
      top = await model.classify(px, { topK });
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) {
        throw new HttpError(
          400,
          e.message,
          `an image the model can take (input ${model.inputShape.join("×")})`,
        );
      }
      throw e;
    }
    const ms = performance.now() - t0;
    return json(200, { top, backend: model.backend, ms: Math.round(ms * 1000) / 1000 });
  }

  async function route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const allow = (method: string) => {
      if (request.method !== method && !(method === "GET" && request.method === "HEAD")) {
        throw Object.assign(
          new HttpError(405, `${request.method} ${path} is not allowed`, `${method} ${path}`),
          {
            allow: method,
          },
        );
      }
    };
    if (path === "/v1/classify") {
      allow("POST");
      return await classify(request);
    }
    if (path === "/v1/model") {
      allow("GET");
      return json(200, (await modelOr503()).summary());
    }
    if (path === "/healthz") {
      allow("GET");
      const m = await modelOr503();
      return json(200, { ok: true, backend: m.backend });
    }
    throw new HttpError(404, `no route ${path}`, "POST /v1/classify, GET /v1/model or GET /healthz");
  }

  return {
    async fetch(request: Request): Promise<Response> {
      try {
        return await route(request);
      } catch (e) {
        if (e instanceof HttpError) {
          const extra: Record<string, string> = (e as HttpError & { allow?: string }).allow
            ? { allow: (e as HttpError & { allow: string }).allow }
            : {};
          return json(e.status, { error: e.message, expected: e.expected }, extra);
        }
        // an unexpected failure answers 500 and leaves the isolate serving
        return json(500, { error: `internal error: ${(e as Error)?.message ?? String(e)}`, expected: "" });
      }
    },
  };
}
