// The fast float32 CPU training path (train/cpu/network.ts) against the float64
// oracle (train/ops/layer_reference.ts) on seeded random layer chains: conv with
// odd sizes, stride > 1, dilation, every padding mode, groups, with and
// without bias and a fused ReLU; max pool with padding; dense + ReLU;
// dropout (mask = dropoutKeep(seed, layer, step, i), the WebGPU mask);
// fallback layers (batchnorm, tanh, avg pool); batch > 1. Compares the
// output, ∂L/∂x and every parameter gradient for dOut = a fixed random r.
// Tolerance: |fast − ref| ≤ TOL·max(1, max|ref|) per tensor (float32 storage
// of activations and of each gemm output, float64 accumulation).

import { convNet } from "../train/archs.ts";
import { assert } from "@std/assert";
import type { TrainLayerSpec } from "../train/backend.ts";
import { prod, resolveTrainLayers, trainParamShapes } from "../train/layers.ts";
import { Rng } from "../train/rng.ts";
import { backward64, forward64 } from "../train/ops/layer_reference.ts";
import { Net32 } from "../train/cpu/network.ts";
import { dropoutKeep } from "../train/ops/dropout/mask.ts";

const TOL = 1e-6;
const SEED = 20240917;
const DSEED = 77, STEP = 5;

function randF32(rng: Rng, n: number): Float32Array {
  return new Float32Array(n).map(() => 2 * rng.next() - 1);
}

function closeAll(what: string, fast: ArrayLike<number>, ref: Float64Array): number {
  assert(fast.length === ref.length, `${what}: length ${fast.length} vs ${ref.length}`);
  let m = 1, err = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(fast[i] - ref[i]);
    err = Math.max(err, e / m);
    assert(e <= TOL * m, `${what}[${i}]: fast ${fast[i]} vs reference ${ref[i]} (scale ${m})`);
  }
  return err;
}

/** Runs the chain on both paths and compares; returns the worst relative error. */
function compare(layersSpec: TrainLayerSpec[], inShape: number[], batch: number, rng: Rng, label: string) {
  const layers = resolveTrainLayers(layersSpec, inShape);
  const params = layers.map((l) => trainParamShapes(l).map((s) => randF32(rng, prod(s))));
  layers.forEach((l, i) => {
    if (l.op === "batchnorm") params[i][0].forEach((_, c) => (params[i][0][c] = 0.5 + rng.next()));
  });
  const x = randF32(rng, batch * prod(inShape));
  const outLen = batch * prod(layers[layers.length - 1].outShape);
  const r = randF32(rng, outLen);
  const running32 = layers.map((l) =>
    l.op === "batchnorm" ? [new Float32Array(l.c), new Float32Array(l.c).fill(1)] : []
  );

  // float64 oracle, layer by layer
  const p64 = params.map((ts) => ts.map((t) => Float64Array.from(t)));
  const acts: Float64Array[] = [Float64Array.from(x)];
  const caches: unknown[] = [];
  layers.forEach((l, i) => {
    const mask = l.op === "dropout"
      ? Float64Array.from(
        { length: acts[i].length },
        (_, j) => dropoutKeep(DSEED, i, STEP, j, l.rate) ? 1 : 0,
      )
      : undefined;
    const running = l.op === "batchnorm" ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)] : [];
    const f = forward64(l, p64[i], acts[i], batch, { train: true, mask, running });
    acts.push(f.y);
    caches.push(f.cache);
  });
  let d: Float64Array = Float64Array.from(r);
  const dP: Float64Array[][] = new Array(layers.length);
  for (let i = layers.length - 1; i >= 0; i--) {
    const b = backward64(layers[i], p64[i], acts[i], acts[i + 1], d, batch, caches[i]);
    dP[i] = b.dParams;
    d = b.dx;
  }

  const net = new Net32(layers);
  net.reserve(batch + 1); // capacity above the batch: views must not leak the slack
  const out = net.forward(params, x, batch, { train: true, seed: DSEED, step: STEP, running: running32 });
  let worst = closeAll(`${label} output`, out, acts[layers.length]);
  const dx = net.backward(params, r, batch, true)!;
  worst = Math.max(worst, closeAll(`${label} dx`, dx, d));
  layers.forEach((_, i) =>
    net.grads[i].forEach((g, j) => {
      worst = Math.max(worst, closeAll(`${label} layer ${i} dParam${j}`, g, dP[i][j]));
    })
  );
  return worst;
}

Deno.test("fast CPU path vs float64 reference: random conv (+ReLU) layers", () => {
  console.log(`train_cpu_fast_test seed ${SEED}`);
  const rng = new Rng(SEED);
  const paddings: (string | number | number[])[] = ["valid", "same", "full", 1, [0, 2, 1, 0]];
  let worst = 0;
  for (let t = 0; t < 20; t++) {
    const groups = [1, 1, 2, 3][rng.int(4)];
    const spec = {
      type: "conv2d",
      filters: groups * (1 + rng.int(5)),
      kernel: [1 + rng.int(3), 1 + rng.int(3)],
      stride: [1 + rng.int(3), 1 + rng.int(2)],
      dilation: [1 + rng.int(2), 1 + rng.int(2)],
      padding: paddings[t % paddings.length],
      groups,
      bias: rng.next() < 0.7,
    } as unknown as TrainLayerSpec;
    const chain: TrainLayerSpec[] = rng.next() < 0.5 ? [spec, { type: "relu" }] : [spec];
    const inShape = [groups * (1 + rng.int(3)), 5 + rng.int(5), 5 + rng.int(5)];
    worst = Math.max(worst, compare(chain, inShape, 1 + rng.int(4), rng, `conv case ${t}`));
  }
  for (let t = 0; t < 5; t++) {
    const spec = {
      type: "conv1d",
      filters: 1 + rng.int(6),
      kernel: 1 + rng.int(4),
      stride: 1 + rng.int(3),
      dilation: 1 + rng.int(2),
      padding: paddings[t % 3],
    } as unknown as TrainLayerSpec;
    worst = Math.max(
      worst,
      compare([spec, { type: "relu" }], [1 + rng.int(3), 9 + rng.int(6)], 2, rng, `c1d ${t}`),
    );
  }
  console.log(`conv: worst relative error ${worst.toExponential(2)} (tolerance ${TOL})`);
});

Deno.test("fast CPU path vs float64 reference: small-like chains, pools, dense, dropout, fallbacks", () => {
  const rng = new Rng(SEED + 1);
  let worst = 0;
  // the `small` architecture on odd 9×11 inputs, batch 3
  worst = Math.max(
    worst,
    compare(
      convNet([4, 6], [5]),
      [1, 9, 11],
      3,
      rng,
      "small-like",
    ),
  );
  for (let t = 0; t < 6; t++) {
    const pool = {
      type: "maxpool2d",
      size: [2 + rng.int(2), 2 + rng.int(2)],
      stride: [1 + rng.int(3), 1 + rng.int(2)],
      padding: ["valid", "same", "full", 1][t % 4],
    } as unknown as TrainLayerSpec;
    worst = Math.max(
      worst,
      compare([pool], [1 + rng.int(3), 5 + rng.int(4), 5 + rng.int(4)], 2, rng, `pool ${t}`),
    );
  }
  worst = Math.max(
    worst,
    compare(
      [
        { type: "dense", units: 13 },
        { type: "relu" },
        { type: "dropout", rate: 0.3 },
        { type: "dense", units: 4, bias: false },
      ],
      [2, 3, 5],
      5,
      rng,
      "dense+relu+dropout",
    ),
  );
  worst = Math.max(
    worst,
    compare(
      [
        { type: "dropout", rate: 0.5 },
        { type: "conv2d", filters: 3, kernel: 3, stride: 2 },
        { type: "batchnorm" },
        { type: "relu" },
        { type: "avgpool2d", size: 2 },
        { type: "flatten" },
        { type: "dense", units: 6 },
        { type: "tanh" },
        { type: "dense", units: 3 },
      ],
      [2, 9, 8],
      4,
      rng,
      "fallback chain",
    ),
  );
  console.log(`chains: worst relative error ${worst.toExponential(2)} (tolerance ${TOL})`);
});
