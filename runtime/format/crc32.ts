// CRC-32 (IEEE 802.3, as zlib/PNG/gzip): reflected polynomial 0xEDB88320,
// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Invariant: the result is an
// unsigned 32-bit integer; crc32 of "123456789" is 0xCBF43926.
// Speed (cold start matters: a loader runs this once, before the JIT warms
// up): slice-by-8 over aligned little-endian 32-bit words — one step folds 8
// bytes with 10 loads instead of 16 — with byte-at-a-time head and tail; the
// 8 × 256-entry table is built on first use. Big-endian hosts use the plain
// byte loop (same result). Tables, word views and the running CRC are signed
// int32 (Int32Array, `| 0`): before V8 optimizes the loop, values ≥ 2³¹ read
// from a Uint32Array would each be boxed as a heap number (GC work at load).

/** tables[k·256 + n]: CRC of byte n followed by k zero bytes; null until first use. */
let tables: Int32Array | null = null;
/** Whether a Uint32Array reads bytes little-endian here (checked once). */
const LE = /* @__PURE__ */ new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function makeTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? -306674912 ^ (c >>> 1) : c >>> 1; // -306674912 = 0xedb88320 | 0
    t[n] = c;
  }
  for (let i = 256; i < 8 * 256; i++) {
    const p = t[i - 256];
    t[i] = (p >>> 8) ^ t[p & 0xff];
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
  const T = tables ??= makeTables();
  const t0 = T.subarray(0, 256);
  let c = -1; // 0xffffffff as int32
  let i = start;
  if (LE && end - start >= 16) {
    // head: bytes until the absolute address is 4-aligned
    while (((bytes.byteOffset + i) & 3) !== 0) c = t0[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
    const nw = ((end - i) >> 3) << 1; // whole 8-byte steps, in words
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, nw);
    const t1 = T.subarray(256, 512), t2 = T.subarray(512, 768), t3 = T.subarray(768, 1024);
    const t4 = T.subarray(1024, 1280), t5 = T.subarray(1280, 1536);
    const t6 = T.subarray(1536, 1792), t7 = T.subarray(1792, 2048);
    for (let j = 0; j < nw; j += 2) {
      c ^= w[j];
      const h = w[j + 1];
      c = t7[c & 0xff] ^ t6[(c >>> 8) & 0xff] ^ t5[(c >>> 16) & 0xff] ^ t4[c >>> 24] ^
        t3[h & 0xff] ^ t2[(h >>> 8) & 0xff] ^ t1[(h >>> 16) & 0xff] ^ t0[h >>> 24];
    }
    i += nw << 2;
  }
  for (; i < end; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
