// Where a model's bytes come from: bytes, a Blob, a Response, a
// ReadableStream, an http(s) URL, a file: URL or a plain path (where there is
// no file system — browsers, workerd — a string without a scheme is a URL
// relative to the page, as fetch() reads it). Invariants:
// nothing is imported — web standards (fetch, streams) everywhere, and only
// where fetch cannot read files (Node, Bun; plain paths) the host's own file
// API, detected on globalThis (Deno.readFile, Bun.file, Node's
// process.getBuiltinModule("fs")), so this runs unchanged in browsers and
// workerd; every source is read with a cap of `maxBytes` (checked on the
// declared size first, then while streaming), so an endless or oversized
// source never fills memory.

/** Anything `loadModel` can read a model from. */
export type ModelSource =
  | string
  | URL
  | Uint8Array
  | ArrayBuffer
  | Blob
  | Response
  | ReadableStream<Uint8Array>;

/** What a read fetches, for its messages: a noun ("model") and the name of its limit ("maxBytes"). */
export interface ReadSubject {
  noun: string;
  limit: string;
}

const MODEL: ReadSubject = { noun: "model", limit: "maxBytes" };

const tooBig = (s: ReadSubject, what: string, n: number | string, max: number) =>
  new RangeError(`${s.noun} ${what} is ${n} bytes, over the ${s.limit} limit of ${max}`);

/** How readStreamCapped() reports and checks. */
export interface CapOptions {
  /** the error for a stream over the cap */
  tooBig: () => Error;
  /** called after every chunk with the bytes and chunks so far; may throw to stop */
  check?: (bytes: number, chunks: number) => void;
  /** first buffer size (e.g. a declared length; default 64 KiB), never above the cap */
  initial?: number;
}

/**
 * Read a stream into one buffer that grows (doubling) up to `max` bytes,
 * refusing it as soon as it would pass `max`; chunks are copied, never kept.
 *
 * @example
 * ```ts
 * import { readStreamCapped } from "./source.ts";
 * const b = await readStreamCapped(new Blob(["hello"]).stream(), 10, { tooBig: () => new RangeError("big") });
 * console.log(b.length); // 5
 * ```
 */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  o: CapOptions,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  let buf = new Uint8Array(Math.min(max, Math.max(1, o.initial ?? 1 << 16))), n = 0, chunks = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("the stream must yield Uint8Array chunks");
      if (n + value.length > max) throw o.tooBig();
      o.check?.(n + value.length, ++chunks);
      if (n + value.length > buf.length) {
        const grown = new Uint8Array(Math.min(max, Math.max(2 * buf.length, n + value.length)));
        grown.set(buf.subarray(0, n));
        buf = grown;
      }
      buf.set(value, n);
      n += value.length;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return buf.subarray(0, n);
}

const capped = (stream: ReadableStream<Uint8Array>, s: ReadSubject, what: string, max: number) =>
  readStreamCapped(stream, max, { tooBig: () => tooBig(s, what, `more than ${max}`, max) });

interface HostFiles {
  size(path: string): Promise<number>;
  read(path: string): Promise<Uint8Array>;
}

/** The host's file API (Deno, Bun, Node ≥ 20.16), or null (browsers, workerd). */
function hostFiles(): HostFiles | null {
  const g = globalThis as Record<string, unknown>;
  const deno = g.Deno as
    | { stat(p: string): Promise<{ size: number }>; readFile(p: string): Promise<Uint8Array> }
    | undefined;
  if (deno?.readFile) return { size: async (p) => (await deno.stat(p)).size, read: (p) => deno.readFile(p) };
  const bun = g.Bun as { file(p: string): { size: number; arrayBuffer(): Promise<ArrayBuffer> } } | undefined;
  if (bun?.file) {
    return {
      size: (p) => Promise.resolve(bun.file(p).size),
      read: async (p) => new Uint8Array(await bun.file(p).arrayBuffer()),
    };
  }
  const proc = g.process as { getBuiltinModule?(id: string): unknown } | undefined;
  const fs = proc?.getBuiltinModule?.("fs") as
    | { promises: { stat(p: string): Promise<{ size: number }>; readFile(p: string): Promise<Uint8Array> } }
    | undefined;
  if (fs) {
    return {
      size: async (p) => (await fs.promises.stat(p)).size,
      read: async (p) => new Uint8Array(await fs.promises.readFile(p)),
    };
  }
  return null;
}

/** A file: URL or a path as a path string. */
function toPath(src: string | URL): string {
  if (src instanceof URL || src.startsWith("file:")) return decodeURIComponent(new URL(src).pathname);
  return src;
}

/** Read a model source (or, with `subject`, another file such as the wasm kernels) into bytes, never more than `max`. */
export async function readModelSource(
  src: ModelSource,
  max: number,
  subject: ReadSubject = MODEL,
): Promise<Uint8Array> {
  const s = subject;
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (typeof Blob !== "undefined" && src instanceof Blob) {
    if (src.size > max) throw tooBig(s, "Blob", src.size, max);
    return new Uint8Array(await src.arrayBuffer());
  }
  if (typeof Response !== "undefined" && src instanceof Response) {
    if (!src.ok) throw new TypeError(`${s.noun} response is HTTP ${src.status}, expected 2xx`);
    const declared = Number(src.headers.get("content-length") ?? NaN);
    if (declared > max) {
      await src.body?.cancel();
      throw tooBig(s, "response", declared, max);
    }
    return src.body ? await capped(src.body, s, "response", max) : new Uint8Array(0);
  }
  if (typeof ReadableStream !== "undefined" && src instanceof ReadableStream) {
    return await capped(src, s, "stream", max);
  }
  if (typeof src !== "string" && !(src instanceof URL)) {
    throw new TypeError(
      `${s.noun} source must be a URL, path, Uint8Array, ArrayBuffer, Blob, Response or ReadableStream, got ${typeof src}`,
    );
  }
  const url = src instanceof URL
    ? src
    : /^[a-z][a-z0-9+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src)
    ? new URL(src)
    : null;
  if (url && url.protocol !== "file:") {
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      throw new TypeError(`fetching ${s.noun} ${url} failed: HTTP ${res.status}`);
    }
    return await readModelSource(res, max, s);
  }
  // a file: URL or a plain path: the host's file API (Deno's fetch can read file: URLs too)
  const files = hostFiles();
  if (!files) {
    // no file system (browsers, workerd): a relative string is a URL relative to the page
    const res = await fetch(url ?? (src as string));
    if (!res.ok) {
      await res.body?.cancel();
      throw new TypeError(`fetching ${s.noun} ${src} failed: HTTP ${res.status}`);
    }
    return await readModelSource(res, max, s);
  }
  const path = toPath(src);
  let size: number;
  try {
    size = await files.size(path);
  } catch (e) {
    throw new TypeError(`cannot read ${s.noun} file ${path} (${(e as Error).message})`);
  }
  if (size > max) throw tooBig(s, `file ${path}`, size, max);
  return await files.read(path);
}
