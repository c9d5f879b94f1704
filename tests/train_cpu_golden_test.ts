// Hand-computed backprop examples for the float64 reference: the 1-D
// convolution + max-pool example (every number worked out by hand in the
// comments), max-pool tie routing, and average / L2 pool spreading.

import { assertEquals } from "@std/assert";
import { resolveTrainLayer } from "../train/layers.ts";
import { backward64, forward64 } from "../train/ops/layer_reference.ts";

const f64 = (a: number[]) => Float64Array.from(a);
const arr = (a: Float64Array) => Array.from(a);

Deno.test("golden: 1-D conv (kernel 3, valid) + max-pool 2 backprop", () => {
  // x = [1, 3, −2, 4, 0, 2], w = [1, −1, 2], b = 0.5
  // conv y[j] = Σ_k w[k]·x[j+k] + b:
  //   y0 = 1 − 3 − 4 + .5 = −5.5; y1 = 3 + 2 + 8 + .5 = 13.5; y2 = −2 − 4 + 0 + .5 = −5.5; y3 = 4 − 0 + 4 + .5 = 8.5
  // maxpool(2): [13.5 (from y1), 8.5 (from y3)]; upstream δ = [2, −1]
  // δ at conv output = [0, 2, 0, −1]
  // db = Σδ = 1
  // dW[k] = Σ_j δ[j]·x[j+k] (valid correlation of x with δ): [2·3 − 4, 2·(−2) − 0, 2·4 − 2] = [2, −4, 6]
  // dx = full correlation of δ with rot180(w) = [2, −1, 1]: [0, 2, −2, 4 − 1, 1, −2] = [0, 2, −2, 3, 1, −2]
  const conv = resolveTrainLayer({ type: "conv1d", filters: 1, kernel: 3 }, [1, 6]);
  const pool = resolveTrainLayer({ type: "maxpool1d", size: 2 }, [1, 4]);
  const x = f64([1, 3, -2, 4, 0, 2]);
  const params = [f64([1, -1, 2]), f64([0.5])];
  const c = forward64(conv, params, x, 1, { train: true });
  assertEquals(arr(c.y), [-5.5, 13.5, -5.5, 8.5]);
  const p = forward64(pool, [], c.y, 1, { train: true });
  assertEquals(arr(p.y), [13.5, 8.5]);
  const dp = backward64(pool, [], c.y, p.y, f64([2, -1]), 1, p.cache);
  assertEquals(arr(dp.dx), [0, 2, 0, -1]);
  const dc = backward64(conv, params, x, c.y, dp.dx, 1, c.cache);
  assertEquals(arr(dc.dParams[0]), [2, -4, 6]);
  assertEquals(arr(dc.dParams[1]), [1]);
  assertEquals(arr(dc.dx), [0, 2, -2, 3, 1, -2]);
});

Deno.test("golden: max-pool ties route δ to the first unit in scan order", () => {
  const pool = resolveTrainLayer({ type: "maxpool2d", size: 2 }, [1, 2, 4]);
  // windows: [[5,5],[1,5]] → first 5 (index 0); [[2,7],[7,7]] → first 7 (index 3)
  const x = f64([5, 5, 2, 7, 1, 5, 7, 7]);
  const f = forward64(pool, [], x, 1, { train: true });
  assertEquals(arr(f.y), [5, 7]);
  const b = backward64(pool, [], x, f.y, f64([10, 20]), 1, f.cache);
  assertEquals(arr(b.dx), [10, 0, 0, 20, 0, 0, 0, 0]);
});

Deno.test("golden: avg pool spreads δ/(k·k); L2 pool spreads δ·x/y", () => {
  const avg = resolveTrainLayer({ type: "avgpool2d", size: 2 }, [1, 2, 2]);
  const x = f64([3, 0, 0, 4]);
  const a = forward64(avg, [], x, 1, { train: true });
  assertEquals(arr(a.y), [1.75]);
  assertEquals(arr(backward64(avg, [], x, a.y, f64([8]), 1, a.cache).dx), [2, 2, 2, 2]);
  const l2 = resolveTrainLayer({ type: "l2pool2d", size: 2 }, [1, 2, 2]);
  const q = forward64(l2, [], x, 1, { train: true });
  assertEquals(arr(q.y), [5]); // sqrt(9 + 16)
  assertEquals(arr(backward64(l2, [], x, q.y, f64([10]), 1, q.cache).dx), [6, 0, 0, 8]); // 10·x/5
  const z = f64([0, 0, 0, 0]);
  const qz = forward64(l2, [], z, 1, { train: true });
  assertEquals(arr(backward64(l2, [], z, qz.y, f64([10]), 1, qz.cache).dx), [0, 0, 0, 0]); // y = 0 → 0
});
