// Minimal 8-bit PNG decoder on the web-standard DecompressionStream: no
// dependency. Supports colour types 0 (gray), 2 (RGB), 3 (palette), 4
// (gray+alpha), 6 (RGBA), bit depth 8, non-interlaced. Invariants: every
// length is checked before it is used; inflated data is capped at exactly the
// size the header justifies (no zip bombs); any defect throws TypeError
// (malformed) or RangeError (over the size limit) saying what was expected.

/** Decoded pixels, row-major, `channels` interleaved bytes per pixel. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Largest image accepted, in pixels. */
export const MAX_PNG_PIXELS = 4096 * 4096;

/** True when the bytes start with the PNG signature. */
export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && SIGNATURE.every((v, i) => b[i] === v);
}

async function inflate(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const ds = new DecompressionStream("deflate");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const out = new Uint8Array(limit);
  let n = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > limit) {
        throw new TypeError(`PNG image data inflates past the ${limit} bytes its header allows`);
      }
      out.set(value, n);
      n += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof TypeError && e.message.startsWith("PNG")) throw e;
    throw new TypeError(`PNG image data is not a valid zlib stream: ${(e as Error).message}`);
  }
  if (n !== limit) throw new TypeError(`PNG image data inflates to ${n} bytes, expected ${limit}`);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode PNG bytes into raw 8-bit pixels.
 *
 * @example
 * ```ts
 * import { decodePng } from "../mod.ts";
 * // a 1x1 gray PNG
 * const png = Uint8Array.from(atob(
 *   "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
 * ), (c) => c.charCodeAt(0));
 * const img = await decodePng(png);
 * if (img.width !== 1 || img.channels !== 1) throw new Error("unexpected");
 * ```
 */
export async function decodePng(bytes: Uint8Array): Promise<RawImage> {
  if (!isPng(bytes)) throw new TypeError("not a PNG: the 8-byte PNG signature is missing");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, colorType = -1;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatLen = 0;
  let sawEnd = false;
  while (pos + 8 <= bytes.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const start = pos + 8;
    if (len > bytes.length - start - 4) {
      throw new TypeError(`PNG chunk "${type}" at byte ${pos} claims ${len} bytes but the file ends first`);
    }
    const body = bytes.subarray(start, start + len);
    if (type === "IHDR") {
      if (len !== 13) throw new TypeError(`PNG IHDR must be 13 bytes, got ${len}`);
      width = dv.getUint32(start);
      height = dv.getUint32(start + 4);
      const depth = body[8];
      colorType = body[9];
      if (width === 0 || height === 0) {
        throw new TypeError(`PNG size must be positive, got ${width}x${height}`);
      }
      if (width * height > MAX_PNG_PIXELS) {
        throw new RangeError(`PNG is ${width}x${height}, larger than the ${MAX_PNG_PIXELS}-pixel limit`);
      }
      if (depth !== 8) throw new TypeError(`only 8-bit PNGs are supported, got bit depth ${depth}`);
      if (![0, 2, 3, 4, 6].includes(colorType)) {
        throw new TypeError(`PNG colour type ${colorType} is invalid`);
      }
      if (body[10] !== 0 || body[11] !== 0) throw new TypeError("PNG compression/filter method must be 0");
      if (body[12] !== 0) throw new TypeError("interlaced PNGs are not supported; save it non-interlaced");
    } else if (colorType < 0) {
      throw new TypeError(`PNG must start with IHDR, got "${type}"`);
    } else if (type === "PLTE") {
      palette = body;
    } else if (type === "tRNS") {
      trns = body;
    } else if (type === "IDAT") {
      idat.push(body);
      idatLen += len;
    } else if (type === "IEND") {
      sawEnd = true;
      break;
    }
    pos = start + len + 4;
  }
  if (colorType < 0) throw new TypeError("PNG has no IHDR chunk");
  if (!sawEnd) throw new TypeError("PNG is truncated: no IEND chunk");
  if (idatLen === 0) throw new TypeError("PNG has no IDAT image data");
  const bpp = [1, 0, 3, 1, 2, 0, 4][colorType];
  const stride = width * bpp;
  const joined = new Uint8Array(idatLen);
  let o = 0;
  for (const c of idat) {
    joined.set(c, o);
    o += c.length;
  }
  const raw = await inflate(joined, height * (stride + 1));
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    const up = dst - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp] : 0;
      const b = y > 0 ? px[up + x] : 0;
      const c = x >= bpp && y > 0 ? px[up + x - bpp] : 0;
      const v = raw[src + x];
      let r: number;
      if (f === 0) r = v;
      else if (f === 1) r = v + a;
      else if (f === 2) r = v + b;
      else if (f === 3) r = v + ((a + b) >> 1);
      else if (f === 4) r = v + paeth(a, b, c);
      else throw new TypeError(`PNG row ${y} has invalid filter type ${f}`);
      px[dst + x] = r & 255;
    }
  }
  if (colorType !== 3) return { data: px, width, height, channels: bpp as 1 | 2 | 3 | 4 };
  if (!palette || palette.length % 3 !== 0) throw new TypeError("palette PNG has no valid PLTE chunk");
  const n = palette.length / 3;
  const outC = trns ? 4 : 3;
  const out = new Uint8Array(width * height * outC);
  for (let i = 0; i < px.length; i++) {
    const k = px[i];
    if (k >= n) throw new TypeError(`PNG palette index ${k} out of range (palette has ${n} entries)`);
    out.set(palette.subarray(k * 3, k * 3 + 3), i * outC);
    if (trns) out[i * outC + 3] = k < trns.length ? trns[k] : 255;
  }
  return { data: out, width, height, channels: outC };
}
