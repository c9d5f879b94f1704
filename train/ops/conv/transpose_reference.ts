// Float64 reference transposed convolution (conv2dtranspose / conv1dtranspose)
// and its backward pass, as what it is by definition: the adjoint of a
// convolution. With G the conv that maps the transposed conv's output space
// to its input space (same kernel, stride, dilation and leading padding; G's
// weight (outC_G, inC_G/groups, kh, kw) is exactly this layer's
// (inC, outC/groups, kh, kw)):
//   y  = Gᵀ x      — G's input gradient with δ := x   (reference.ts convBackward64 dx)
//   dX = G δ       — G's forward applied to δ          (reference.ts convForward64)
//   dW = G's weight gradient with input δ and output gradient x;  db = Σ δ per channel.
// Written this way the oracle reuses the readable conv loop nest; the CPU
// (transpose_cpu.ts) and WGSL kernels are independent gathers checked against it.
// Shapes: x (N, inC, inH, inW); w (inC, outC/groups, kh, kw); b (outC); y, dy (N, outC, outH, outW).

import type { WeightedBackward64, WeightedForward64 } from "../grad_entry.ts";
import type { ConvGeometry } from "../../../runtime/ops/conv/geometry.ts";
import { convBackward64, convForward64 } from "./reference.ts";

/** The convolution whose adjoint the transposed conv `g` is. */
function adjointConv(g: ConvGeometry): ConvGeometry {
  return { ...g, inC: g.outC, inH: g.outH, inW: g.outW, outC: g.inC, outH: g.inH, outW: g.inW };
}

/** y = convT(x, w) + b. Returns a new (N, outC, outH, outW) array; the signature of convForward64. */
export const convTransposeForward64: WeightedForward64<ConvGeometry> = (g, w, b, x, batch) => {
  const G = adjointConv(g);
  const y = convBackward64(G, w, false, new Float64Array(batch * G.inC * G.inH * G.inW), x, batch).dx;
  const plane = g.outH * g.outW;
  if (b) { for (let k = 0; k < y.length; k++) y[k] += b[Math.floor(k / plane) % g.outC]; }
  return y;
};

/** Gradients: dx (like x), dw (like w), db (outC, or null without bias); the signature of convBackward64. */
export const convTransposeBackward64: WeightedBackward64<ConvGeometry> = (g, w, hasBias, x, dy, batch) => {
  const G = adjointConv(g);
  // in the forward pass y = Gᵀ x (+ b): linear in x, so dx = G δ, G's forward applied to δ
  const dx = convForward64(G, w, null, dy, batch);
  // and y[j] collected w·x over the taps of G with its roles swapped: dw is G's weight gradient of δ and x
  const dw = convBackward64(G, w, false, dy, x, batch).dw;
  const db = hasBias ? new Float64Array(g.outC) : null;
  const plane = g.outH * g.outW;
  if (db) { for (let k = 0; k < dy.length; k++) db[Math.floor(k / plane) % g.outC] += dy[k]; }
  return { dx, dw, db };
};
