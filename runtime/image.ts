// Turns an image (PNG bytes, ImageData, or raw u8/f32 pixels; gray, RGB or
// RGBA) into a model input: channels converted (RGB→gray by luminance, alpha
// composited over black), resized to the model's H×W (area average when
// shrinking, bilinear when growing), scaled to [0,1] and normalised
// per channel. Output is (C,H,W) Float32Array. Bad input → TypeError /
// RangeError saying what was expected.

import { decodePng, isPng, MAX_PNG_PIXELS } from "./png.ts";
import type { Normalization } from "./model_desc.ts";

/** Raw pixels: u8 (0..255) or f32 (0..1), interleaved, `channels` per pixel. */
export interface PixelsInput {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; default inferred from the data length */
  channels?: 1 | 2 | 3 | 4;
}

/** Anything `classify` accepts: PNG bytes, ImageData, or raw pixels. */
export type ImageInput = Uint8Array | ArrayBuffer | PixelsInput;

function checkDims(w: unknown, h: unknown): void {
  for (const [n, v] of [["width", w], ["height", h]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new TypeError(`image ${n} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if ((w as number) * (h as number) > MAX_PNG_PIXELS) {
    throw new RangeError(`image ${w}x${h} exceeds the ${MAX_PNG_PIXELS}-pixel limit`);
  }
}

/** Normalise any ImageInput into interleaved [0,1] floats. */
async function toFloatPixels(
  input: ImageInput,
): Promise<{ px: Float32Array; width: number; height: number; channels: number }> {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  if (input instanceof Uint8Array && !("width" in input)) {
    if (!isPng(input)) {
      throw new TypeError(
        "image bytes must be a PNG (signature 89 50 4E 47 …); for raw pixels pass {data, width, height, channels}",
      );
    }
    const img = await decodePng(input);
    const px = new Float32Array(img.data.length);
    for (let i = 0; i < px.length; i++) px[i] = img.data[i] / 255;
    return { px, width: img.width, height: img.height, channels: img.channels };
  }
  if (input === null || typeof input !== "object" || !("data" in input)) {
    throw new TypeError("image must be PNG bytes, an ImageData, or {data, width, height, channels}");
  }
  const { data, width, height } = input as PixelsInput;
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
  const channels = (input as PixelsInput).channels ?? data.length / n;
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
  const px = new Float32Array(data.length);
  if (isFloat) {
    for (let i = 0; i < px.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) {
        throw new TypeError(`image data[${i}] is ${v}; expected a finite value in [0,1]`);
      }
      px[i] = v;
    }
  } else {
    for (let i = 0; i < px.length; i++) px[i] = data[i] / 255;
  }
  return { px, width, height, channels };
}

/** Convert interleaved pixels to planar (C,H,W) with the wanted channel count. */
function toPlanar(px: Float32Array, n: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(outC * n);
  const hasAlpha = inC === 2 || inC === 4;
  const color = inC >= 3;
  for (let i = 0; i < n; i++) {
    const b = i * inC;
    const a = hasAlpha ? px[b + inC - 1] : 1;
    const r = px[b] * a;
    const g = color ? px[b + 1] * a : r;
    const bl = color ? px[b + 2] * a : r;
    if (outC === 1) out[i] = color ? 0.299 * r + 0.587 * g + 0.114 * bl : r;
    else {
      out[i] = r;
      out[n + i] = g;
      out[2 * n + i] = bl;
    }
  }
  return out;
}

/** Resize one plane: area average when shrinking an axis, bilinear when growing. */
export function resizePlane(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (sw === dw && sh === dh) return src.slice();
  const axis = (sn: number, dn: number) => {
    // per destination index: list of (source index, weight)
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
  };
  const ax = axis(sw, dw), ay = axis(sh, dh);
  const tmp = new Float32Array(sh * dw); // horizontal pass
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      const is = ax.idx[x], ws = ax.wts[x];
      for (let k = 0; k < is.length; k++) acc += src[y * sw + is[k]] * ws[k];
      tmp[y * dw + x] = acc;
    }
  }
  const out = new Float32Array(dh * dw);
  for (let y = 0; y < dh; y++) {
    const is = ay.idx[y], ws = ay.wts[y];
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let k = 0; k < is.length; k++) acc += tmp[is[k] * dw + x] * ws[k];
      out[y * dw + x] = acc;
    }
  }
  return out;
}

/**
 * Prepare an image for a model whose per-sample input is (C,H,W) with C 1 or 3.
 * Returns a normalised (C,H,W) Float32Array.
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
  const { px, width, height, channels } = await toFloatPixels(input);
  const planar = toPlanar(px, width * height, channels, C);
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) {
    const plane = resizePlane(
      planar.subarray(c * width * height, (c + 1) * width * height),
      width,
      height,
      W,
      H,
    );
    const ch = norm && "mean" in norm ? norm : null;
    const m = ch?.mean[c] ?? 0, s = ch?.std[c] ?? 1;
    for (let i = 0; i < H * W; i++) out[c * H * W + i] = (plane[i] - m) / s;
  }
  return out;
}
