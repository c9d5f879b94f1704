// Float64 reference of the channel slice, forward and backward side by side.
// In the forward pass y was channels [start, start + count) of x; the
// backward puts dy there and 0 in every other channel.

type Slice = { start: number; count: number; c: number; spatial: number };

/** y = x[:, start : start + count], float64. */
export function channelSliceForward64(l: Slice, x: Float64Array, batch: number): Float64Array {
  const per = l.count * l.spatial, y = new Float64Array(batch * per);
  for (let n = 0; n < batch; n++) {
    const from = (n * l.c + l.start) * l.spatial;
    y.set(x.subarray(from, from + per), n * per);
  }
  return y;
}

/** dx from dy, float64. */
export function channelSliceBackward64(l: Slice, dy: Float64Array, batch: number): Float64Array {
  const per = l.count * l.spatial, dx = new Float64Array(batch * l.c * l.spatial);
  for (let n = 0; n < batch; n++) {
    dx.set(dy.subarray(n * per, (n + 1) * per), (n * l.c + l.start) * l.spatial);
  }
  return dx;
}
