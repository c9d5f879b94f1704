// Turns an image (PNG bytes, ImageData, or raw u8/f32 pixels; gray, RGB or
// RGBA) into a model input: channels converted (RGB→gray by luminance, alpha
// composited over black), resized to the model's H×W (area average when
// shrinking, bilinear when growing), scaled to [0,1] and normalised per
// channel. Output is (C,H,W) Float32Array. Invariants: the same limits hold
// for every input path (sides ≤ 4096, area ≤ 4096²) and are checked before
// anything is decoded or allocated; the image is resized row by row, so the
// scratch is O(output + one row) whatever the aspect ratio, and a
// non-interlaced PNG is never held whole; bad input → TypeError /
// RangeError saying what was expected.

import { decodePngSpans, isPng, MAX_PNG_PIXELS, MAX_PNG_SIDE } from "./png.ts";
import type { Normalization } from "../format/model_desc.ts";
import { quote } from "../quote.ts";

/** Raw pixels: u8 (0..255) or f32 (0..1), interleaved, `channels` per pixel. */
export interface PixelsInput {
  /** width × height × channels values, row-major, interleaved */
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  /** pixels per row (1..4096) */
  width: number;
  /** rows (1..4096) */
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; default inferred from the data length */
  channels?: 1 | 2 | 3 | 4;
}

/** Anything `classify` accepts: PNG bytes, ImageData, or raw pixels. */
export type ImageInput = Uint8Array | ArrayBuffer | PixelsInput;

function checkDims(w: unknown, h: unknown): void {
  for (const [n, v] of [["width", w], ["height", h]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new TypeError(`image ${n} must be a positive integer, got ${quote(v)}`);
    }
  }
  if (
    (w as number) > MAX_PNG_SIDE || (h as number) > MAX_PNG_SIDE ||
    (w as number) * (h as number) > MAX_PNG_PIXELS
  ) {
    throw new RangeError(`image ${w}x${h} is over the limit of ${MAX_PNG_SIDE} pixels a side`);
  }
}

/** Per destination index of one axis: the source indices and weights that make it. */
function axisWeights(sn: number, dn: number): { idx: number[][]; wts: number[][] } {
  const idx: number[][] = [], wts: number[][] = [];
  const scale = sn / dn;
  for (let d = 0; d < dn; d++) {
    const is: number[] = [], ws: number[] = [];
    if (scale >= 1) {
      const lo = d * scale, hi = lo + scale;
      for (let s = Math.floor(lo); s < Math.min(sn, Math.ceil(hi)); s++) {
        const w = Math.min(hi, s + 1) - Math.max(lo, s);
        if (w > 0) (is.push(s), ws.push(w / scale));
      }
    } else {
      const c = Math.min(Math.max((d + 0.5) * scale - 0.5, 0), sn - 1);
      const s0 = Math.floor(c), s1 = Math.min(s0 + 1, sn - 1), f = c - s0;
      is.push(s0, s1);
      ws.push(1 - f, f);
    }
    idx.push(is);
    wts.push(ws);
  }
  return { idx, wts };
}

/**
 * Separable resize fed one source row at a time (rows in order): each row is
 * resampled horizontally, then added with its vertical weights into the
 * output rows it contributes to. Sparse rows (an interlaced PNG's passes) may
 * come in any order instead, through addSpan: each pixel is added with both
 * weights into the outputs it contributes to. Scratch: `planes`×dh×dw
 * accumulators plus one resampled row.
 */
export class RowResizer {
  #ax: { idx: number[][]; wts: number[][] };
  /** per source row: [destination row, weight] pairs */
  #down: [number, number][][];
  #acc: Float64Array;
  #row: Float32Array;
  /** per source column: [destination column, weight] pairs (made on the first addSpan) */
  #across: [number, number][][] | null = null;
  #y = 0;
  /** source pixels of plane 0 added so far */
  #pixels = 0;
  constructor(
    readonly sw: number,
    readonly sh: number,
    readonly dw: number,
    readonly dh: number,
    readonly planes = 1,
  ) {
    this.#ax = axisWeights(sw, dw);
    const ay = axisWeights(sh, dh);
    this.#down = Array.from({ length: sh }, () => []);
    ay.idx.forEach((is, d) => is.forEach((s, k) => this.#down[s].push([d, ay.wts[d][k]])));
    this.#acc = new Float64Array(planes * dh * dw);
    this.#row = new Float32Array(dw);
  }

  /** Add the next source row of plane `p` (call planes in order 0..planes-1 for each row, then `next()`). */
  push(p: number, src: ArrayLike<number>): void {
    const { idx, wts } = this.#ax, dw = this.dw, row = this.#row;
    for (let x = 0; x < dw; x++) {
      let a = 0;
      const is = idx[x], ws = wts[x];
      for (let k = 0; k < is.length; k++) a += src[is[k]] * ws[k];
      row[x] = a;
    }
    const base = p * this.dh * dw;
    for (const [d, w] of this.#down[this.#y]) {
      const o = base + d * dw;
      for (let x = 0; x < dw; x++) this.#acc[o + x] += row[x] * w;
    }
  }

  /** Move to the next source row. */
  next(): void {
    this.#y++;
    this.#pixels += this.sw;
  }

  /** Add `count` pixels of plane `p` at row `y`, columns x0, x0 + dx, … (`src[i]` is the i-th). */
  addSpan(p: number, y: number, x0: number, dx: number, count: number, src: ArrayLike<number>): void {
    if (!(y >= 0 && y < this.sh && x0 >= 0 && x0 + (count - 1) * dx < this.sw)) {
      throw new RangeError(`span at row ${y}, columns ${x0}+${dx}·${count} is outside ${this.sw}×${this.sh}`);
    }
    this.#across ??= inverse(this.#ax, this.sw);
    const across = this.#across, dw = this.dw, acc = this.#acc, base = p * this.dh * dw;
    for (const [d, wy] of this.#down[y]) {
      const o = base + d * dw;
      for (let i = 0; i < count; i++) {
        const v = src[i] * wy;
        for (const [c, wx] of across[x0 + i * dx]) acc[o + c] += v * wx;
      }
    }
    if (p === 0) this.#pixels += count;
  }

  /** The resized planes (planes, dh, dw) once every source pixel was added. */
  result(): Float32Array {
    if (this.#pixels !== this.sw * this.sh) {
      throw new RangeError(`resize got ${this.#pixels} of ${this.sw}×${this.sh} pixels`);
    }
    return Float32Array.from(this.#acc);
  }
}

/** Per source index: the [destination index, weight] pairs it contributes to. */
function inverse(ax: { idx: number[][]; wts: number[][] }, sn: number): [number, number][][] {
  const out: [number, number][][] = Array.from({ length: sn }, () => []);
  ax.idx.forEach((is, d) => is.forEach((s, k) => out[s].push([d, ax.wts[d][k]])));
  return out;
}

/** Resize one plane: area average when shrinking an axis, bilinear when growing. */
export function resizePlane(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (sw === dw && sh === dh) return src.slice();
  const r = new RowResizer(sw, sh, dw, dh);
  for (let y = 0; y < sh; y++) (r.push(0, src.subarray(y * sw, (y + 1) * sw)), r.next());
  return r.result();
}

/**
 * Converts interleaved rows of [0,1] values with `inC` channels into `outC`
 * planes (alpha composited over black; RGB → gray by luminance) and feeds
 * them to a resizer.
 */
class RowConverter {
  #planes: Float32Array[];
  constructor(
    readonly width: number,
    readonly inC: number,
    readonly outC: number,
    readonly resizer: RowResizer,
  ) {
    this.#planes = Array.from({ length: outC }, () => new Float32Array(width));
  }

  /** One row; `get(i)` is interleaved value i of the row in [0,1]. */
  row(get: (i: number) => number): void {
    this.#convert(this.width, get);
    for (let c = 0; c < this.outC; c++) this.resizer.push(c, this.#planes[c]);
    this.resizer.next();
  }

  /** `count` pixels of row `y` at columns x0, x0 + dx, …; `get(i)` is interleaved value i of them. */
  span(y: number, x0: number, dx: number, count: number, get: (i: number) => number): void {
    this.#convert(count, get);
    for (let c = 0; c < this.outC; c++) this.resizer.addSpan(c, y, x0, dx, count, this.#planes[c]);
  }

  /** The first `n` pixels of `get` as planes. */
  #convert(n: number, get: (i: number) => number): void {
    const { inC, outC } = this, pl = this.#planes;
    const hasAlpha = inC === 2 || inC === 4, color = inC >= 3;
    for (let x = 0; x < n; x++) {
      const b = x * inC;
      const a = hasAlpha ? get(b + inC - 1) : 1;
      const r = get(b) * a;
      const g = color ? get(b + 1) * a : r;
      const bl = color ? get(b + 2) * a : r;
      if (outC === 1) pl[0][x] = color ? 0.299 * r + 0.587 * g + 0.114 * bl : r;
      else (pl[0][x] = r, pl[1][x] = g, pl[2][x] = bl);
    }
  }
}

/** Resize the PNG as it decodes, never holding the image: rows in order, or an interlaced one's spans. */
async function fromPng(bytes: Uint8Array, C: number, H: number, W: number): Promise<Float32Array> {
  let conv: RowConverter | null = null, interlaced = false;
  await decodePngSpans(
    bytes,
    (y, x0, dx, count, px) => {
      const get = (i: number) => px[i] / 255;
      if (interlaced) conv!.span(y, x0, dx, count, get);
      else conv!.row(get); // whole rows, in order
    },
    {},
    (info) => {
      interlaced = info.interlaced;
      conv = new RowConverter(info.width, info.channels, C, new RowResizer(info.width, info.height, W, H, C));
    },
  );
  return conv!.resizer.result();
}

function fromPixels(input: PixelsInput, C: number, H: number, W: number): Float32Array {
  if (input === null || typeof input !== "object" || !("data" in input)) {
    throw new TypeError("image must be PNG bytes, an ImageData, or {data, width, height, channels}");
  }
  const { data, width, height } = input;
  checkDims(width, height);
  const isFloat = data instanceof Float32Array;
  if (!isFloat && !(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    throw new TypeError(
      `image data must be a Uint8Array, Uint8ClampedArray or Float32Array, got ${
        (data as object)?.constructor?.name
      }`,
    );
  }
  const n = width * height;
  const channels = input.channels ?? data.length / n;
  if (![1, 2, 3, 4].includes(channels)) {
    throw new TypeError(
      `image data has ${data.length} values for ${width}x${height} pixels; expected 1, 2, 3 or 4 channels`,
    );
  }
  if (data.length !== n * channels) {
    throw new TypeError(
      `image data has ${data.length} values, expected ${width}x${height}x${channels} = ${n * channels}`,
    );
  }
  if (isFloat) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!(v >= 0 && v <= 1)) {
        throw new TypeError(
          `image data[${i}] is ${v}; expected a finite value in [0,1] for Float32Array pixels (use a Uint8Array for 0..255)`,
        );
      }
    }
  }
  const conv = new RowConverter(width, channels, C, new RowResizer(width, height, W, H, C));
  const stride = width * channels, scale = isFloat ? 1 : 1 / 255;
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    conv.row((i) => data[o + i] * scale);
  }
  return conv.resizer.result();
}

/**
 * The size of an image input without decoding it: a PNG's IHDR, or raw
 * pixels' width and height; null when it is neither (imageToInput then says why).
 *
 * @example
 * ```ts
 * import { imageSize } from "./image.ts";
 * const s = imageSize({ data: new Uint8Array(6), width: 3, height: 2, channels: 1 });
 * if (s?.width !== 3 || s.height !== 2) throw new Error();
 * ```
 */
export function imageSize(input: ImageInput): { width: number; height: number } | null {
  const b = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (b instanceof Uint8Array && !("width" in b)) {
    // signature (8), IHDR length (4), "IHDR" (4), width (4, big-endian), height (4)
    if (!isPng(b) || b.length < 24 || String.fromCharCode(...b.subarray(12, 16)) !== "IHDR") return null;
    const dv = new DataView(b.buffer, b.byteOffset, 24);
    const width = dv.getUint32(16), height = dv.getUint32(20);
    return width > 0 && height > 0 ? { width, height } : null;
  }
  const p = input as PixelsInput;
  return Number.isInteger(p?.width) && Number.isInteger(p?.height) && p.width > 0 && p.height > 0
    ? { width: p.width, height: p.height }
    : null;
}

/**
 * Prepare an image for a model whose per-sample input is (C,H,W) with C 1 or 3.
 * Returns a normalised (C,H,W) Float32Array.
 *
 * @example
 * ```ts
 * import { imageToInput } from "./image.ts";
 * const white = { data: new Uint8Array([255, 255, 255, 255]), width: 2, height: 2, channels: 1 as const };
 * const x = await imageToInput(white, [1, 1, 1], { mean: [0.5], std: [0.5] });
 * console.log(x[0]); // 1
 * ```
 */
export async function imageToInput(
  input: ImageInput,
  shape: number[],
  norm?: Normalization,
): Promise<Float32Array> {
  if (shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3)) {
    throw new TypeError(
      `classify() needs a model with image input (1 or 3, H, W), this model takes (${
        shape.join(",")
      }); use predict()`,
    );
  }
  const [C, H, W] = shape;
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  let out: Float32Array;
  if (input instanceof Uint8Array && !("width" in input)) {
    if (!isPng(input)) {
      throw new TypeError(
        "image bytes must be a PNG (signature 89 50 4E 47 …); for raw pixels pass {data, width, height, channels}",
      );
    }
    out = await fromPng(input, C, H, W);
  } else {
    out = fromPixels(input as PixelsInput, C, H, W);
  }
  const ch = norm && "mean" in norm ? norm : null;
  for (let c = 0; c < C; c++) {
    const m = ch?.mean[c] ?? 0, s = ch?.std[c] ?? 1;
    for (let i = 0; i < H * W; i++) out[c * H * W + i] = (out[c * H * W + i] - m) / s;
  }
  return out;
}
