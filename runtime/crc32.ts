// CRC-32 (IEEE 802.3, as zlib/PNG/gzip): reflected polynomial 0xEDB88320,
// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Invariant: the result is an
// unsigned 32-bit integer; crc32 of "123456789" is 0xCBF43926.

let table: Uint32Array | null = null;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/**
 * CRC-32 of `bytes[start, end)`.
 *
 * @example
 * ```ts
 * import { crc32 } from "./crc32.ts";
 * const v = crc32(new TextEncoder().encode("123456789"));
 * if (v !== 0xcbf43926) throw new Error("wrong CRC");
 * ```
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = table ??= makeTable();
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
