// The wasm engine's loader: reads and compiles runtime/wasm/tinycnn.wasm (built
// from the op folders' *.as.ts by `deno task build:wasm`) and instantiates it
// once per executor (synchronously, from the module compiled at load), so
// that each executor's memory is its own and dies with it.
// Sources: the package's own file beside this module or any URL (read by the
// model reader, runtime/input/source.ts: the host's file API for file: URLs,
// fetch otherwise, e.g. a browser's beside the bundle; at most
// MAX_WASM_BYTES), the bytes, or a WebAssembly.Module the host compiled
// (Cloudflare Workers import it; they refuse to compile bytes).
// Invariants: the platform APIs are found on globalThis at run time (no
// imports); a failure is a WasmError saying what was tried; a module is
// compiled once per source and then reused.

import { WasmError } from "../errors.ts";
import { quote } from "../quote.ts";
import { readModelSource } from "../input/source.ts";
import type { Window2d } from "../format/spec_types.ts";

/** Where the kernels come from: a compiled module, the .wasm bytes, or its URL. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;

/** A 2-D window as every windowed kernel takes it, last: sizes, kernel, strides, leading pads. */
export type WindowArgs = [
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  pt: number,
  pl: number,
];

/**
 * The window of a conv or pool layer as the kernels take it.
 *
 * @example
 * ```ts
 * import { resolveLayer } from "../format/spec.ts";
 * import { windowArgs } from "./engine.ts";
 * const l = resolveLayer({ type: "maxpool2d", size: 2 }, [1, 4, 6]);
 * if (l.op !== "pool" || windowArgs(l).join() !== "4,6,2,3,2,2,2,2,0,0") throw new Error();
 * ```
 */
export const windowArgs = (g: Window2d): WindowArgs => [
  g.inH,
  g.inW,
  g.outH,
  g.outW,
  g.kh,
  g.kw,
  g.sh,
  g.sw,
  g.pt,
  g.pl,
];

/** The kernels' exports (pointers are byte offsets into `memory`). */
export interface WasmKernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(
    a: number,
    b: number,
    c: number,
    M: number,
    N: number,
    K: number,
    lda: number,
    ldb: number,
    ldc: number,
    biasMode: number,
    bias: number,
    relu: number,
  ): void;
  conv2d(
    x: number,
    w: number,
    b: number,
    y: number,
    scratch: number,
    batch: number,
    inC: number,
    outC: number,
    groups: number,
    dh: number,
    dw: number,
    relu: number,
    ...window: WindowArgs
  ): void;
  dense(
    x: number,
    wT: number,
    b: number,
    y: number,
    batch: number,
    inF: number,
    outF: number,
    relu: number,
  ): void;
  pool2d(x: number, y: number, planes: number, mode: number, ...window: WindowArgs): void;
}

/** The kernel file beside this module (bundles: beside the bundle), or null where the module has no URL (workerd). */
export function wasmUrl(): URL | null {
  try {
    return new URL("./tinycnn.wasm", import.meta.url);
  } catch {
    return null;
  }
}

const EXPORTS = ["memory", "heapBase", "gemm", "conv2d", "dense", "pool2d"];
let defaultModule: Promise<WebAssembly.Module> | null = null;

/** The most bytes read for the kernels from a URL (tinycnn.wasm is about 5 KB). */
export const MAX_WASM_BYTES = 4 << 20;
const WASM_READ = { noun: "wasm kernels", limit: "MAX_WASM_BYTES" };

/**
 * Throws a TypeError unless `src` is a WasmSource (or undefined: the default file).
 *
 * @example
 * ```ts
 * import { checkWasmSource } from "./engine.ts";
 * checkWasmSource(new Uint8Array(8));
 * try { checkWasmSource(42); throw new Error("accepted"); } catch (e) { if (!(e instanceof TypeError)) throw e; }
 * ```
 */
export function checkWasmSource(src: unknown): void {
  if (
    src === undefined || (typeof WebAssembly === "object" && src instanceof WebAssembly.Module) ||
    src instanceof ArrayBuffer || ArrayBuffer.isView(src) || src instanceof URL || typeof src === "string"
  ) return;
  throw new TypeError(`wasm must be a WebAssembly.Module, the .wasm bytes or a URL, got ${quote(src)}`);
}

async function compile(src: WasmSource): Promise<WebAssembly.Module> {
  checkWasmSource(src);
  if (src instanceof WebAssembly.Module) return src;
  if (typeof src === "string" || src instanceof URL) {
    const url = new URL(src);
    // the model's reader: the host's file API for file: URLs, fetch otherwise, never more than the cap
    const bytes = await readModelSource(url, MAX_WASM_BYTES, WASM_READ).catch((e) => {
      throw new WasmError(`reading ${quote(url.href)}: ${e instanceof Error ? e.message : e}`);
    });
    return await compile(bytes);
  }
  try {
    return await WebAssembly.compile(src as BufferSource);
  } catch (e) {
    throw new WasmError(
      `compiling the wasm kernels failed (${e instanceof Error ? e.message : e}); ` +
        "hosts that refuse to compile bytes (Cloudflare Workers) take the imported WebAssembly.Module as `wasm`",
    );
  }
}

/**
 * The compiled kernels from `src` (default: the package's tinycnn.wasm, compiled once and shared).
 *
 * @example
 * ```ts
 * import { compileKernels, instantiateKernels } from "./engine.ts";
 * const k = instantiateKernels(await compileKernels());
 * if (!(k.memory instanceof WebAssembly.Memory) || k.heapBase() < 0) throw new Error("no kernels");
 * ```
 */
export async function compileKernels(src?: WasmSource): Promise<WebAssembly.Module> {
  if (src !== undefined) return await compile(src);
  const url = wasmUrl();
  if (!url) {
    throw new WasmError(
      "this module has no URL to find tinycnn.wasm beside it; pass the kernels as `wasm` (a WebAssembly.Module, bytes or URL)",
    );
  }
  const p = defaultModule ??= compile(url);
  return await p.catch((e) => {
    defaultModule = null; // a failed read may succeed later (e.g. after a network error)
    throw e;
  });
}

/** A fresh instance of the compiled kernels, with its own memory (synchronous: the module is small). */
export function instantiateKernels(mod: WebAssembly.Module): WasmKernels {
  let inst: WebAssembly.Instance;
  try {
    inst = new WebAssembly.Instance(mod, {});
  } catch (e) {
    throw new WasmError(`instantiating the wasm kernels failed: ${e instanceof Error ? e.message : e}`);
  }
  const ex = inst.exports as Record<string, unknown>;
  const missing = EXPORTS.filter((n) => !(n in ex));
  if (missing.length) {
    throw new WasmError(`the wasm module lacks ${missing.join(", ")}: not tinycnn's kernels`);
  }
  return ex as unknown as WasmKernels;
}
