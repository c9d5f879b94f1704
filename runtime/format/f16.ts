// IEEE 754 binary16 ("half") <-> binary32 conversion. Encoding rounds to
// nearest, ties to even, produces subnormals below 2^-14, ±Infinity above
// 65504 (after rounding) and a quiet NaN (0x7e00) for NaN. Decoding is exact.
// Invariant: f16BitsToF32(f32ToF16Bits(x)) is the binary16 value nearest x.

const f32 = /* @__PURE__ */ new Float32Array(1);
const u32 = /* @__PURE__ */ new Uint32Array(f32.buffer);

/**
 * binary16 bit pattern of the value nearest `x` (round to nearest even).
 *
 * @example
 * ```ts
 * import { f32ToF16Bits } from "./f16.ts";
 * if (f32ToF16Bits(1) !== 0x3c00) throw new Error("1.0 is 0x3c00");
 * ```
 */
export function f32ToF16Bits(x: number): number {
  f32[0] = x; // first round to f32, as the tensors are f32
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00); // NaN / Inf
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // subnormal half (or zero): value = mant16 * 2^-24
    if (e < -10) return sign; // below half the smallest subnormal: rounds to 0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e; // 14..24
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    const r = rem > mid || (rem === mid && (half & 1)) ? half + 1 : half;
    return sign | r; // r may carry into the smallest normal (0x0400): still correct
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  const r = rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? half + 1 : half;
  return sign | r; // carry may reach 0x7c00 = Infinity: correct rounding
}

/**
 * The value of a binary16 bit pattern (exact).
 *
 * @example
 * ```ts
 * import { f16BitsToF32 } from "./f16.ts";
 * if (f16BitsToF32(0xc000) !== -2) throw new Error("0xc000 is -2");
 * ```
 */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** Encode a whole array to binary16 bit patterns. */
export function encodeF16(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f32ToF16Bits(x[i]);
  return out;
}

/** Decode binary16 bit patterns to f32 (exact). */
export function decodeF16(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = f16BitsToF32(h[i]);
  return out;
}
