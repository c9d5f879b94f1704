// IDX reader for MNIST-format files (raw or gzip). Invariants: every check
// happens before data is copied; a bad file throws TypeError (wrong magic,
// wrong dims) or RangeError (truncated, counts, label out of range) whose
// message names the file and says what was got versus expected. Images are
// rank 3 (N,H,W) gray or rank 4 color — (N,H,W,C) channels-last when the last
// dim is 1, 3 or 4, else (N,C,H,W) with C 1 or 3 — and are returned as u8
// (N,C,H,W) with C 1 or 3 (a fourth channel, alpha, is dropped); labels as u8 (N).

/** Magic of an unsigned-byte rank-3 tensor (gray images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic of an unsigned-byte rank-4 tensor (color images). */
export const IDX_IMAGES4_MAGIC = 0x00000804;
/** Magic of an unsigned-byte rank-1 tensor (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  /** (N,C,H,W) pixels 0..255 */
  pixels: Uint8Array;
  n: number;
  c: number;
  h: number;
  w: number;
}

/** Most bytes an IDX file may hold once decompressed (RangeError beyond, before they are inflated). */
export const MAX_IDX_BYTES = 2 ** 30;

/** Compressed bytes inflated per step. */
const GZIP_SLICE = 8192;

/** Bytes per element of the IDX type codes. */
const IDX_ELEMENT_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/**
 * The size an IDX file's header declares (header + every element), from its
 * first bytes; undefined while too few bytes are in, null when they are not
 * an IDX header.
 */
function idxDeclaredBytes(head: Uint8Array): number | null | undefined {
  if (head.length < 4) return undefined;
  const size = IDX_ELEMENT_BYTES[head[2]], rank = head[3];
  if (head[0] !== 0 || head[1] !== 0 || !size || rank < 1) return null;
  const need = 4 + 4 * rank;
  if (head.length < need) return undefined;
  const dv = new DataView(head.buffer, head.byteOffset, need);
  let n = size;
  for (let i = 0; i < rank; i++) n *= dv.getUint32(4 + 4 * i, false);
  return need + n;
}

/**
 * Decompress gzip bytes with the web DecompressionStream, as far as the IDX
 * header at the start of the output declares (and at most `maxBytes`): a
 * small file that inflates past its header is refused as soon as it does,
 * holding no more than the declared size; output that does not start with an
 * IDX header stops at its first chunk (the parser then refuses its magic).
 */
export async function gunzip(bytes: Uint8Array, name: string, maxBytes = MAX_IDX_BYTES): Promise<Uint8Array> {
  // fed 8 KiB at a time, pulled: deflate expands at most ~1,032×, so one slice inflates to ≤ 8.1 MiB and
  // nothing is inflated ahead of the reader (a whole buffer at once inflates in one go, bomb and all)
  let at = 0;
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + GZIP_SLICE));
      at += GZIP_SLICE;
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0, limit = maxBytes, declared: number | null | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (declared === undefined) {
        declared = idxDeclaredBytes(chunks.length === 1 ? value : concat(chunks, Math.min(total, 64)));
        if (declared === null) break; // not IDX: the parser refuses its magic from what is here
        if (declared !== undefined) {
          if (declared > maxBytes) {
            throw new RangeError(
              `${name}: its IDX header declares ${declared} bytes, over the limit ${maxBytes}`,
            );
          }
          limit = declared;
        }
      }
      if (total > limit) {
        throw new RangeError(
          `${name}: inflates past ${limit} bytes, ${
            declared ? "the size its IDX header declares" : "the limit"
          }`,
        );
      }
    }
    if (declared === null) reader.cancel().catch(() => {});
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof RangeError) throw e;
    throw new TypeError(`${name}: not a valid gzip stream (${(e as Error).message})`);
  }
  return concat(chunks, total);
}

/** The first `n` bytes of `chunks`, joined. */
function concat(chunks: Uint8Array[], n: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === n) return chunks[0];
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    if (at >= n) break;
    const part = c.subarray(0, n - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Undo gzip when the bytes start with the gzip magic 1f 8b. */
export function maybeGunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> | Uint8Array {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes, name) : bytes;
}

const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");

function header(bytes: Uint8Array, name: string, magics: number[]): number[] {
  if (bytes.length < 8) {
    throw new RangeError(`${name}: truncated header, got ${bytes.length} bytes, expected at least 8`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = dv.getUint32(0, false);
  if (!magics.includes(got)) {
    throw new TypeError(
      `${name}: bad IDX magic ${hex(got)}, expected ${magics.map(hex).join(" or ")} (${
        magics[0] === IDX_LABELS_MAGIC ? "labels" : "images"
      })`,
    );
  }
  const rank = got & 0xff, need = 4 + 4 * rank;
  if (bytes.length < need) {
    throw new RangeError(`${name}: truncated header, got ${bytes.length} bytes, expected at least ${need}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  return dims;
}

/** Parse an (already decompressed) IDX image file. */
export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const dims = header(bytes, name, [IDX_IMAGES_MAGIC, IDX_IMAGES4_MAGIC]);
  // layout of a rank-4 file: channels-last when the last dim is a channel count
  const last = dims.length === 4 && [1, 3, 4].includes(dims[3]);
  const [n, h, w, c] = dims.length === 3
    ? [dims[0], dims[1], dims[2], 1]
    : last
    ? [dims[0], dims[1], dims[2], dims[3]]
    : [dims[0], dims[2], dims[3], dims[1]];
  if (n < 1 || h < 1 || w < 1 || h > 4096 || w > 4096 || !(last || c === 1 || c === 3)) {
    throw new RangeError(
      `${name}: image dims (${
        dims.join(",")
      }) out of range, expected N>=1, 1<=H,W<=4096 and 1, 3 or 4 channels`,
    );
  }
  const head = 4 + 4 * dims.length;
  const want = head + n * h * w * c;
  const what = `${n} images of ${h}x${w}${c > 1 ? `x${c}` : ""}`;
  if (bytes.length < want) {
    throw new RangeError(`${name}: truncated, header says ${what} = ${want} bytes, file has ${bytes.length}`);
  }
  if (bytes.length > want) {
    throw new RangeError(`${name}: ${bytes.length - want} trailing bytes after ${what}`);
  }
  const src = bytes.subarray(head, want);
  const outC = c === 4 ? 3 : c;
  if (!last || c === 1) return { pixels: src.slice(), n, c: outC, h, w };
  const hw = h * w, pixels = new Uint8Array(n * outC * hw);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < outC; k++) pixels[(i * outC + k) * hw + p] = src[(i * hw + p) * c + k];
    }
  }
  return { pixels, n, c: outC, h, w };
}

/** Parse an (already decompressed) IDX label file; every label must be < numClasses. */
export function parseIdxLabels(bytes: Uint8Array, name: string, numClasses: number): Uint8Array {
  const [n] = header(bytes, name, [IDX_LABELS_MAGIC]);
  const want = 8 + n;
  if (bytes.length < want) {
    throw new RangeError(`${name}: truncated, header says ${n} labels, file has ${bytes.length - 8}`);
  }
  if (bytes.length > want) {
    throw new RangeError(`${name}: ${bytes.length - want} trailing bytes after ${n} labels`);
  }
  const labels = bytes.slice(8, want);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= numClasses) {
      throw new RangeError(
        `${name}: label ${labels[i]} at index ${i} out of range, expected 0..${numClasses - 1}`,
      );
    }
  }
  return labels;
}

/** Read a file from disk, gunzipping when needed. */
async function readMaybeGz(path: string): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = await Deno.readFile(path);
  } catch (e) {
    throw new TypeError(`${path}: cannot read (${(e as Error).message})`);
  }
  return await maybeGunzip(raw, path);
}

export interface IdxPair {
  images: IdxImages;
  labels: Uint8Array;
}

/** Read an images + labels pair and check that their counts match. */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  numClasses: number,
): Promise<IdxPair> {
  const images = parseIdxImages(await readMaybeGz(imagesPath), imagesPath);
  const labels = parseIdxLabels(await readMaybeGz(labelsPath), labelsPath, numClasses);
  if (labels.length !== images.n) {
    throw new RangeError(
      `${labelsPath}: count mismatch, ${labels.length} labels but ${imagesPath} has ${images.n} images`,
    );
  }
  return { images, labels };
}

/** Find `<dir>/<stem>` or `<dir>/<stem>.gz`. */
export async function findIdxFile(dir: string, stem: string): Promise<string> {
  for (const p of [`${dir}/${stem}`, `${dir}/${stem}.gz`]) {
    try {
      if ((await Deno.stat(p)).isFile) return p;
    } catch { /* try the next name */ }
  }
  throw new TypeError(
    `${dir}: neither ${stem} nor ${stem}.gz found (expected an MNIST-format IDX directory)`,
  );
}
