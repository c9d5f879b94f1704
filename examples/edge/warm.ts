// Loading the model when the isolate starts instead of on its first request.
// Edge platforms bill a request's CPU time (Workers' free plan: 10 ms), while
// the global scope runs once per isolate under a separate startup limit
// (Workers: 1 s): decoding the model there and running it a few times on a
// blank input moves the decode, the validation, the kernel set-up and V8's
// cold first runs of the kernels out of the first request, and the PNG
// decoder's too: the blank PNG is stored (uncompressed), which the decoder
// reads without DecompressionStream — Workers refuse streams at global scope —
// so only the inflater itself is new to a request's compressed PNG. Invariants: one
// warm model per isolate (the last warmAtStart wins); a failed warm-up never
// throws — the handler then loads lazily per request and reports the reason
// (503); warm-up inferences only read the model (answers are unchanged).

import { type BackendChoice, decodePng, loadModel, type Model, type WasmSource } from "../../mod.ts";
import { crc32 } from "../../runtime/format/crc32.ts";

let warm: Promise<Model> | null = null;

/** Inferences run on a blank input at start: enough for V8 to optimize the kernels the shipped model uses. */
export const WARM_RUNS = 3;

/** Bytes of a w×h×c image's PNG rows (a filter byte before each row): one stored deflate block holds ≤ 65535. */
const storedRows = (w: number, h: number, c: number): number => h * (1 + w * c);

/**
 * A black w×h PNG, 8-bit gray (c = 1) or RGB (c = 3), its pixels in one
 * stored (uncompressed) deflate block: w·h·c + h ≤ 65535 bytes.
 *
 * @example
 * ```ts
 * import { blankPng } from "./warm.ts";
 * import { decodePng } from "../../mod.ts";
 * const img = await decodePng(blankPng(4, 2, 3));
 * console.log(img.width, img.height, img.channels, img.data.length); // 4 2 3 24
 * ```
 */
export function blankPng(w: number, h: number, c: 1 | 3): Uint8Array {
  const raw = storedRows(w, h, c);
  if (raw > 0xffff) {
    throw new RangeError(`a blank PNG holds at most 65535 bytes of rows, ${w}×${h}×${c} needs ${raw}`);
  }
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const b = new Uint8Array(12 + data.length), v = new DataView(b.buffer);
    v.setUint32(0, data.length);
    b.set(Array.from(type, (ch) => ch.charCodeAt(0)), 4);
    b.set(data, 8);
    v.setUint32(8 + data.length, crc32(b, 4, 8 + data.length));
    return b;
  };
  const ihdr = new Uint8Array(13), hv = new DataView(ihdr.buffer);
  hv.setUint32(0, w);
  hv.setUint32(4, h);
  ihdr.set([8, c === 1 ? 0 : 2, 0, 0, 0], 8); // depth 8, gray/RGB, deflate, filter 0, no interlace
  // zlib: header, one final stored block of `raw` zero bytes (filter 0 + black rows), Adler-32 of them
  const z = new Uint8Array(2 + 5 + raw + 4), zv = new DataView(z.buffer);
  z.set([0x78, 0x01, 0x01, raw & 0xff, raw >> 8, ~raw & 0xff, (~raw >> 8) & 0xff]);
  zv.setUint32(7 + raw, (raw % 65521) << 16 | 1); // a = 1 + Σ0, b = Σ a over the raw bytes = raw
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("IDAT", z),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** What the start-up warm-up did: the model loaded and ran, and whether the PNG path ran too. */
export interface WarmStatus {
  /** the model was loaded and ran WARM_RUNS blank inputs */
  model: boolean;
  /** a blank PNG was classified too (stored blocks: no DecompressionStream, which Workers forbid at global scope) */
  png: boolean;
  /** a compressed PNG was inflated too, for image models (DecompressionStream: Deno, not Workers' global scope) */
  inflate: boolean;
}

const NONE: WarmStatus = { model: false, png: false, inflate: false };
let status: WarmStatus = NONE;
/** A deflate-compressed 1×1 gray PNG: warms DecompressionStream and the decoder's stream reader. */
const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";
/** warmAtStart calls so far: only the last one sets the model and its status */
let runs = 0;

/** A model input of 8-bit gray or RGB images, (1|3, H, W): the ones classify() takes PNGs for. */
const takesImages = (shape: number[]): boolean => shape.length === 3 && (shape[0] === 1 || shape[0] === 3);

/** One blank input of the model's own size: raw pixels (classify), a series (classify) or a tensor (predict). */
async function blankRun(model: Model): Promise<void> {
  const shape = model.inputShape;
  if (takesImages(shape)) {
    const [c, h, w] = shape;
    await model.classify({ data: new Uint8Array(c * h * w), width: w, height: h, channels: c as 1 | 3 });
  } else if (shape.length === 2) {
    await model.classify(new Float32Array(shape[0] * shape[1]));
  } else {
    await model.predict(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }
}

/** The blank PNG a request would send, for 8-bit gray/RGB models small enough for one stored block. */
function blankPngFor(shape: number[]): Uint8Array | null {
  const [c, h, w] = shape;
  return takesImages(shape) && storedRows(w, h, c) <= 0xffff ? blankPng(w, h, c as 1 | 3) : null;
}

/**
 * Load `bytes`, run WARM_RUNS blank inferences and, where the platform allows
 * it at start-up, one blank PNG classification; the handler's default export
 * then uses this model. Never rejects: on failure it resolves to null and the
 * handler falls back to loading per request (warmStatus() says which).
 * `wasm` is where the wasm kernels come from where the host cannot find them
 * itself (Workers: the imported tinycnn.wasm module).
 *
 * @example Warm the shipped model at module scope (what the Workers build does)
 * ```ts
 * import { warmAtStart, warmModel, warmStatus } from "./warm.ts";
 * const model = await warmAtStart(await Deno.readFile("weights/mnist.tcnn"), "cpu");
 * console.log(model?.backend, warmModel() !== null, warmStatus()); // "cpu" true { model: true, png: true, inflate: true }
 * ```
 */
export function warmAtStart(
  bytes: Uint8Array | ArrayBuffer,
  backend: BackendChoice = "auto",
  wasm?: WasmSource,
): Promise<Model | null> {
  status = NONE;
  const run = ++runs;
  const p = (async () => {
    const model = await loadModel(bytes, { backend, wasm });
    for (let i = 0; i < WARM_RUNS; i++) await blankRun(model);
    const png = blankPngFor(model.inputShape);
    // a stored PNG decodes without DecompressionStream, which workerd refuses at global scope
    // ("Disallowed operation called within global scope"); png stays false if it still failed
    const ran = (work: Promise<unknown>) => work.then(() => true, () => false);
    const pngRan = png !== null && await ran(model.classify(png));
    // the inflater only for models that take PNGs at all
    const inflate = takesImages(model.inputShape) &&
      await ran(decodePng(Uint8Array.from(atob(TINY_PNG), (ch) => ch.charCodeAt(0))));
    if (run === runs) status = { model: true, png: pngRan, inflate };
    return model;
  })();
  warm = p;
  return p.catch(() => {
    if (run === runs) warm = null;
    return null;
  });
}

/** What the last warmAtStart did (all false before one, or when it failed). */
export function warmStatus(): WarmStatus {
  return { ...status };
}

/** The model warmed at start, or null when none was (or its warm-up failed). */
export function warmModel(): Promise<Model> | null {
  return warm;
}
