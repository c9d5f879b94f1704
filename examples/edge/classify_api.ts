// createHandler(): the HTTP API of the edge example, as one fetch(request)
// handler over a given model (examples/edge/handler.ts wires the default model).
// Routes: POST /v1/classify (image/png | application/octet-stream raw pixels
// with x-width/x-height/x-channels | application/json {pixels,width,height,
// channels}) → {top, backend, ms}; GET /v1/model → summary; GET /healthz.
// Invariants: the model loads once per isolate (one lazy promise, retried
// after a failure); request bodies are copied into one buffer that grows up to
// maxBodyBytes (chunk views are never kept: Deno hands each chunk in its own
// 64 KiB buffer); the query is checked before any decoding; PNGs are decoded
// row by row inside classify() (O(row + output) memory), in turns of the
// event loop; at most maxInFlight body reads+decodes+inferences run at once
// and maxQueued wait (their bodies unread), the rest get 503 with
// Retry-After, so /healthz stays fast; optional CORS (allowed origins,
// preflight) and bearer-token auth (constant-time comparison); every bad
// request gets a 4xx JSON {error, expected}; no request can throw out of
// fetch(). Web standards only.

import { type BackendChoice, loadModel, Model, type WasmSource } from "../../mod.ts";
import { readStreamCapped } from "../../runtime/input/source.ts";

/** Where the model bytes come from: bytes, a URL, or a function giving either or an already loaded Model. */
export type ModelSource =
  | Uint8Array
  | ArrayBuffer
  | URL
  | string
  | (() =>
    | Promise<Uint8Array | ArrayBuffer | URL | string | Model>
    | Uint8Array
    | ArrayBuffer
    | URL
    | string
    | Model);

export interface HandlerOptions {
  /** the model; a function is called once, on the first request that needs it */
  model: ModelSource;
  /** largest accepted request body in bytes (default 1 MiB) */
  maxBodyBytes?: number;
  /** default "auto" (WebGPU when there is an adapter, else the CPU: wasm kernels where they compile) */
  backend?: BackendChoice;
  /** the wasm kernels, where the host cannot read or compile them itself (Workers: the imported tinycnn.wasm) */
  wasm?: WasmSource;
  /**
   * decodes + inferences running at once (default 2: they share one thread, so more adds memory and
   * latency, not throughput); up to maxQueued more wait, the rest get 503 + Retry-After
   */
  maxInFlight?: number;
  /** requests waiting for a slot (default 16) */
  maxQueued?: number;
  /** origins allowed to call from a browser ("*" for any); default none (no CORS headers) */
  corsOrigins?: string[];
  /** when set, every route but /healthz needs `Authorization: Bearer <token>` */
  token?: string;
  /** more fields of the /healthz answer (e.g. what was warmed at start) */
  health?: () => Record<string, unknown>;
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

/**
 * Read the body into one buffer that grows (doubling) up to `limit` bytes,
 * failing with 413 as soon as it would exceed `limit`; chunks are copied, not kept.
 */
async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && !DECIMAL.test(declared)) {
    throw new HttpError(400, `content-length is ${JSON.stringify(declared.slice(0, 20))}`, "decimal digits");
  }
  if (declared !== null && Number(declared) > limit) {
    throw new HttpError(413, `body of ${declared} bytes is too large`, `at most ${limit} bytes`);
  }
  if (!request.body) return new Uint8Array(0);
  return await readStreamCapped(request.body, limit, {
    tooBig: () => new HttpError(413, `body is larger than ${limit} bytes`, `at most ${limit} bytes`),
    initial: declared !== null && Number(declared) >= 0 ? Number(declared) : undefined,
    // Deno hands each chunk in its own 64 KiB buffer: a body trickled in
    // tiny chunks costs 64 KiB per byte until GC, so refuse that early
    check: (bytes, chunks) => {
      if (chunks > TINY_CHUNKS && bytes / chunks < TINY_CHUNK_BYTES) {
        throw new HttpError(
          413,
          `body arrives in ${chunks} chunks of ${Math.round(bytes / chunks)} bytes on average`,
          `a body sent in chunks of at least ${TINY_CHUNK_BYTES} bytes on average (after the first ${TINY_CHUNKS})`,
        );
      }
    },
  });
}

/** Compare two strings in time that depends only on the expected one's length. */
function sameSecret(got: string, want: string): boolean {
  const a = new TextEncoder().encode(got), b = new TextEncoder().encode(want);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i];
  return diff === 0;
}

/** A decimal integer as text: digits only (no sign, hex, binary, exponent, fraction or spaces), at most 15 of them. */
export const DECIMAL = /^[0-9]{1,15}$/;

/** `v` as a number when it is decimal digits only, else NaN (so `0x2`, `1e0`, `0b10`, ` 2` are refused). */
const decimal = (v: string): number => DECIMAL.test(v) ? Number(v) : NaN;

/** An integer in lo..hi; strings (headers, query) are parsed, as decimal digits only, when `fromText`. */
function intField(v: unknown, name: string, lo: number, hi: number, fromText = false): number {
  const n = fromText && typeof v === "string" ? decimal(v) : v;
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
  const c = fromText && typeof v === "string" ? decimal(v) : v;
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

/** Raw-pixel dimensions from the headers (checked before the body is read). */
function rawDims(h: Headers): Omit<Pixels, "data"> {
  return {
    width: intField(h.get("x-width"), "x-width header", 1, MAX_SIDE, true),
    height: intField(h.get("x-height"), "x-height header", 1, MAX_SIDE, true),
    channels: channelsField(h.get("x-channels"), true),
  };
}

function fromRaw(body: Uint8Array, dims: Omit<Pixels, "data">): Pixels {
  const { width, height, channels } = dims;
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

/** The integer members of the JSON body, whose number tokens must be decimal digits only (JSON.parse reads 1e0 as 1). */
const JSON_INTS = /"(width|height|channels)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

function fromJson(body: Uint8Array): Pixels {
  let v: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    for (const m of text.matchAll(JSON_INTS)) {
      if (!DECIMAL.test(m[2])) {
        throw new HttpError(400, `${m[1]} is ${m[2].slice(0, 20)}`, `${m[1]}: an integer in decimal digits`);
      }
    }
    v = JSON.parse(text);
  } catch (e) {
    if (e instanceof HttpError) throw e;
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

/** Whether an error thrown by classify() on PNG bytes comes from the PNG itself. */
function pngError(e: unknown): HttpError | null {
  const m = (e as Error)?.message ?? "";
  if (!/PNG|palette/.test(m)) return null;
  if (e instanceof RangeError) {
    return new HttpError(413, `PNG is too large: ${m}`, `a PNG of at most ${MAX_SIDE}×${MAX_SIDE} pixels`);
  }
  return new HttpError(
    422,
    `could not decode the PNG: ${m}`,
    "a PNG (gray, gray+alpha, RGB, RGBA or palette; any bit depth; interlaced or not)",
  );
}

const ROUTES = "POST /v1/classify, GET /v1/model or GET /healthz";
/** Chunks a body may arrive in before their average size must reach TINY_CHUNK_BYTES. */
const TINY_CHUNKS = 256;
const TINY_CHUNK_BYTES = 512;
/** The training metadata `GET /v1/model` shows: what describes the model, never a path or command of the training machine. */
export const PUBLIC_META: readonly string[] = [
  "dataset",
  "arch",
  "accuracy",
  "testAccuracy",
  "dtype",
  "date",
  "epochs",
];

/** A model summary with only the PUBLIC_META fields of its meta. */
function publicSummary<S extends { meta?: Record<string, unknown> }>(s: S): S {
  if (!s.meta) return s;
  const meta = Object.fromEntries(Object.entries(s.meta).filter(([k]) => PUBLIC_META.includes(k)));
  return { ...s, meta };
}

/** Largest topK accepted before the model's class count is known. */
const MAX_TOPK = 65536;

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
        return src instanceof Model
          ? src
          : await loadModel(src, { backend: opts.backend ?? "auto", wasm: opts.wasm });
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

  const maxInFlight = opts.maxInFlight ?? 2, maxQueued = opts.maxQueued ?? 16;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  /** A decode+inference slot: run now, wait in the bounded queue, or 503. */
  const acquire = async (): Promise<void> => {
    if (inFlight < maxInFlight) return void inFlight++;
    if (waiting.length >= maxQueued) {
      throw Object.assign(
        new HttpError(
          503,
          `${inFlight} classifications are running and ${waiting.length} waiting`,
          "a retry in a moment",
        ),
        { headers: { "retry-after": "1" } },
      );
    }
    await new Promise<void>((r) => waiting.push(r)); // the slot is handed over by release()
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  async function classify(request: Request, url: URL): Promise<Response> {
    const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "image/png" && type !== "application/octet-stream" && type !== "application/json") {
      throw new HttpError(415, `content-type ${JSON.stringify(type)} is not supported`, CONTENT_TYPES);
    }
    // the query is checked before the body is read or anything decoded
    const topParam = url.searchParams.get("topK");
    const topAsked = topParam === null ? null : intField(topParam, "topK", 1, MAX_TOPK, true);
    const raw = type === "application/octet-stream" ? rawDims(request.headers) : null;
    const model = await modelOr503();
    const classes = model.outputShape.reduce((a, b) => a * b, 1);
    const topK = topAsked === null ? Math.min(3, classes) : intField(topAsked, "topK", 1, classes);
    // admission before the body is read: a request turned away (503) or waiting costs no body memory
    await acquire();
    let top, t0;
    try {
      const body = await readCapped(request, limit);
      if (body.length === 0) throw new HttpError(400, "request body is empty", CONTENT_TYPES);
      const input = type === "image/png"
        ? body
        : type === "application/json"
        ? fromJson(body)
        : fromRaw(body, raw!);
      t0 = performance.now();
      top = await model.classify(input, { topK });
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const png = type === "image/png" ? pngError(e) : null;
      if (png) throw png;
      if (e instanceof TypeError || e instanceof RangeError) {
        throw new HttpError(
          400,
          e.message,
          `an image the model can take (input ${model.inputShape.join("×")})`,
        );
      }
      throw e;
    } finally {
      release();
    }
    const ms = performance.now() - t0!;
    return json(200, { top, backend: model.backend, ms: Math.round(ms * 1000) / 1000 });
  }

  const origins = opts.corsOrigins ?? [];
  const corsFor = (request: Request): Record<string, string> => {
    const origin = request.headers.get("origin");
    // with an allow-list, every answer depends on the Origin header, allowed or not: caches must key on it
    const vary: Record<string, string> = origins.length > 0 ? { vary: "origin" } : {};
    if (!origin || !(origins.includes("*") || origins.includes(origin))) return vary;
    return { "access-control-allow-origin": origins.includes("*") ? "*" : origin, ...vary };
  };

  function preflight(request: Request, path: string): Response {
    const cors = corsFor(request);
    const method = request.headers.get("access-control-request-method");
    if (!cors["access-control-allow-origin"] || !method) {
      throw Object.assign(new HttpError(405, `OPTIONS ${path} is not allowed`, ROUTES), {
        headers: { allow: "GET, HEAD, POST", ...cors },
      });
    }
    return new Response(null, {
      status: 204,
      headers: {
        ...cors,
        "access-control-allow-methods": "GET, HEAD, POST",
        "access-control-allow-headers": "authorization, content-type, x-width, x-height, x-channels",
        "access-control-max-age": "600",
      },
    });
  }

  async function route(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new HttpError(400, `request target ${JSON.stringify(request.url)} is not a URL`, ROUTES);
    }
    const path = url.pathname;
    if (request.method === "OPTIONS") return preflight(request, path);
    if (opts.token !== undefined && path !== "/healthz") {
      const auth = request.headers.get("authorization") ?? "";
      const m = /^Bearer (.+)$/.exec(auth);
      if (!m || !sameSecret(m[1], opts.token)) {
        throw Object.assign(
          new HttpError(
            401,
            auth ? "the bearer token is not valid" : "no bearer token",
            "Authorization: Bearer <token>",
          ),
          { headers: { "www-authenticate": 'Bearer realm="tinycnn"' } },
        );
      }
    }
    const allow = (method: string) => {
      if (request.method !== method && !(method === "GET" && request.method === "HEAD")) {
        throw Object.assign(
          new HttpError(405, `${request.method} ${path} is not allowed`, `${method} ${path}`),
          { headers: { allow: method } },
        );
      }
    };
    if (path === "/v1/classify") {
      allow("POST");
      return await classify(request, url);
    }
    if (path === "/v1/model") {
      allow("GET");
      return json(200, publicSummary((await modelOr503()).summary()));
    }
    if (path === "/healthz") {
      allow("GET");
      const m = await modelOr503();
      return json(200, { ...opts.health?.(), ok: true, backend: m.backend });
    }
    throw new HttpError(404, `no route ${path}`, ROUTES);
  }

  return {
    async fetch(request: Request): Promise<Response> {
      let res: Response;
      try {
        res = await route(request);
      } catch (e) {
        if (e instanceof HttpError) {
          const extra = (e as HttpError & { headers?: Record<string, string> }).headers ?? {};
          res = json(e.status, { error: e.message, expected: e.expected }, extra);
        } else {
          // an unexpected failure answers 500 and leaves the isolate serving
          res = json(500, { error: `internal error: ${(e as Error)?.message ?? String(e)}`, expected: "" });
        }
      }
      if (request.method !== "OPTIONS") {
        for (const [k, v] of Object.entries(corsFor(request))) res.headers.set(k, v);
      }
      return res;
    },
  };
}
