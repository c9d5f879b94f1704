// Finite-difference gradient checks (central differences, float64) of every
// backward64 kernel and both losses, on seeded random shapes: conv with
// stride > 1, dilation, every padding mode, groups, batch > 1. Each check
// uses the scalar L = Σ y·r with a fixed random r (so dy = r) and compares
// dx and every dParams element with (L(θ+h) − L(θ−h)) / 2h.

import { assert, assertEquals, assertThrows } from "@std/assert";
import type { TrainLayerSpec } from "../train/backend.ts";
import { prod, resolveTrainLayer, trainParamShapes, type TrainResolvedLayer } from "../train/layers.ts";
import { Rng } from "../train/rng.ts";
import { backward64, forward64, type ForwardMode } from "../train/ops/layer_reference.ts";
import { meanSquaredError, softmaxCrossEntropy } from "../train/ops/loss/reference.ts";

const H = 1e-6;
const TOL = 1e-6; // |num − ana| ≤ TOL·max(1, |num|, |ana|)

function randArr(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * rng.next() - 1) * scale;
  return a;
}

function close(num: number, ana: number, what: string): void {
  const err = Math.abs(num - ana);
  const scale = Math.max(1, Math.abs(num), Math.abs(ana));
  assert(err <= TOL * scale, `${what}: numeric ${num} vs analytic ${ana} (err ${err})`);
}

/** Checks dx and dParams of layer `l` at (params, x). `mode` must be deterministic (fixed dropout mask). */
function gradCheck(
  l: TrainResolvedLayer,
  params: Float64Array[],
  x: Float64Array,
  batch: number,
  mode: ForwardMode,
  rng: Rng,
  label: string,
): void {
  const { y, cache } = forward64(l, params, x, batch, mode);
  const r = randArr(rng, y.length);
  const L = () => {
    const out = forward64(l, params, x, batch, mode).y;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i] * r[i];
    return s;
  };
  const { dx, dParams } = backward64(l, params, x, y, r, batch, cache);
  const probe = (arr: Float64Array, grad: Float64Array, what: string) => {
    assert(grad.length === arr.length, `${what}: gradient length ${grad.length} vs ${arr.length}`);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      arr[i] = v + H;
      const lp = L();
      arr[i] = v - H;
      const lm = L();
      arr[i] = v;
      close((lp - lm) / (2 * H), grad[i], `${label} ${what}[${i}]`);
    }
  };
  probe(x, dx, "dx");
  assert(
    dParams.length === params.length,
    `${label}: ${dParams.length} param grads for ${params.length} params`,
  );
  params.forEach((p, k) => probe(p, dParams[k], `dParam${k}`));
}

function randomParams(l: TrainResolvedLayer, rng: Rng): Float64Array[] {
  return trainParamShapes(l).map((s) => randArr(rng, prod(s)));
}

function pick<T>(rng: Rng, a: T[]): T {
  return a[rng.int(a.length)];
}

function runCase(
  spec: TrainLayerSpec,
  inShape: number[],
  batch: number,
  rng: Rng,
  label: string,
  mode?: ForwardMode,
) {
  const l = resolveTrainLayer(spec, inShape);
  const params = randomParams(l, rng);
  if (l.op === "batchnorm") { for (let i = 0; i < l.c; i++) params[0][i] = 0.5 + rng.next(); // gamma away from 0
   }
  const x = randArr(rng, batch * prod(inShape));
  gradCheck(
    l,
    params,
    x,
    batch,
    mode ?? { train: true },
    rng,
    `${label} ${JSON.stringify(spec)} in=${inShape} N=${batch}`,
  );
}

const SEED = 20240611;

Deno.test("gradcheck: conv2d on random shapes (stride, dilation, padding modes, groups, batch)", () => {
  console.log(`seed ${SEED}`);
  const rng = new Rng(SEED);
  const paddings: (string | number | number[])[] = ["valid", "same", "full", 1, [0, 2, 1, 0]];
  for (let t = 0; t < 24; t++) {
    const groups = pick(rng, [1, 1, 2, 3]);
    const inC = groups * (1 + rng.int(2));
    const filters = groups * (1 + rng.int(2));
    const kernel: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
    const stride: [number, number] = [1 + rng.int(3), 1 + rng.int(2)];
    const dilation: [number, number] = [1 + rng.int(2), 1 + rng.int(2)];
    const padding = paddings[t % paddings.length] as "valid";
    const spec = {
      type: "conv2d",
      filters,
      kernel,
      stride,
      dilation,
      padding,
      groups,
      bias: rng.next() < 0.7,
    } as const;
    const inShape = [inC, 5 + rng.int(4), 5 + rng.int(4)];
    runCase(spec, inShape, 1 + rng.int(3), rng, `case ${t}`);
  }
  // ≥ 4 filters per group exercise the 4-channel blocked loops (+ remainder)
  runCase(
    { type: "conv2d", filters: 5, kernel: 3, stride: 2, padding: "same" },
    [2, 7, 6],
    2,
    rng,
    "block+1",
  );
  runCase(
    { type: "conv2d", filters: 8, kernel: [2, 3], dilation: 2, groups: 2, padding: "full" },
    [4, 6, 5],
    2,
    rng,
    "block g2",
  );
});

Deno.test("gradcheck: conv1d on random shapes", () => {
  const rng = new Rng(SEED + 1);
  const paddings: (string | number | number[])[] = ["valid", "same", "full", 2, [1, 0]];
  for (let t = 0; t < 15; t++) {
    const groups = pick(rng, [1, 2]);
    const spec = {
      type: "conv1d",
      filters: groups * (1 + rng.int(3)),
      kernel: 1 + rng.int(4),
      stride: 1 + rng.int(3),
      dilation: 1 + rng.int(2),
      padding: paddings[t % paddings.length] as "valid",
      groups,
      bias: rng.next() < 0.7,
    } as const;
    runCase(spec, [groups * (1 + rng.int(2)), 8 + rng.int(6)], 1 + rng.int(3), rng, `case ${t}`);
  }
});

Deno.test("gradcheck: max/avg/l2 pooling, 2-D and 1-D, every padding mode", () => {
  const rng = new Rng(SEED + 2);
  const pad2: (string | number | number[])[] = ["valid", "same", "full", 1, [1, 0, 0, 1]];
  const pad1: (string | number | number[])[] = ["valid", "same", "full", 1, [0, 1]];
  for (const mode of ["max", "avg", "l2"]) {
    for (let t = 0; t < 5; t++) {
      const spec2 = {
        type: `${mode}pool2d`,
        size: [2 + rng.int(2), 2 + rng.int(2)], // explicit padding 1 must stay below the window
        stride: [1 + rng.int(3), 1 + rng.int(2)],
        padding: pad2[t],
      } as unknown as TrainLayerSpec;
      runCase(spec2, [1 + rng.int(3), 5 + rng.int(4), 5 + rng.int(4)], 1 + rng.int(3), rng, `${mode} 2d`);
      const spec1 = {
        type: `${mode}pool1d`,
        size: 2 + rng.int(3),
        stride: 1 + rng.int(3),
        padding: pad1[t],
      } as unknown as TrainLayerSpec;
      runCase(spec1, [1 + rng.int(3), 7 + rng.int(5)], 1 + rng.int(3), rng, `${mode} 1d`);
    }
  }
});

Deno.test("gradcheck: globalavgpool, dense, flatten and every activation", () => {
  const rng = new Rng(SEED + 3);
  runCase({ type: "globalavgpool" }, [3, 4, 5], 2, rng, "gap");
  runCase({ type: "globalavgpool" }, [2, 7], 3, rng, "gap1d");
  runCase({ type: "dense", units: 4 }, [3, 2, 2], 3, rng, "dense");
  runCase({ type: "dense", units: 3, bias: false }, [5], 2, rng, "dense nobias");
  runCase({ type: "flatten" }, [2, 3, 3], 2, rng, "flatten");
  for (const act of ["relu", "sigmoid", "tanh", "softmax"] as const) {
    runCase({ type: act }, [4, 3, 2], 2, rng, act);
    runCase({ type: act }, [5], 3, rng, act);
  }
  runCase({ type: "leakyrelu", alpha: 0.2 }, [3, 4], 2, rng, "leakyrelu");
  runCase({ type: "elu", alpha: 0.7 }, [3, 4], 2, rng, "elu");
});

Deno.test("gradcheck: dropout with a fixed mask, and in eval mode", () => {
  const rng = new Rng(SEED + 4);
  const inShape = [2, 3, 3], batch = 3;
  const mask = new Float64Array(batch * prod(inShape));
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < 0.4 ? 0 : 1;
  runCase({ type: "dropout", rate: 0.4 }, inShape, batch, rng, "dropout", { train: true, mask });
  runCase({ type: "dropout", rate: 0.4 }, inShape, batch, rng, "dropout eval", { train: false });
});

Deno.test("gradcheck: batchnorm train (spatial and flat) and eval", () => {
  const rng = new Rng(SEED + 5);
  runCase({ type: "batchnorm" }, [3, 4, 3], 2, rng, "bn 2d");
  runCase({ type: "batchnorm", eps: 1e-3 }, [3, 5], 3, rng, "bn 1d");
  runCase({ type: "batchnorm" }, [4], 5, rng, "bn flat");
  const running = [randArr(rng, 3), randArr(rng, 3).map((v) => 0.5 + Math.abs(v))];
  runCase({ type: "batchnorm" }, [3, 2, 2], 2, rng, "bn eval", { train: false, running });
});

Deno.test("gradcheck: softmax cross-entropy (plain and label-smoothed) and MSE losses", () => {
  const rng = new Rng(SEED + 6);
  for (const [batch, k] of [[1, 3], [4, 5], [3, 10]]) {
    const z = randArr(rng, batch * k, 3);
    const labels = Int32Array.from({ length: batch }, () => rng.int(k));
    const smoothed = Object.defineProperty(
      (z: ArrayLike<number>, y: ArrayLike<number>, n: number) => softmaxCrossEntropy(z, y, n, 0.15),
      "name",
      { value: "softmaxCrossEntropy(s = 0.15)" },
    );
    for (const lossFn of [softmaxCrossEntropy, smoothed, meanSquaredError]) {
      const { dz } = lossFn(z, labels, batch);
      for (let i = 0; i < z.length; i++) {
        const v = z[i];
        z[i] = v + H;
        const lp = lossFn(z, labels, batch).loss;
        z[i] = v - H;
        const lm = lossFn(z, labels, batch).loss;
        z[i] = v;
        close((lp - lm) / (2 * H), dz[i], `${lossFn.name} N=${batch} K=${k} dz[${i}]`);
      }
    }
    // smoothing s: loss = (1 − s)·CE(onehot) + s·mean_k(−log p_k), and s = 0 is the plain loss
    const plain = softmaxCrossEntropy(z, labels, batch);
    assertEquals(softmaxCrossEntropy(z, labels, batch, 0).loss, plain.loss);
    let uniform = 0;
    for (let n = 0; n < batch; n++) {
      const row = z.slice(n * k, n * k + k);
      const m = Math.max(...row), lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      for (const v of row) uniform += (lse - v) / k;
    }
    close(
      softmaxCrossEntropy(z, labels, batch, 0.15).loss,
      0.85 * plain.loss + 0.15 * uniform / batch,
      "smoothed value",
    );
  }
  assertThrows(
    () => softmaxCrossEntropy([0, 1], [0], 1, 1),
    RangeError,
    "label smoothing must be a number in [0, 1), got 1",
  );
  assertThrows(() => softmaxCrossEntropy([0, 1], [0], 1, -0.1), RangeError);
});
