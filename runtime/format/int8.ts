// Symmetric per-output-channel int8 quantization of a weight tensor whose
// first dimension is the output channel: w is (outC, rest…) row-major.
// Invariants: q ∈ [-127, 127] (−128 is never produced), scale[c] is an f32
// ≥ 0, and the dequantized value is fround(q × scale[c]); for every element
// |w − q·scale| ≤ scale/2 (exactly; an f32 rounding of the product adds at
// most half an ulp). A channel whose max |w| / 127 underflows f32 to 0 gets
// scale 0 and dequantizes to 0.

/**
 * Quantize `w` (outChannels rows) to int8 with one scale per row.
 *
 * @example
 * ```ts
 * import { dequantizeInt8, quantizeInt8 } from "./int8.ts";
 * const w = new Float32Array([0.5, -1, 0.25, 2, 0, -2]);
 * const { q, scales } = quantizeInt8(w, 2); // scales[0] = 1/127, scales[1] = 2/127
 * const back = dequantizeInt8(q, scales);
 * if (Math.abs(back[1] + 1) > scales[0] / 2) throw new Error("error above scale/2");
 * ```
 */
export function quantizeInt8(w: Float32Array, outChannels: number): { q: Int8Array; scales: Float32Array } {
  if (!Number.isInteger(outChannels) || outChannels < 1 || w.length % outChannels !== 0) {
    throw new RangeError(
      `outChannels must be a positive integer dividing the ${w.length} weights, got ${outChannels}`,
    );
  }
  const per = w.length / outChannels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    let m = 0;
    for (let i = c * per; i < (c + 1) * per; i++) {
      const a = Math.abs(w[i]);
      if (!Number.isFinite(a)) throw new RangeError(`weight ${i} is ${w[i]}; int8 needs finite weights`);
      if (a > m) m = a;
    }
    const s = Math.fround(m / 127);
    scales[c] = s;
    if (s === 0) continue;
    for (let i = c * per; i < (c + 1) * per; i++) {
      const v = w[i] / s;
      const r = Math.sign(v) * Math.round(Math.abs(v)); // half away from zero
      q[i] = r > 127 ? 127 : r < -127 ? -127 : r;
    }
  }
  return { q, scales };
}

/** Dequantize: out[i] = fround(q[i] × scales[channel of i]); q.length must be a multiple of scales.length. */
export function dequantizeInt8(q: Int8Array, scales: Float32Array): Float32Array {
  if (scales.length < 1 || q.length % scales.length !== 0) {
    throw new RangeError(`${q.length} values do not split into ${scales.length} channels`);
  }
  const per = q.length / scales.length;
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * scales[Math.floor(i / per)];
  return out;
}
