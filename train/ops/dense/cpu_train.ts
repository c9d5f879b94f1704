// Fast float32 fully connected layer for the CPU training backend on the
// runtime gemm (runtime/cpu/gemm.ts: float64 accumulators, one f32 rounding
// per output), fused bias(+ReLU) on the forward store. Same definitions as
// reference.ts. Shapes: x, dx (N, inF); w (outF, inF); b (outF); y, dy (N, outF).
//   y  = act(x·Wᵀ + b)                      gemmNT(W, x) stored transposed
//   dW = δᵀ (outF, N) · x (N, inF)          gemmNT(δᵀ, xᵀ)
//   dX = δ (N, outF) · W (outF, inF)        gemmNT(δ, Wᵀ)
// Invariants: scratch grows with reserve(cap) only (no allocation per step);
// with `relu` backward masks δ in place where y ≤ 0; dW and db sums are
// float64 (caller zeroes them).

import { gemmNT } from "../../../runtime/cpu/gemm.ts";

export class Dense32 {
  readonly inF: number;
  readonly outF: number;
  readonly relu: boolean;
  readonly #wT: Float32Array;
  readonly #dwTmp: Float32Array;
  #xT = new Float32Array(0);
  #dyT = new Float32Array(0);
  #cap = 0;

  constructor(inF: number, outF: number, relu: boolean) {
    this.inF = inF;
    this.outF = outF;
    this.relu = relu;
    this.#wT = new Float32Array(inF * outF);
    this.#dwTmp = new Float32Array(inF * outF);
  }

  reserve(cap: number): void {
    if (cap <= this.#cap) return;
    this.#xT = new Float32Array(cap * this.inF);
    this.#dyT = new Float32Array(cap * this.outF);
    this.#cap = cap;
  }

  forward(w: Float32Array, b: Float32Array | null, x: Float32Array, y: Float32Array, batch: number): void {
    gemmNT(w, 0, x, 0, this.outF, batch, this.inF, b, this.relu, y, 0, 1, this.outF);
  }

  /** dy is masked in place by the fused ReLU; dx (overwritten) may be null. Needs reserve(batch). */
  backward(
    w: Float32Array,
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    batch: number,
    dw: Float64Array,
    db: Float64Array | null,
    dx: Float32Array | null,
  ): void {
    const { inF, outF } = this;
    const len = batch * outF;
    if (this.relu) { for (let i = 0; i < len; i++) if (!(y[i] > 0)) dy[i] = 0; }
    const dyT = this.#dyT, xT = this.#xT, tmp = this.#dwTmp;
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outF; o++) {
        const d = dy[n * outF + o];
        dyT[o * batch + n] = d;
        if (db) db[o] += d;
      }
      const xB = n * inF;
      for (let i = 0; i < inF; i++) xT[i * batch + n] = x[xB + i];
    }
    gemmNT(dyT, 0, xT, 0, outF, inF, batch, null, false, tmp, 0, inF, 1);
    for (let i = 0; i < outF * inF; i++) dw[i] += tmp[i];
    if (dx) {
      const wT = this.#wT;
      for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) wT[i * outF + o] = w[o * inF + i];
      gemmNT(dy, 0, wT, 0, batch, inF, outF, null, false, dx, 0, inF, 1);
    }
  }
}
