// Float64 reference fully connected layer and its backward pass.
// Shapes: x is (N, inF); w is (outF, inF) row-major; b is (outF); y, dy (N, outF).
//   y[n,o] = b[o] + Σ_i w[o,i]·x[n,i]
//   dW[o,i] = Σ_n δ[n,o]·x[n,i];  dX[n,i] = Σ_o w[o,i]·δ[n,o];  db[o] = Σ_n δ[n,o]

import type { WeightedBackward64, WeightedForward64 } from "../grad_entry.ts";

/** The dense layer's sizes. */
type DenseSize = { inF: number; outF: number };

/** y = x·Wᵀ + b. */
export const denseForward64: WeightedForward64<DenseSize> = ({ inF, outF }, w, b, x, batch) => {
  const y = new Float64Array(batch * outF);
  for (let n = 0; n < batch; n++) {
    const xB = n * inF;
    for (let o = 0; o < outF; o++) {
      const wB = o * inF;
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += w[wB + i] * x[xB + i];
      y[n * outF + o] = s;
    }
  }
  return y;
};

/** Gradients of the dense layer. */
export const denseBackward64: WeightedBackward64<DenseSize> = ({ inF, outF }, w, hasBias, x, dy, batch) => {
  const dx = new Float64Array(batch * inF);
  const dw = new Float64Array(outF * inF);
  const db = hasBias ? new Float64Array(outF) : null;
  for (let n = 0; n < batch; n++) {
    const xB = n * inF;
    for (let o = 0; o < outF; o++) {
      // in the forward pass y[n,o] = b[o] + Σ_i w[o,i]·x[n,i]: its δ goes to b[o] whole,
      // to each w[o,i] times x[n,i], and to each x[n,i] times w[o,i]
      const d = dy[n * outF + o];
      if (db) db[o] += d;
      if (d === 0) continue;
      const wB = o * inF;
      for (let i = 0; i < inF; i++) {
        dw[wB + i] += d * x[xB + i];
        dx[xB + i] += d * w[wB + i];
      }
    }
  }
  return { dx, dw, db };
};
