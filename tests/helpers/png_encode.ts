// Test helper: a small 8-bit PNG encoder (web CompressionStream) that can
// apply any of the five row filters, so the decoder's filters are exercised.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(s).arrayBuffer());
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export interface EncodeOpts {
  /** PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA (default from channels) */
  colorType?: 0 | 2 | 3 | 4 | 6;
  /** row filter to use for every row, or "cycle" to use 0..4 in turn (default 0) */
  filter?: 0 | 1 | 2 | 3 | 4 | "cycle";
  palette?: Uint8Array;
  /** the zlib stream of the filtered rows (default: CompressionStream's deflate) */
  zlib?: (raw: Uint8Array) => Uint8Array;
  /** split the zlib stream into IDAT chunks of this many bytes (default: one chunk) */
  idatBytes?: number;
  /** Adam7: the seven passes' sub-images one after another, each filtered on its own (default false) */
  interlace?: boolean;
}

/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [
  0,
  1,
  1,
  2,
]];

/** The image data stream (before deflate) of `data`: width × height pixels of `bpp` bytes. */
type ImageRows = (
  data: Uint8Array,
  width: number,
  height: number,
  bpp: number,
  opts: EncodeOpts,
) => Uint8Array;

/** Rows of `data` behind their filter bytes. */
const filterRows: ImageRows = (data, width, height, bpp, opts) => {
  const stride = width * bpp;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = opts.filter === "cycle" ? y % 5 : (opts.filter ?? 0);
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = data[y * stride + x];
      const a = x >= bpp ? data[y * stride + x - bpp] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? data[(y - 1) * stride + x - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 255;
    }
  }
  return raw;
};

/** The Adam7 passes of `data`, each a filtered sub-image, concatenated. */
const interlacedRows: ImageRows = (data, width, height, bpp, opts) => {
  const parts = ADAM7.map(([x0, y0, dx, dy]) => {
    const pw = width > x0 ? Math.ceil((width - x0) / dx) : 0,
      ph = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (pw === 0 || ph === 0) return new Uint8Array(0);
    const sub = new Uint8Array(pw * ph * bpp);
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) {
        const from = ((y0 + y * dy) * width + x0 + x * dx) * bpp;
        sub.set(data.subarray(from, from + bpp), (y * pw + x) * bpp);
      }
    }
    return filterRows(sub, pw, ph, bpp, opts);
  });
  const raw = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (raw.set(p, at), at + p.length), 0);
  return raw;
};

/** A zlib stream of stored (uncompressed) deflate blocks of at most `block` bytes each. */
export function zlibStored(raw: Uint8Array, block = 65535): Uint8Array {
  const n = Math.max(1, Math.ceil(raw.length / block));
  const out = new Uint8Array(2 + 5 * n + raw.length + 4), dv = new DataView(out.buffer);
  out.set([0x78, 0x01]);
  let at = 2, a = 1, b = 0;
  for (let k = 0; k < n; k++) {
    const blk = raw.subarray(k * block, Math.min(raw.length, (k + 1) * block)), len = blk.length;
    out.set([k === n - 1 ? 1 : 0, len & 255, len >> 8, ~len & 255, (~len >> 8) & 255], at);
    out.set(blk, at + 5);
    at += 5 + len;
  }
  for (const v of raw) (a = (a + v) % 65521, b = (b + a) % 65521);
  dv.setUint32(at, ((b << 16) | a) >>> 0);
  return out;
}

/** Encode interleaved 8-bit pixels (channels 1, 2, 3 or 4; palette indices for type 3). */
export async function encodePng(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  opts: EncodeOpts = {},
): Promise<Uint8Array> {
  const colorType = opts.colorType ?? ({ 1: 0, 2: 4, 3: 2, 4: 6 } as Record<number, number>)[channels];
  const raw = (opts.interlace ? interlacedRows : filterRows)(data, width, height, channels, opts);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  ihdr[12] = opts.interlace ? 1 : 0;
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr)];
  if (opts.palette) parts.push(chunk("PLTE", opts.palette));
  const z = opts.zlib ? opts.zlib(raw) : await deflate(raw), step = opts.idatBytes ?? z.length;
  for (let o = 0; o < z.length; o += step) parts.push(chunk("IDAT", z.subarray(o, o + step)));
  parts.push(chunk("IEND", new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}

/** Pixel `i` of decoded 8-bit pixels with 1–4 channels as [r, g, b, a]. */
export function rgbaAt(data: Uint8Array, channels: number, i: number): number[] {
  const o = i * channels, d = data;
  return channels === 1
    ? [d[o], d[o], d[o], 255]
    : channels === 2
    ? [d[o], d[o], d[o], d[o + 1]]
    : channels === 3
    ? [d[o], d[o + 1], d[o + 2], 255]
    : [d[o], d[o + 1], d[o + 2], d[o + 3]];
}
