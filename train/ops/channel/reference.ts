// Float64 reference of the per-channel layers, forward and backward side by
// side. Shapes: x, y, dy, dx are (N, C, spatial) flattened; params (C) each.
// In the forward pass scale was y = s_c·x + t_c: dx = δ·s_c, ds_c = Σ δ·x,
// dt_c = Σ δ (sums over the channel's positions in every sample). prelu was
// y = x > 0 ? x : a_c·x: dx = δ·(x > 0 ? 1 : a_c), da_c = Σ_{x ≤ 0} δ·x
// (PyTorch's choice at the kink: x = 0 takes the a side).

import type { ChannelMode } from "../../../runtime/format/spec.ts";

/** The shape of a per-channel layer. */
interface Channel {
  mode: ChannelMode;
  c: number;
  spatial: number;
}

/** Calls f(j, ch) for every element j of a (batch, c, spatial) tensor with its channel ch. */
function eachValue(l: Channel, batch: number, f: (j: number, ch: number) => void): void {
  for (let n = 0; n < batch; n++) {
    for (let ch = 0; ch < l.c; ch++) {
      const base = (n * l.c + ch) * l.spatial;
      for (let j = base; j < base + l.spatial; j++) f(j, ch);
    }
  }
}

/** y of a per-channel layer, float64. */
export function channelForward64(
  l: Channel,
  p: Float64Array[],
  x: Float64Array,
  batch: number,
): Float64Array {
  const y = new Float64Array(x.length);
  eachValue(l, batch, (j, ch) => {
    y[j] = l.mode === "scale" ? p[0][ch] * x[j] + p[1][ch] : x[j] > 0 ? x[j] : p[0][ch] * x[j];
  });
  return y;
}

/** dx and the parameter gradients ([ds, dt] or [da]) of a per-channel layer, float64. */
export function channelBackward64(
  l: Channel,
  p: Float64Array[],
  x: Float64Array,
  dy: Float64Array,
  batch: number,
): { dx: Float64Array; dParams: Float64Array[] } {
  const dx = new Float64Array(x.length);
  const dp = p.map(() => new Float64Array(l.c));
  eachValue(l, batch, (j, ch) => {
    if (l.mode === "scale") {
      dx[j] = dy[j] * p[0][ch];
      dp[0][ch] += dy[j] * x[j];
      dp[1][ch] += dy[j];
    } else if (x[j] > 0) dx[j] = dy[j];
    else {
      dx[j] = dy[j] * p[0][ch];
      dp[0][ch] += dy[j] * x[j];
    }
  });
  return { dx, dParams: dp };
}
