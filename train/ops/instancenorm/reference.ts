// Float64 reference of instance normalisation, forward and backward side by
// side. Shapes: x, y, dy, dx (N, C, S); params s, b (C).
// In the forward pass each (n, c) plane was x̂ = (x − μ)·inv with inv =
// 1/√(σ² + ε) over its S positions, and y = s_c·x̂ + b_c. Then, per plane,
// with g = δ·s_c:  dx = inv/S · (S·g − Σg − x̂·Σ(g·x̂)),
// and over every plane of channel c:  ds_c = Σ δ·x̂,  db_c = Σ δ.

import { planeStats } from "../../../runtime/ops/instancenorm/cpu.ts";

type Norm = { eps: number; c: number; spatial: number };

/** y of an instancenorm layer, float64. */
export function instanceNormForward64(
  l: Norm,
  p: Float64Array[],
  x: Float64Array,
  batch: number,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let q = 0; q < batch * l.c; q++) {
    const at = q * l.spatial, ch = q % l.c;
    const [mean, inv] = planeStats(x, at, l.spatial, l.eps);
    for (let j = at; j < at + l.spatial; j++) y[j] = p[0][ch] * (x[j] - mean) * inv + p[1][ch];
  }
  return y;
}

/** dx, ds, db of an instancenorm layer, float64. */
export function instanceNormBackward64(
  l: Norm,
  p: Float64Array[],
  x: Float64Array,
  dy: Float64Array,
  batch: number,
): { dx: Float64Array; dParams: Float64Array[] } {
  const S = l.spatial;
  const dx = new Float64Array(x.length), ds = new Float64Array(l.c), db = new Float64Array(l.c);
  for (let q = 0; q < batch * l.c; q++) {
    const at = q * S, ch = q % l.c;
    const [mean, inv] = planeStats(x, at, S, l.eps);
    let sg = 0, sgx = 0;
    for (let j = at; j < at + S; j++) {
      const xh = (x[j] - mean) * inv, g = dy[j] * p[0][ch];
      sg += g;
      sgx += g * xh;
      ds[ch] += dy[j] * xh;
      db[ch] += dy[j];
    }
    for (let j = at; j < at + S; j++) {
      const xh = (x[j] - mean) * inv;
      dx[j] = (inv / S) * (S * dy[j] * p[0][ch] - sg - xh * sgx);
    }
  }
  return { dx, dParams: [ds, db] };
}
