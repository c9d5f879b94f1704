// Fast float32 convolution for the CPU training backend: im2col + register-
// blocked gemms (gemm_nn.ts A·B and runtime/cpu/gemm.ts A·Btᵀ; float64
// accumulators, one f32 rounding per output), fused bias(+ReLU) on the store.
// Same definitions as reference.ts (the float64 oracle). Shapes: x is
// (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b (outC); y, dy are
// (N, outC, outH, outW). Per (sample n, group g) the input is unrolled into
// col (K, P), K = (inC/groups)·kh·kw, P = outH·outW, stored for backward:
//   forward  y_ng  = W_g (ocg, K) · col (K, P)       (gemmNN, col as stored)
//   dW_g         += δ_ng (ocg, P) · colᵀ             (gemmNT, col rows as is)
//   dcol (K, P)   = W_gᵀ (K, ocg) · δ_ng             (gemmNN, δ as stored), col2im → dX
//   db           += Σ_p δ
// Invariants: every scratch buffer is allocated once per capacity (no
// allocation per step); with `relu` the stored y is post-ReLU and backward
// masks δ in place where y ≤ 0 (y > 0 ⇔ pre-activation > 0); callers check
// lengths; sums of dW and db are float64.

import { gemmNT } from "../../../runtime/cpu/gemm.ts";
import { gemmNN } from "../../cpu/gemm_nn.ts";
import { type ConvGeometry as ConvGeom, tapRanges } from "../../../runtime/ops/conv/geometry.ts";

export class Conv32 {
  readonly g: ConvGeom;
  readonly relu: boolean;
  readonly K: number;
  readonly P: number;
  readonly icg: number;
  readonly ocg: number;
  readonly #rows: Int32Array;
  readonly #cols: Int32Array;
  /** (cap, groups, K, P) unrolled inputs of the last training forward */
  #col: Float32Array;
  /** (groups, K, ocg) transposed weights, (K, P) dcol, (ocg, K) per-sample dW */
  readonly #wT: Float32Array;
  readonly #dcol: Float32Array;
  readonly #dwTmp: Float32Array;
  #cap = 0;

  constructor(g: ConvGeom, relu: boolean) {
    this.g = g;
    this.relu = relu;
    this.icg = g.inC / g.groups;
    this.ocg = g.outC / g.groups;
    this.K = this.icg * g.kh * g.kw;
    this.P = g.outH * g.outW;
    this.#rows = tapRanges(g.outH, g.kh, g.sh, g.dh, g.pt, g.inH);
    this.#cols = tapRanges(g.outW, g.kw, g.sw, g.dw, g.pl, g.inW);
    this.#col = new Float32Array(0);
    this.#wT = new Float32Array(g.groups * this.K * this.ocg);
    this.#dcol = new Float32Array(this.K * this.P);
    this.#dwTmp = new Float32Array(this.ocg * this.K);
  }

  /** Make room for `cap` samples of stored col (training). */
  reserve(cap: number): void {
    if (cap <= this.#cap) return;
    this.#col = new Float32Array(cap * this.g.groups * this.K * this.P);
    this.#cap = cap;
  }

  /** Unroll sample/group input at x[xOff…] into col[cOff…] as (K, P); padding cells are 0. */
  #im2col(x: Float32Array, xOff: number, col: Float32Array, cOff: number): void {
    col.fill(0, cOff, cOff + this.K * this.P);
    this.#colRows(xOff, cOff, (xr, cr, ox0, ox1, sw) => {
      if (sw === 1) { for (let ox = ox0; ox < ox1; ox++) col[cr + ox] = x[xr + ox]; }
      else for (let ox = ox0; ox < ox1; ox++) col[cr + ox] = x[xr + ox * sw];
    });
  }

  /** dx[sample/group at xOff…] += scatter of dcol (K, P): the adjoint of im2col. */
  #col2im(dcol: Float32Array, dx: Float32Array, xOff: number): void {
    this.#colRows(xOff, 0, (xr, cr, ox0, ox1, sw) => {
      for (let ox = ox0; ox < ox1; ox++) dx[xr + ox * sw] += dcol[cr + ox];
    });
  }

  /**
   * The runs that im2col copies and col2im scatters back: for each (ic, u, v)
   * and output row oy, `row(xr, cr, ox0, ox1, sw)` pairs x[xr + ox·sw] with
   * col[cr + ox] for ox0 ≤ ox < ox1 (the taps inside the input).
   */
  #colRows(
    xOff: number,
    cOff: number,
    row: (xr: number, cr: number, ox0: number, ox1: number, sw: number) => void,
  ): void {
    const { kh, kw, sh, sw, dh, dw, pt, pl, inH, inW, outW } = this.g;
    const rows = this.#rows, cols = this.#cols, P = this.P, inPlane = inH * inW;
    for (let ic = 0; ic < this.icg; ic++) {
      const xB = xOff + ic * inPlane;
      for (let u = 0; u < kh; u++) {
        const oy0 = rows[2 * u], oy1 = rows[2 * u + 1];
        for (let v = 0; v < kw; v++) {
          const ox0 = cols[2 * v], ox1 = cols[2 * v + 1];
          const cB = cOff + ((ic * kh + u) * kw + v) * P;
          for (let oy = oy0; oy < oy1; oy++) {
            row(xB + (oy * sh - pt + u * dh) * inW + v * dw - pl, cB + oy * outW, ox0, ox1, sw);
          }
        }
      }
    }
  }

  /**
   * y = act(conv(x, w) + b) for `batch` samples. With `keep` (training) the
   * unrolled inputs are stored for backward (reserve(batch) first).
   */
  forward(
    w: Float32Array,
    b: Float32Array | null,
    x: Float32Array,
    y: Float32Array,
    batch: number,
    keep: boolean,
  ): void {
    const { inC, inH, inW, outC, groups } = this.g;
    const { K, P, icg, ocg } = this;
    const inPlane = inH * inW;
    const col = keep ? this.#col : this.#dcol; // eval: dcol is free scratch of (K, P)
    for (let n = 0; n < batch; n++) {
      for (let grp = 0; grp < groups; grp++) {
        const cOff = keep ? (n * groups + grp) * K * P : 0;
        this.#im2col(x, (n * inC + grp * icg) * inPlane, col, cOff);
        const yOff = (n * outC + grp * ocg) * P;
        gemmNN(w, grp * ocg * K, col, cOff, P, ocg, P, K, b, grp * ocg, this.relu, y, yOff, P);
      }
    }
  }

  /**
   * Gradients from δ (dy, modified in place by the ReLU mask): dw += , db += (float64,
   * caller zeroes them), dx = (overwritten; null skips it). Uses the col stored by
   * the last forward with keep = true on the same batch.
   */
  backward(
    w: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    batch: number,
    dw: Float64Array,
    db: Float64Array | null,
    dx: Float32Array | null,
  ): void {
    const { inC, inH, inW, outC, groups } = this.g;
    const { K, P, icg, ocg } = this;
    const len = batch * outC * P;
    if (this.relu) { for (let i = 0; i < len; i++) if (!(y[i] > 0)) dy[i] = 0; }
    if (db) {
      for (let n = 0; n < batch; n++) {
        for (let oc = 0; oc < outC; oc++) {
          const base = (n * outC + oc) * P;
          let s = 0;
          for (let p = 0; p < P; p++) s += dy[base + p];
          db[oc] += s;
        }
      }
    }
    const wT = this.#wT, dcol = this.#dcol, tmp = this.#dwTmp, col = this.#col;
    if (dx) {
      dx.fill(0, 0, batch * inC * inH * inW);
      for (let grp = 0; grp < groups; grp++) { // (ocg, K) → (K, ocg) per group
        for (let o = 0; o < ocg; o++) {
          const s = (grp * ocg + o) * K, d = grp * K * ocg + o;
          for (let k = 0; k < K; k++) wT[d + k * ocg] = w[s + k];
        }
      }
    }
    for (let n = 0; n < batch; n++) {
      for (let grp = 0; grp < groups; grp++) {
        const yOff = (n * outC + grp * ocg) * P;
        const cOff = (n * groups + grp) * K * P;
        gemmNT(dy, yOff, col, cOff, ocg, K, P, null, false, tmp, 0, K, 1);
        const wB = grp * ocg * K;
        for (let i = 0; i < ocg * K; i++) dw[wB + i] += tmp[i];
        if (dx) {
          gemmNN(wT, grp * K * ocg, dy, yOff, P, K, P, ocg, null, 0, false, dcol, 0, P);
          this.#col2im(dcol, dx, (n * inC + grp * icg) * inH * inW);
        }
      }
    }
  }
}
