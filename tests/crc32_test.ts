// crc32 (slice-by-8 over aligned words + byte head/tail) against a plain
// byte-at-a-time reference on seeded random data: every start alignment,
// short and long ranges, subarrays at odd byte offsets, and known vectors.

import { assertEquals } from "@std/assert";
import { crc32 } from "../runtime/format/crc32.ts";
import { uniformFn } from "../train/rng.ts";

function reference(b: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

Deno.test("crc32: known vectors", () => {
  const enc = new TextEncoder();
  assertEquals(crc32(enc.encode("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array(0)), 0);
  assertEquals(crc32(enc.encode("The quick brown fox jumps over the lazy dog")), 0x414fa339);
});

Deno.test("crc32: matches the byte-at-a-time reference for every alignment and length", () => {
  const seed = 20240505;
  console.log(`seed ${seed}`);
  const r = uniformFn(seed);
  const buf = new Uint8Array(4096 + 16);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(r() * 256);
  for (let off = 0; off < 8; off++) {
    const view = buf.subarray(off); // byteOffset not a multiple of 4 for most off
    for (const len of [0, 1, 3, 7, 8, 15, 16, 17, 23, 24, 31, 33, 100, 1000, 4095]) {
      for (const start of [0, 1, 2, 3, 5]) {
        const end = Math.min(view.length, start + len);
        assertEquals(
          crc32(view, start, end),
          reference(view, start, end),
          `off ${off} start ${start} len ${len}`,
        );
      }
    }
    assertEquals(crc32(view), reference(view, 0, view.length), `off ${off} whole`);
  }
});
