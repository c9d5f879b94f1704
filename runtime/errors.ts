// Typed errors of the runtime. Invariant: every rejection of a model file is a
// ModelFormatError carrying the byte offset where the problem was found (or -1
// when it concerns the file as a whole); misuse of the API is a TypeError
// (shape/type) or RangeError (limits); use after dispose is a DisposedError.

/** A `.tcnn` file (or an in-memory model description) is malformed. */
export class ModelFormatError extends Error {
  /** Byte offset in the file where the problem was detected, or -1. */
  readonly offset: number;
  constructor(message: string, offset = -1) {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.name = "ModelFormatError";
    this.offset = offset;
  }
}

/** A model was used after `dispose()`. */
export class DisposedError extends Error {
  constructor(what = "model") {
    super(`${what} has been disposed; load it again to keep using it`);
    this.name = "DisposedError";
  }
}

/** A WebGPU call failed (device lost, validation or out-of-memory error). */
export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GpuError";
  }
}
