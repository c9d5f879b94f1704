// PNG decoder on the web-standard DecompressionStream: no dependency, every
// PNG kind of the specification — bit depths 1/2/4/8/16, gray, gray+alpha,
// RGB, RGBA, palette, tRNS transparency, Adam7 interlacing — decoded to 8-bit
// channels (16-bit samples keep their high byte, as browsers and libpng do; 1/2/4-bit gray scaled to
// 0..255). Invariants:
// - limits (sides ≤ maxSide, area ≤ maxPixels) are checked on IHDR, before
//   anything is inflated;
// - image data made only of stored (uncompressed) deflate blocks is read in
//   place, its Adler-32 checked; any other image data is inflated as a stream
//   fed in lockstep with its reader, one slice at a time (sized by the ratio
//   seen so far; ≤ 16.5 MiB ever queued), and consumed scanline by scanline;
//   decoding stops as soon as the output exceeds what IHDR allows (no
//   decompression bombs); a non-interlaced image needs O(row) memory
//   (decodePngRows), an interlaced one its even rows (half an 8-bit image);
// - a large decode runs in turns of the event loop (≤ 64 KiB of scanlines and
//   one slice each), so a server answers other requests meanwhile;
// - chunk order is enforced (IHDR first and once, PLTE once before IDAT,
//   consecutive IDATs, IEND); critical chunks' CRCs are checked, ancillary
//   chunks with a bad CRC are ignored (as browsers do); unknown critical
//   chunks are rejected;
// - any defect throws TypeError (malformed) or RangeError (over a limit)
//   saying what was expected.

import { crc32 } from "../format/crc32.ts";

/** Decoded pixels, row-major, `channels` interleaved bytes per pixel. */
export interface RawImage {
  /** width × height × channels bytes */
  data: Uint8Array;
  /** pixels per row */
  width: number;
  /** rows */
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
  channels: 1 | 2 | 3 | 4;
}

/** Size limits checked on the PNG header before decoding. */
export interface PngLimits {
  /** largest width or height (default 4096) */
  maxSide?: number;
  /** largest width × height (default 4096 × 4096) */
  maxPixels?: number;
}

/** What the header says, and the 8-bit channels each decoded row has. */
export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  channels: 1 | 2 | 3 | 4;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Largest image side accepted by default. */
export const MAX_PNG_SIDE = 4096;
/** Largest image accepted by default, in pixels. */
export const MAX_PNG_PIXELS = 4096 * 4096;
/** Largest compressed slice handed to the inflater at once (≤ 16.5 MiB of output at deflate's 1032:1). */
const MAX_SLICE = 16384;
/** Smallest slice: ≤ 258 KiB of output even at 1032:1. */
const MIN_SLICE = 256;
/** Workers deliver MessageChannel messages without letting I/O in between (measured in workerd). */
const messagesYield = typeof MessageChannel === "function" &&
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent !== "Cloudflare-Workers";
/** 8× the work per turn where a turn is a timer (~1 ms) rather than a message (~0.05 ms). */
const TURN_SCALE = messagesYield ? 1 : 8;
/** Output one slice should inflate to, at the ratio seen so far (about 1 ms of inflating, × TURN_SCALE). */
const TURN_OUTPUT = (256 << 10) * TURN_SCALE;
/** Inflated bytes handled between two turns of the host's event loop (about 0.5 ms of work, × TURN_SCALE). */
const TURN_BYTES = (64 << 10) * TURN_SCALE;

/**
 * One turn of the event loop, so that a server answers other requests during
 * a large decode: a message through a fresh MessageChannel (no timer
 * clamping: ~0.05 ms in Deno, Node and Bun), else setTimeout (~1 ms).
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (!messagesYield) return void setTimeout(resolve, 0);
    const ch = new MessageChannel();
    ch.port1.onmessage = () => (ch.port1.close(), resolve());
    ch.port2.postMessage(0);
    ch.port2.close();
  });
}

/** True when the bytes start with the PNG signature. */
export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && SIGNATURE.every((v, i) => b[i] === v);
}

const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7 passes: x0, y0, dx, dy
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [
  0,
  1,
  1,
  2,
]];

interface Parsed extends PngInfo {
  palette: Uint8Array | null;
  trns: Uint8Array | null;
  idat: Uint8Array[];
}

function parseChunks(bytes: Uint8Array, limits: PngLimits): Parsed {
  if (!isPng(bytes)) throw new TypeError("not a PNG: the 8-byte PNG signature is missing");
  const maxSide = limits.maxSide ?? MAX_PNG_SIDE, maxPixels = limits.maxPixels ?? MAX_PNG_PIXELS;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let info: PngInfo | null = null;
  let palette: Uint8Array | null = null, trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatDone = false, sawEnd = false;
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const start = pos + 8;
    if (len > bytes.length - start - 4) {
      throw new TypeError(`PNG chunk "${type}" at byte ${pos} claims ${len} bytes but the file ends first`);
    }
    const body = bytes.subarray(start, start + len);
    const critical = type.charCodeAt(0) < 97; // upper-case first letter
    const crcOk = crc32(bytes, pos + 4, start + len) === dv.getUint32(start + len);
    if (!crcOk && critical) throw new TypeError(`PNG chunk "${type}" at byte ${pos} fails its CRC check`);
    if (type !== "IDAT" && idat.length) idatDone = true;
    if (!info && type !== "IHDR") throw new TypeError(`PNG must start with IHDR, got "${type}"`);
    if (type === "IHDR") {
      if (info) throw new TypeError(`PNG has a second IHDR chunk at byte ${pos}`);
      if (len !== 13) throw new TypeError(`PNG IHDR must be 13 bytes, got ${len}`);
      const width = dv.getUint32(start), height = dv.getUint32(start + 4);
      const [bitDepth, colorType, comp, filter, interlace] = body.subarray(8, 13);
      if (width === 0 || height === 0) {
        throw new TypeError(`PNG size must be positive, got ${width}x${height}`);
      }
      if (width > maxSide || height > maxSide || width * height > maxPixels) {
        throw new RangeError(
          `PNG is ${width}x${height}, over the limit of ${maxSide} pixels a side and ${maxPixels} pixels in all`,
        );
      }
      if (!DEPTHS[colorType]) {
        throw new TypeError(`PNG colour type ${colorType} is invalid (0, 2, 3, 4 or 6)`);
      }
      if (!DEPTHS[colorType].includes(bitDepth)) {
        throw new TypeError(
          `PNG bit depth ${bitDepth} is invalid for colour type ${colorType} (allowed: ${
            DEPTHS[colorType].join(", ")
          })`,
        );
      }
      if (comp !== 0 || filter !== 0) throw new TypeError("PNG compression/filter method must be 0");
      if (interlace > 1) throw new TypeError(`PNG interlace method ${interlace} is invalid (0 or 1)`);
      info = { width, height, bitDepth, colorType, interlaced: interlace === 1, channels: 1 };
    } else if (type === "PLTE") {
      if (palette) throw new TypeError(`PNG has a second PLTE chunk at byte ${pos}`);
      if (idat.length) throw new TypeError("PNG PLTE must come before the image data");
      if (len % 3 !== 0 || len === 0 || len > 768) {
        throw new TypeError(`PNG PLTE must hold 1 to 256 RGB entries, got ${len} bytes`);
      }
      if (info!.colorType === 0 || info!.colorType === 4) {
        throw new TypeError(`PNG colour type ${info!.colorType} must not have a PLTE chunk`);
      }
      palette = body;
    } else if (type === "IDAT") {
      if (idatDone) throw new TypeError(`PNG IDAT chunks must be consecutive (another one at byte ${pos})`);
      if (len) idat.push(body);
    } else if (type === "IEND") {
      sawEnd = true;
      break;
    } else if (type === "tRNS") {
      // ancillary: a bad CRC, a misplaced or malformed tRNS is ignored, as browsers do
      const ct = info!.colorType;
      const okLen = ct === 0 ? len === 2 : ct === 2 ? len === 6 : ct === 3 ? len >= 1 && len <= 256 : false;
      if (crcOk && okLen && !idat.length && !trns) trns = body;
    } else if (critical) {
      throw new TypeError(`PNG has an unknown critical chunk "${type}" at byte ${pos}`);
    }
    pos = start + len + 4;
  }
  if (!info) throw new TypeError("PNG has no IHDR chunk");
  if (!sawEnd) throw new TypeError("PNG is truncated: no IEND chunk");
  if (!idat.length) throw new TypeError("PNG has no IDAT image data");
  if (info.colorType === 3 && !palette) throw new TypeError("palette PNG has no PLTE chunk");
  const ct = info.colorType;
  info.channels = (ct === 0 ? (trns ? 2 : 1) : ct === 4 ? 2 : ct === 6 ? 4 : trns ? 4 : 3) as 1 | 2 | 3 | 4;
  return { ...info, palette: ct === 3 ? palette : null, trns, idat };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undo the row filter of `cur` (filter byte first) in place against the previous unfiltered row. */
function unfilter(cur: Uint8Array, prev: Uint8Array | null, bpp: number, y: number): void {
  const f = cur[0], n = cur.length;
  if (f === 0) return;
  if (f > 4) throw new TypeError(`PNG row ${y} has invalid filter type ${f}`);
  for (let x = 1; x < n; x++) {
    const a = x > bpp ? cur[x - bpp] : 0;
    const b = prev ? prev[x] : 0;
    const c = prev && x > bpp ? prev[x - bpp] : 0;
    const p = f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
    cur[x] = (cur[x] + p) & 255;
  }
}

/** Convert one unfiltered scanline (filter byte first) of `w` pixels into 8-bit output pixels. */
function convertRow(p: Parsed, line: Uint8Array, w: number, out: Uint8Array): void {
  const { bitDepth: d, colorType: ct, palette, trns, channels: oc } = p;
  const s = SAMPLES[ct];
  const src = line.subarray(1);
  // sample i of the line at the file's bit depth
  const sample = (i: number): number => {
    if (d === 8) return src[i];
    if (d === 16) return (src[2 * i] << 8) | src[2 * i + 1];
    const perByte = 8 / d, shift = 8 - d * (1 + (i % perByte));
    return (src[Math.floor(i / perByte)] >> shift) & ((1 << d) - 1);
  };
  const to8 = (v: number) => (d === 16 ? v >> 8 : d === 8 ? v : (v * 255) / ((1 << d) - 1));
  for (let x = 0; x < w; x++) {
    const o = x * oc;
    if (ct === 3) {
      const k = sample(x), n = palette!.length / 3;
      if (k >= n) throw new TypeError(`PNG palette index ${k} out of range (palette has ${n} entries)`);
      out[o] = palette![3 * k];
      out[o + 1] = palette![3 * k + 1];
      out[o + 2] = palette![3 * k + 2];
      if (oc === 4) out[o + 3] = k < trns!.length ? trns![k] : 255;
      continue;
    }
    for (let c = 0; c < s; c++) out[o + c] = to8(sample(x * s + c));
    if (trns && ct === 0) {
      out[o + 1] = sample(x) === ((trns[0] << 8) | trns[1]) ? 0 : 255;
    } else if (trns && ct === 2) {
      const key = (i: number) => (trns[2 * i] << 8) | trns[2 * i + 1];
      const same = sample(3 * x) === key(0) && sample(3 * x + 1) === key(1) && sample(3 * x + 2) === key(2);
      out[o + 3] = same ? 0 : 255;
    }
  }
}

/**
 * The blocks of a zlib stream made only of stored (uncompressed) deflate
 * blocks — what encoders write at compression level 0, and blankPng — read in
 * place, its Adler-32 checked; null for anything else (compressed blocks, or
 * any defect: DecompressionStream then reads it and reports the error).
 */
function storedBlocks(idat: Uint8Array[]): Uint8Array[] | null {
  if (idat[0].length < 3 || (idat[0][2] & 6)) return null; // the first block is compressed: no copy made
  const z = idat.length === 1 ? idat[0] : new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  if (idat.length > 1) idat.reduce((at, p) => (z.set(p, at), at + p.length), 0);
  // zlib header: deflate (CM 8), no preset dictionary, header check
  if (z.length < 6 || (z[0] & 15) !== 8 || (z[1] & 32) || ((z[0] << 8) | z[1]) % 31) return null;
  const blocks: Uint8Array[] = [];
  let pos = 2, final = 0, a = 1, b = 0;
  while (!final) {
    // a stored block starts on a byte: BFINAL, BTYPE 00, padding; LEN, NLEN little-endian
    if (pos + 5 > z.length || (z[pos] & 6)) return null;
    final = z[pos] & 1;
    const len = z[pos + 1] | (z[pos + 2] << 8);
    if ((len ^ (z[pos + 3] | (z[pos + 4] << 8))) !== 0xffff || pos + 5 + len > z.length) return null;
    const blk = z.subarray(pos + 5, pos + 5 + len);
    for (let i = 0; i < len; i++) {
      a = (a + blk[i]) % 65521;
      b = (b + a) % 65521;
    }
    blocks.push(blk);
    pos += 5 + len;
  }
  const adler = ((z[pos] << 24) | (z[pos + 1] << 16) | (z[pos + 2] << 8) | z[pos + 3]) >>> 0;
  return pos + 4 === z.length && adler === ((b << 16) | a) >>> 0 ? blocks : null;
}

/**
 * Inflate the IDAT stream in slices and hand out whole unfiltered scanlines:
 * `onLine` gets each pass's rows in order (`bytes` + 1 filter byte each;
 * `bpp` bytes per pixel, at least 1, for the filters). Throws as soon as the
 * data inflates past the total the passes need.
 */
async function inflateLines(
  idat: Uint8Array[],
  lines: { bytes: number; count: number }[],
  bpp: number,
  onLine: (pass: number, y: number, line: Uint8Array) => void,
): Promise<void> {
  const total = lines.reduce((a, l) => a + l.count * (l.bytes + 1), 0);
  let pass = 0, row = 0, fill = 0, n = 0;
  while (pass < lines.length && lines[pass].count === 0) pass++;
  let cur = new Uint8Array(pass < lines.length ? lines[pass].bytes + 1 : 0);
  let prev: Uint8Array<ArrayBuffer> | null = null;
  /** Cut inflated bytes into scanlines, unfilter and hand them out. */
  const take = (value: Uint8Array) => {
    if (n + value.length > total) {
      throw new TypeError(`PNG image data inflates past the ${total} bytes its header allows`);
    }
    n += value.length;
    let i = 0;
    while (i < value.length) {
      const t = Math.min(cur.length - fill, value.length - i);
      cur.set(value.subarray(i, i + t), fill);
      fill += t;
      i += t;
      if (fill < cur.length) break;
      unfilter(cur, prev, bpp, row);
      onLine(pass, row, cur);
      [prev, cur] = [cur, prev && prev.length === cur.length ? prev : new Uint8Array(cur.length)];
      fill = 0;
      if (++row === lines[pass].count) {
        row = 0;
        prev = null;
        do pass++; while (pass < lines.length && lines[pass].count === 0);
        if (pass < lines.length) cur = new Uint8Array(lines[pass].bytes + 1);
      }
    }
  };
  let sinceTurn = 0;
  /** take() in pieces, with a turn of the event loop after every TURN_BYTES. */
  const takeThenYield = async (value: Uint8Array) => {
    for (let o = 0; o < value.length;) {
      const piece = value.subarray(o, o + TURN_BYTES - sinceTurn);
      take(piece);
      o += piece.length;
      sinceTurn += piece.length;
      if (sinceTurn >= TURN_BYTES) (sinceTurn = 0, await nextTurn());
    }
  };
  const stored = storedBlocks(idat);
  if (stored) { for (const b of stored) await takeThenYield(b); }
  else await inflateStream(idat, takeThenYield);
  if (n !== total) throw new TypeError(`PNG image data inflates to ${n} bytes, expected ${total}`);
}

/** Inflate `idat` through DecompressionStream in slices, handing each output chunk to `take`. */
async function inflateStream(
  idat: Uint8Array[],
  take: (v: Uint8Array) => Promise<void>,
): Promise<void> {
  const ds = new DecompressionStream("deflate");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  // Feeding in lockstep with the reader, which bounds both the queued output
  // and the work per turn of the event loop. The first slice is written at
  // once; each later one only after the reader has been starved for a whole
  // turn (its queue drained: some runtimes, workerd, inflate eagerly on
  // write and hand the output out 4 KiB per read). Each slice is sized to
  // inflate to about TURN_OUTPUT at the ratio seen so far (the first as if
  // at deflate's worst, 1032:1), so at most 1032 × MAX_SLICE bytes are ever
  // queued, and one write, which inflates at once in some runtimes, never
  // blocks the host for long.
  let reads = 0, readerWaiting = false, stopped = false, fed = 0, out = 0;
  const feeding = (async () => {
    for (const part of idat) {
      for (let o = 0; o < part.length && !stopped;) {
        // wait until the reader is blocked with nothing left to read
        while (fed > 0 && !stopped) {
          const before = reads;
          await nextTurn();
          if (readerWaiting && reads === before) break;
        }
        const ratio = fed > 0 ? Math.max(1, out / fed) : 1032;
        const slice = part.slice(
          o,
          o + Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(TURN_OUTPUT / ratio))),
        );
        o += slice.length;
        await writer.ready;
        writer.write(slice).catch(() => {});
        fed += slice.length;
      }
    }
    if (!stopped) await writer.close();
  })();
  feeding.catch(() => {}); // reported through the reader
  try {
    while (true) {
      readerWaiting = true;
      const { done, value } = await reader.read();
      readerWaiting = false;
      reads++;
      if (done) break;
      out += value.length;
      await take(value);
    }
  } catch (e) {
    stopped = true;
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
    if (e instanceof TypeError && e.message.startsWith("PNG")) throw e;
    throw new TypeError(`PNG image data is not a valid zlib stream: ${(e as Error).message}`);
  }
  await feeding.catch((e) => {
    throw new TypeError(`PNG image data is not a valid zlib stream: ${(e as Error).message}`);
  });
}

/**
 * Where decoded pixels go: `count` pixels of row `y` at columns x0, x0 + dx, …
 * (8-bit, `info.channels` interleaved each; the buffer is reused).
 */
export type PngSpanSink = (y: number, x0: number, dx: number, count: number, pixels: Uint8Array) => void;

/**
 * Decode a PNG as it inflates, holding no image: `onSpan` gets each scanline's
 * pixels where they belong. A non-interlaced image comes as whole rows in
 * order (x0 0, dx 1); an Adam7 one as its passes' sparse rows, pass by pass.
 *
 * @example
 * ```ts
 * import { decodePngSpans } from "./png.ts";
 * const png = Uint8Array.from(atob(
 *   "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
 * ), (c) => c.charCodeAt(0));
 * let pixels = 0;
 * await decodePngSpans(png, (_y, _x0, _dx, count) => pixels += count);
 * console.log(pixels); // 1
 * ```
 */
export async function decodePngSpans(
  bytes: Uint8Array,
  onSpan: PngSpanSink,
  limits: PngLimits = {},
  onInfo?: (info: PngInfo) => void,
): Promise<PngInfo> {
  const p = parseChunks(bytes, limits);
  const { width: w, height: h, bitDepth, colorType, channels: oc } = p;
  const bitsPP = bitDepth * SAMPLES[colorType];
  const bpp = Math.max(1, bitsPP >> 3);
  const lineBytes = (pw: number) => Math.ceil((pw * bitsPP) / 8);
  const info: PngInfo = { width: w, height: h, bitDepth, colorType, interlaced: p.interlaced, channels: oc };
  onInfo?.(info);
  const passes = (p.interlaced ? ADAM7 : [[0, 0, 1, 1]]).map(([x0, y0, dx, dy]) => {
    const pw = w > x0 ? Math.ceil((w - x0) / dx) : 0, ph = h > y0 ? Math.ceil((h - y0) / dy) : 0;
    return { x0, y0, dx, dy, pw, bytes: lineBytes(pw), count: pw ? ph : 0 };
  });
  const pixels = new Uint8Array(w * oc);
  await inflateLines(p.idat, passes, bpp, (k, py, line) => {
    const ps = passes[k];
    convertRow(p, line, ps.pw, pixels);
    onSpan(ps.y0 + py * ps.dy, ps.x0, ps.dx, ps.pw, pixels);
  });
  return info;
}

/**
 * Decode a PNG row by row: `onRow(y, row)` gets each row of 8-bit pixels
 * (`info.channels` interleaved per pixel; the buffer is reused, copy it to
 * keep it) in order. A non-interlaced image is never held in memory whole;
 * an interlaced one holds its even rows (passes 1–6 fill only those; pass 7
 * is the odd rows whole, each handed out with the even row above it).
 *
 * @example
 * ```ts
 * import { decodePngRows } from "./png.ts";
 * const png = Uint8Array.from(atob(
 *   "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
 * ), (c) => c.charCodeAt(0));
 * let rows = 0;
 * const info = await decodePngRows(png, () => rows++);
 * console.log(info.width, info.height, info.channels, rows); // 1 1 1 1
 * ```
 */
export async function decodePngRows(
  bytes: Uint8Array,
  onRow: (y: number, row: Uint8Array) => void,
  limits: PngLimits = {},
  onInfo?: (info: PngInfo) => void,
): Promise<PngInfo> {
  let even: Uint8Array | null = null, stride = 0, oc = 1, next = 0;
  const evenRow = (y: number) => even!.subarray((y >> 1) * stride, ((y >> 1) + 1) * stride);
  const info = await decodePngSpans(
    bytes,
    (y, x0, dx, count, px) => {
      if (!even) return onRow(y, px);
      if (y & 1) return (onRow(next++, evenRow(y - 1)), onRow(next++, px)); // pass 7: whole odd rows
      const o = (y >> 1) * stride;
      for (let i = 0; i < count; i++) {
        const at = o + (x0 + i * dx) * oc;
        for (let c = 0; c < oc; c++) even[at + c] = px[i * oc + c];
      }
    },
    limits,
    (i) => {
      (stride = i.width * i.channels, oc = i.channels);
      if (i.interlaced) even = new Uint8Array(Math.ceil(i.height / 2) * stride);
      onInfo?.(i);
    },
  );
  // the last row of an odd height (every row when the height is 1) has no odd row after it
  if (even) { for (; next < info.height; next += 2) onRow(next, evenRow(next)); }
  return info;
}

/**
 * Decode PNG bytes into raw 8-bit pixels.
 *
 * @example
 * ```ts
 * import { decodePng } from "../../mod.ts";
 * // a 1x1 gray PNG
 * const png = Uint8Array.from(atob(
 *   "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
 * ), (c) => c.charCodeAt(0));
 * const img = await decodePng(png);
 * if (img.width !== 1 || img.channels !== 1) throw new Error("unexpected");
 * ```
 */
export async function decodePng(bytes: Uint8Array, limits: PngLimits = {}): Promise<RawImage> {
  let data = new Uint8Array(0), stride = 0;
  const info = await decodePngRows(bytes, (y, row) => data.set(row, y * stride), limits, (i) => {
    stride = i.width * i.channels;
    data = new Uint8Array(stride * i.height);
  });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
