// Float64 reference convolution (cross-correlation) and its backward pass,
// straight from the definitions; 1-D convolutions use the 2-D form (kh = 1).
// Shapes: x is (N, inC, inH, inW); w is (outC, inC/groups, kh, kw); b is
// (outC); y and dy are (N, outC, outH, outW).
//   y[n,o,i,j] = b[o] + Σ_{c∈group(o),u,v} w[o,c,u,v]·x[n,c, i·sh−pt+u·dh, j·sw−pl+v·dw]
// (out-of-range input cells are zero padding). Backward:
//   dW = valid correlation of the input with δ (dilated by the stride);
//   dX = full correlation of δ with the 180°-rotated kernel, computed as the
//        exact adjoint of the forward sum (every (output, tap) pair adds
//        w·δ to the input cell it read), which is the same sum;
//   db = Σ δ over N and positions.
// Layout: per (sample, group) the input is unrolled into col (K, P) with
// K = (inC/groups)·kh·kw taps and P = outH·outW positions (zero where a tap
// reads padding), so y = W·col, dW = δ·colᵀ, dcol = Wᵀ·δ, and dX is dcol
// scattered back (col2im). Invariant: no allocation in the hot loops; the
// valid output range of each kernel tap is precomputed (no bounds tests).

import type { Window2d } from "../../runtime/spec.ts";

export type ConvGeom = Window2d & { groups: number };

/** For each tap k: [lo, hi) of output positions o whose input o·s − p + k·d lies in [0, len). */
export function tapRanges(
  outLen: number,
  k: number,
  s: number,
  d: number,
  p: number,
  len: number,
): Int32Array {
  const r = new Int32Array(2 * k);
  for (let t = 0; t < k; t++) {
    const off = t * d - p; // input = o·s + off
    const lo = Math.max(0, Math.ceil(-off / s));
    const hi = Math.min(outLen, Math.floor((len - 1 - off) / s) + 1);
    r[2 * t] = lo;
    r[2 * t + 1] = Math.max(lo, hi);
  }
  return r;
}

/**
 * im2col and its adjoint: every (input cell, col cell) pair of the unrolling of one (sample, group)
 * into col (K, P): gather col = x (`adjoint` false; cells reading padding stay
 * 0) or scatter-add x += col (`adjoint` true, col2im) — one index walk, so
 * the two are exact adjoints.
 */
function unroll(
  g: ConvGeom,
  rows: Int32Array,
  cols: Int32Array,
  x: Float64Array,
  xOff: number,
  col: Float64Array,
  adjoint: boolean,
) {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inH, inW, outH, outW } = g;
  const icg = g.inC / g.groups, P = outH * outW, inPlane = inH * inW;
  if (!adjoint) col.fill(0);
  for (let ic = 0; ic < icg; ic++) {
    const xB = xOff + ic * inPlane;
    for (let u = 0; u < kh; u++) {
      const oy0 = rows[2 * u], oy1 = rows[2 * u + 1];
      for (let v = 0; v < kw; v++) {
        const ox0 = cols[2 * v], ox1 = cols[2 * v + 1];
        const cB = ((ic * kh + u) * kw + v) * P;
        for (let oy = oy0; oy < oy1; oy++) {
          const xr = xB + (oy * sh - pt + u * dh) * inW + v * dw - pl;
          const cr = cB + oy * outW;
          for (let ox = ox0; ox < ox1; ox++) {
            if (adjoint) x[xr + ox * sw] += col[cr + ox];
            else col[cr + ox] = x[xr + ox * sw];
          }
        }
      }
    }
  }
}

/** y = conv(x, w) + b. Returns a new (N, outC, outH, outW) array. */
export function convForward64(
  g: ConvGeom,
  w: Float64Array,
  b: Float64Array | null,
  x: Float64Array,
  batch: number,
): Float64Array {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outC, outH, outW, groups } = g;
  const icg = inC / groups, ocg = outC / groups;
  const rows = tapRanges(outH, kh, sh, dh, pt, inH);
  const cols = tapRanges(outW, kw, sw, dw, pl, inW);
  const P = outH * outW, K = icg * kh * kw, inPlane = inH * inW;
  const col = new Float64Array(K * P);
  const y = new Float64Array(batch * outC * P);
  for (let n = 0; n < batch; n++) {
    for (let grp = 0; grp < groups; grp++) {
      unroll(g, rows, cols, x, (n * inC + grp * icg) * inPlane, col, false);
      for (let oc = grp * ocg; oc < (grp + 1) * ocg; oc++) {
        if (b) y.fill(b[oc], (n * outC + oc) * P, (n * outC + oc + 1) * P);
      }
      let ol = 0;
      for (; ol + 4 <= ocg; ol += 4) { // 4 output channels share each col load
        const oc = grp * ocg + ol;
        const y0 = (n * outC + oc) * P, y1 = y0 + P, y2 = y1 + P, y3 = y2 + P;
        const wB = oc * K;
        for (let k = 0; k < K; k++) {
          const w0 = w[wB + k], w1 = w[wB + K + k], w2 = w[wB + 2 * K + k], w3 = w[wB + 3 * K + k];
          const cB = k * P;
          for (let p = 0; p < P; p++) {
            const c = col[cB + p];
            y[y0 + p] += w0 * c;
            y[y1 + p] += w1 * c;
            y[y2 + p] += w2 * c;
            y[y3 + p] += w3 * c;
          }
        }
      }
      for (; ol < ocg; ol++) {
        const oc = grp * ocg + ol;
        const yB = (n * outC + oc) * P;
        const wB = oc * K;
        for (let k = 0; k < K; k++) {
          const wv = w[wB + k];
          const cB = k * P;
          for (let p = 0; p < P; p++) y[yB + p] += wv * col[cB + p];
        }
      }
    }
  }
  return y;
}

/** Gradients of the convolution: returns dx (like x), dw (like w), db (outC, or null without bias). */
export function convBackward64(
  g: ConvGeom,
  w: Float64Array,
  hasBias: boolean,
  x: Float64Array,
  dy: Float64Array,
  batch: number,
): { dx: Float64Array; dw: Float64Array; db: Float64Array | null } {
  const { kh, kw, sh, sw, dh, dw: dil, pt, pl, inC, inH, inW, outC, outH, outW, groups } = g;
  const icg = inC / groups, ocg = outC / groups;
  const rows = tapRanges(outH, kh, sh, dh, pt, inH);
  const cols = tapRanges(outW, kw, sw, dil, pl, inW);
  const P = outH * outW, K = icg * kh * kw, inPlane = inH * inW;
  const col = new Float64Array(K * P);
  const dcol = new Float64Array(K * P);
  const dx = new Float64Array(x.length);
  const dW = new Float64Array(w.length);
  const db = hasBias ? new Float64Array(outC) : null;
  for (let n = 0; n < batch; n++) {
    for (let grp = 0; grp < groups; grp++) {
      const xOff = (n * inC + grp * icg) * inPlane;
      unroll(g, rows, cols, x, xOff, col, false);
      dcol.fill(0);
      if (db) {
        for (let oc = grp * ocg; oc < (grp + 1) * ocg; oc++) {
          const yB = (n * outC + oc) * P;
          let s = 0;
          for (let p = 0; p < P; p++) s += dy[yB + p];
          db[oc] += s;
        }
      }
      let ol = 0;
      for (; ol + 4 <= ocg; ol += 4) { // 4 output channels share each col/dcol access
        const oc = grp * ocg + ol;
        const y0 = (n * outC + oc) * P, y1 = y0 + P, y2 = y1 + P, y3 = y2 + P;
        const wB = oc * K;
        for (let k = 0; k < K; k++) {
          const w0 = w[wB + k], w1 = w[wB + K + k], w2 = w[wB + 2 * K + k], w3 = w[wB + 3 * K + k];
          const cB = k * P;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let p = 0; p < P; p++) {
            const c = col[cB + p];
            const d0 = dy[y0 + p], d1 = dy[y1 + p], d2 = dy[y2 + p], d3 = dy[y3 + p];
            a0 += d0 * c;
            a1 += d1 * c;
            a2 += d2 * c;
            a3 += d3 * c;
            dcol[cB + p] += w0 * d0 + w1 * d1 + w2 * d2 + w3 * d3;
          }
          dW[wB + k] += a0;
          dW[wB + K + k] += a1;
          dW[wB + 2 * K + k] += a2;
          dW[wB + 3 * K + k] += a3;
        }
      }
      for (; ol < ocg; ol++) {
        const oc = grp * ocg + ol;
        const yB = (n * outC + oc) * P;
        const wB = oc * K;
        for (let k = 0; k < K; k++) {
          const wv = w[wB + k];
          const cB = k * P;
          let acc = 0;
          for (let p = 0; p < P; p++) {
            const d = dy[yB + p];
            acc += d * col[cB + p];
            dcol[cB + p] += wv * d;
          }
          dW[wB + k] += acc;
        }
      }
      unroll(g, rows, cols, dx, xOff, dcol, true); // col2im
    }
  }
  return { dx, dw: dW, db };
}
