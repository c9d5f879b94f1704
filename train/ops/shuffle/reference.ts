// Float64 reference of the channel shuffle, forward and backward side by side.
// Shapes: x, y, dy, dx (N, C, spatial). In the forward pass output channel o
// copied input channel shuffleSource(o); the backward copies dy's channel o
// back to that input channel (a permutation: every input channel gets one).

import { shuffleSource } from "../../../runtime/ops/shuffle/cpu.ts";

type Shuffle = { groups: number; c: number; spatial: number };

/** Calls f(output offset, input offset) per channel plane of `batch` samples. */
function eachPlane(l: Shuffle, batch: number, f: (o: number, i: number) => void): void {
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < l.c; o++) {
      f(
        (n * l.c + o) * l.spatial,
        (n * l.c + shuffleSource(o, l.groups, l.c)) * l.spatial,
      );
    }
  }
}

/** y = shuffle(x), float64. */
export function shuffleForward64(l: Shuffle, x: Float64Array, batch: number): Float64Array {
  const y = new Float64Array(x.length);
  eachPlane(l, batch, (o, i) => y.set(x.subarray(i, i + l.spatial), o));
  return y;
}

/** dx from dy, float64. */
export function shuffleBackward64(l: Shuffle, dy: Float64Array, batch: number): Float64Array {
  const dx = new Float64Array(dy.length);
  eachPlane(l, batch, (o, i) => dx.set(dy.subarray(o, o + l.spatial), i));
  return dx;
}
