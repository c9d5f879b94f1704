// The edge function: ONE fetch handler, the default export, for `deno serve`
// (Deno Deploy, Supabase Edge Functions) and Cloudflare Workers / workerd
// module workers. The model comes from warm.ts when it was loaded at isolate
// start (Deno: at import; Workers: the build's entry), else from a Workers
// `MODEL` data binding, else (Deno) from the file in env TINYCNN_MODEL or
// weights/fashion-mnist.tcnn; env TINYCNN_BACKEND (auto|webgpu|cpu, default
// auto) picks the backend in Deno. Optional, off by default: bearer-token auth
// (Workers text binding TOKEN / env TINYCNN_TOKEN) and CORS for browser pages on
// other origins (binding CORS_ORIGINS / env TINYCNN_CORS_ORIGINS, comma-separated,
// or "*"). Only `default` is exported: workerd treats every named export as an
// entrypoint. The API itself is in classify_api.ts.

import type { BackendChoice } from "../../mod.ts";
import { createHandler, DEFAULT_MAX_BODY, type EdgeHandler } from "./classify_api.ts";
import { warmAtStart, warmModel, warmStatus } from "./warm.ts";

/** Path of the shipped model, relative to this file (a function: workerd has no file URL). */
function defaultModelUrl(): URL {
  return new URL("../../weights/fashion-mnist.tcnn", import.meta.url);
}

/**
 * The model for the default export: a Workers/workerd `MODEL` binding (data,
 * ArrayBuffer) when present; else, in Deno, the file named by env
 * TINYCNN_MODEL or weights/fashion-mnist.tcnn.
 */
async function defaultModel(env: unknown): Promise<Uint8Array | ArrayBuffer> {
  const bound = env !== null && typeof env === "object" ? (env as { MODEL?: unknown }).MODEL : undefined;
  if (bound instanceof ArrayBuffer || bound instanceof Uint8Array) return bound;
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno) throw new Error("no MODEL binding: bind the .tcnn file as data named MODEL");
  const path = deno.env.get("TINYCNN_MODEL") ?? defaultModelUrl();
  try {
    return await deno.readFile(path);
  } catch (e) {
    throw new Error(
      `cannot read ${path instanceof URL ? path.pathname : path} (${(e as Error).name}); ` +
        "train one with `deno task train` or set TINYCNN_MODEL to a .tcnn file",
    );
  }
}

/** Deno: env TINYCNN_BACKEND; elsewhere "auto". A bad value is an error. */
function backendChoice(): BackendChoice {
  const v = (globalThis as { Deno?: typeof Deno }).Deno?.env.get("TINYCNN_BACKEND") ?? "auto";
  if (v !== "auto" && v !== "webgpu" && v !== "wasm" && v !== "cpu") {
    throw new TypeError(`TINYCNN_BACKEND must be auto, webgpu, wasm or cpu, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Workers: the wasm kernels the build's entry passes as env.WASM (a WebAssembly.Module), else undefined. */
function wasmBinding(env: unknown): WebAssembly.Module | undefined {
  const w = env !== null && typeof env === "object" ? (env as Record<string, unknown>).WASM : undefined;
  return w instanceof WebAssembly.Module ? w : undefined;
}

/** A setting from a Workers text binding (env.NAME) or, in Deno, env TINYCNN_NAME. */
function setting(env: unknown, name: string): string | undefined {
  const bound = env !== null && typeof env === "object" ? (env as Record<string, unknown>)[name] : undefined;
  if (typeof bound === "string") return bound;
  return (globalThis as { Deno?: typeof Deno }).Deno?.env.get(`TINYCNN_${name}`) || undefined;
}

// Deno (deno serve, Deno Deploy): the model loads and warms at import, before the first request; a missing
// or bad file is left to the first request, which answers 503 with the reason. Workers: the build's entry
// imports the model as a data module and calls warmAtStart at global scope (build_worker.ts).
if ((globalThis as { Deno?: typeof Deno }).Deno) {
  const bytes = await defaultModel(undefined).catch(() => null);
  const backend = (() => {
    try {
      return backendChoice();
    } catch {
      return null; // a bad TINYCNN_BACKEND is reported by the first request
    }
  })();
  if (bytes && backend) await warmAtStart(bytes, backend);
}

let defaultHandler: EdgeHandler | null = null;

/** `deno serve examples/edge/handler.ts` and module workers use this. */
export default {
  fetch(request: Request, env?: unknown): Promise<Response> {
    defaultHandler ??= createHandler({
      model: () => warmModel() ?? defaultModel(env),
      maxBodyBytes: DEFAULT_MAX_BODY,
      backend: backendChoice(),
      wasm: wasmBinding(env),
      token: setting(env, "TOKEN"),
      corsOrigins: setting(env, "CORS_ORIGINS")?.split(",").map((o) => o.trim()).filter(Boolean),
      health: () => ({ warm: warmStatus() }),
    });
    return defaultHandler.fetch(request);
  },
} satisfies EdgeHandler;
