// Test helper: an IDX file (big-endian magic and dims, then the u8 body), for
// building small MNIST-format datasets in tests.

/** IDX bytes: `magic` (0x801 labels, 0x803 gray images, 0x804 color images), `dims`, then `body`. */
export function idx(magic: number, dims: number[], body: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + body.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, magic);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d));
  b.set(body, 4 + 4 * dims.length);
  return b;
}
