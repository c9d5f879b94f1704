// Typed errors of the runtime. Invariant: every rejection of a model file is a
// ModelFormatError carrying the byte offset where the problem was found (or -1
// when it concerns the file as a whole); misuse of the API is a TypeError
// (shape/type) or RangeError (limits); use after dispose is a DisposedError.

/**
 * A `.tcnn` file (or an in-memory model description) is malformed.
 *
 * @example
 * ```ts
 * import { decodeModel, ModelFormatError } from "../mod.ts";
 * try {
 *   decodeModel(new Uint8Array([1, 2, 3]));
 * } catch (e) {
 *   if (!(e instanceof ModelFormatError)) throw e; // e.offset says where
 * }
 * ```
 */
export class ModelFormatError extends Error {
  /** Byte offset in the file where the problem was detected, or -1. */
  readonly offset: number;
  /** `message` says what is wrong; `offset` is appended as "(at byte N)" when given. */
  constructor(message: string, offset = -1) {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.name = "ModelFormatError";
    this.offset = offset;
  }
}

/**
 * A model was used after `dispose()`.
 *
 * @example
 * ```ts
 * import { DisposedError } from "../mod.ts";
 * const e = new DisposedError();
 * if (e.name !== "DisposedError") throw new Error("unexpected name");
 * ```
 */
export class DisposedError extends Error {
  /** `what` names the disposed object (default "model"). */
  constructor(what = "model") {
    super(`${what} has been disposed; load it again to keep using it`);
    this.name = "DisposedError";
  }
}

/**
 * A WebGPU call failed (device lost, validation or out-of-memory error).
 *
 * @example
 * ```ts
 * import { encodeModel, GpuError, loadModel } from "../mod.ts";
 * const bytes = encodeModel({ inputShape: [2], layers: [{ type: "relu" }], params: [[]] });
 * // no WebGPU entry point: "webgpu" is refused, "auto" falls back to the CPU
 * await loadModel(bytes, { backend: "webgpu", gpu: null }).catch((e) => {
 *   if (!(e instanceof GpuError)) throw e;
 * });
 * ```
 */
export class GpuError extends Error {
  /** `message` says which call failed and why. */
  constructor(message: string) {
    super(message);
    this.name = "GpuError";
  }
}

/**
 * The wasm engine could not start where `backend: "wasm"` asked for it: the
 * kernels could not be read, compiled (no SIMD128, or a host such as
 * Cloudflare Workers that refuses to compile bytes: pass the imported
 * `WebAssembly.Module` as `wasm`) or given memory. "auto" never throws it: it
 * runs the TypeScript kernels and says why in `summary().wasm`.
 *
 * @example
 * ```ts
 * import { encodeModel, loadModel, WasmError } from "../mod.ts";
 * const bytes = encodeModel({ inputShape: [2], layers: [{ type: "relu" }], params: [[]] });
 * await loadModel(bytes, { backend: "wasm", wasm: new Uint8Array(8) }).catch((e) => {
 *   if (!(e instanceof WasmError)) throw e;
 * });
 * ```
 */
export class WasmError extends Error {
  /** `message` says what failed and why. */
  constructor(message: string) {
    super(message);
    this.name = "WasmError";
  }
}
