// The bulk (typed-array view) tensor decode in runtime/format/decode.ts:
// every finite binary16 pattern decodes exactly as f16BitsToF32 says; f32,
// f16 and int8 files decode to the same weights from any byte offset of the
// caller's buffer (aligned views and unaligned copies); int8 equals
// dequantizeInt8; decoded weights never alias the caller's bytes.

import { assert, assertEquals } from "@std/assert";
import { decodeModel, encodeModel } from "../runtime/format/mod.ts";
import { f16BitsToF32 } from "../runtime/format/f16.ts";
import { dequantizeInt8, quantizeInt8 } from "../runtime/format/int8.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
import { uniformFn } from "../train/rng.ts";

/** dense (inF → outF) model with the given weights and seeded biases. */
function dense(inF: number, outF: number, w: Float32Array, seed: number): ModelDesc {
  const r = uniformFn(seed);
  return {
    inputShape: [inF],
    layers: [{ type: "dense", units: outF }],
    params: [[w, Float32Array.from({ length: outF }, () => r() - 0.5)]],
  };
}

/** The same bytes placed at byteOffset `off` of a larger buffer. */
function at(bytes: Uint8Array, off: number): Uint8Array {
  const big = new Uint8Array(bytes.length + off);
  big.set(bytes, off);
  return big.subarray(off);
}

Deno.test("format decode: every finite f16 pattern decodes exactly, from any offset", () => {
  const w = new Float32Array(62 * 1024); // 63488 = 65536 − 2048 non-finite patterns
  let k = 0;
  for (let h = 0; h < 65536; h++) if ((h & 0x7c00) !== 0x7c00) w[k++] = f16BitsToF32(h);
  assertEquals(k, w.length);
  const bytes = encodeModel(dense(1024, 62, w, 1), { dtype: "f16" });
  for (const off of [0, 1, 2, 3]) {
    const got = decodeModel(at(bytes, off)).desc.params[0][0];
    for (let i = 0; i < w.length; i++) {
      if (!Object.is(got[i], w[i])) {
        throw new Error(`offset ${off}: element ${i} is ${got[i]}, expected ${w[i]}`);
      }
    }
  }
});

Deno.test("format decode: f32 and int8 weights are the same from any byte offset and never alias the input", () => {
  const seed = 777;
  console.log(`seed ${seed}`);
  const r = uniformFn(seed);
  const w = Float32Array.from({ length: 37 * 29 }, () => (r() * 2 - 1) * 3);
  const desc = dense(29, 37, w, seed);
  const { q, scales } = quantizeInt8(w, 37);
  const want = { f32: w, int8: dequantizeInt8(q, scales) };
  for (const dtype of ["f32", "int8"] as const) {
    const bytes = encodeModel(desc, { dtype });
    for (const off of [0, 1, 2, 3, 5]) {
      const src = at(bytes, off);
      const p = decodeModel(src).desc.params[0];
      assertEquals(Array.from(p[0]), Array.from(want[dtype]), `${dtype} offset ${off}`);
      assertEquals(Array.from(p[1]), Array.from(desc.params[0][1]), `${dtype} bias, offset ${off}`);
      assert(p[0].buffer !== src.buffer && p[1].buffer !== src.buffer, "weights alias the input bytes");
    }
  }
});
