// IDX reader for MNIST-format files (raw or gzip). Invariants: every check
// happens before data is copied; a bad file throws TypeError (wrong magic,
// wrong dims) or RangeError (truncated, counts, label out of range) whose
// message names the file and says what was got versus expected. Images are
// returned as u8 pixels (N,H,W) row-major; labels as u8 (N).

/** Magic of an unsigned-byte rank-3 tensor (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic of an unsigned-byte rank-1 tensor (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  /** (N,H,W) pixels 0..255 */
  pixels: Uint8Array;
  n: number;
  h: number;
  w: number;
}

/** Decompress gzip bytes with the web DecompressionStream. */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new TypeError(`${name}: not a valid gzip stream (${(e as Error).message})`);
  }
}

/** Undo gzip when the bytes start with the gzip magic 1f 8b. */
export function maybeGunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> | Uint8Array {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes, name) : bytes;
}

function header(bytes: Uint8Array, name: string, magic: number, rank: number): number[] {
  const need = 4 + 4 * rank;
  if (bytes.length < need) {
    throw new RangeError(`${name}: truncated header, got ${bytes.length} bytes, expected at least ${need}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = dv.getUint32(0, false);
  if (got !== magic) {
    const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");
    throw new TypeError(
      `${name}: bad IDX magic ${hex(got)}, expected ${hex(magic)} (${rank === 3 ? "images" : "labels"})`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  return dims;
}

/** Parse an (already decompressed) IDX image file. */
export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const [n, h, w] = header(bytes, name, IDX_IMAGES_MAGIC, 3);
  if (n < 1 || h < 1 || w < 1 || h > 4096 || w > 4096) {
    throw new RangeError(`${name}: image dims (${n},${h},${w}) out of range, expected N>=1 and 1<=H,W<=4096`);
  }
  const want = 16 + n * h * w;
  if (bytes.length < want) {
    throw new RangeError(
      `${name}: truncated, header says ${n} images of ${h}x${w} = ${want} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > want) {
    throw new RangeError(`${name}: ${bytes.length - want} trailing bytes after ${n} images of ${h}x${w}`);
  }
  return { pixels: bytes.slice(16, want), n, h, w };
}

/** Parse an (already decompressed) IDX label file; every label must be < numClasses. */
export function parseIdxLabels(bytes: Uint8Array, name: string, numClasses: number): Uint8Array {
  const [n] = header(bytes, name, IDX_LABELS_MAGIC, 1);
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
