// Every training layer's GPU forward + backward (as wired by layer_forward.ts
// / layer_backward.ts) vs the float64 oracle train/ops/layer_reference.ts, on
// seeded random shapes: conv2d/conv1d (stride, dilation, valid/same/full/
// explicit padding, groups), max (with ties)/avg/l2 pooling 2-D and 1-D,
// globalavgpool, dense, every activation, dropout (the GPU mask, reproduced
// by dropoutKeep, is handed to the reference) and batchnorm in training,
// plus wide stride-1 convs (16..40 channels: the wide register blocks).
// Batch 1–3. Tolerance: max |gpu − ref| ≤ 2e-4 · max(1, max |ref|).
// Seed: env TEST_SEED (default fixed), printed. REQUIRE_WEBGPU=1 → no adapter fails.

import { assert } from "@std/assert";
import type { TrainLayerSpec } from "../train/backend.ts";
import { prod, resolveTrainLayer, trainParamShapes, type TrainResolvedLayer } from "../train/layers.ts";
import { backward64, forward64 } from "../train/ops/layer_reference.ts";
import { DataRng } from "../train/data/prng.ts";
import { GpuContext, runPrepared } from "../train/webgpu/gpu_context.ts";
import { layerForward } from "../train/webgpu/layer_forward.ts";
import { layerBackward } from "../train/webgpu/layer_backward.ts";
import { dropoutKeep } from "../train/ops/dropout/mask.ts";
import { gpuDeviceForTests, NO_WEBGPU } from "./train_gpu_device.ts";

const SEED = Number(Deno.env.get("TEST_SEED") ?? 424242);
const TOL = 2e-4;

function close(what: string, got: Float32Array, want: Float64Array) {
  let maxRef = 1, maxErr = 0, at = -1;
  for (let i = 0; i < want.length; i++) maxRef = Math.max(maxRef, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= maxErr)) (maxErr = e), (at = i);
  }
  assert(
    maxErr <= TOL * maxRef,
    `${what}: max error ${maxErr} at ${at} (gpu ${got[at]}, ref ${want[at]}), tol ${
      TOL * maxRef
    }, seed ${SEED}`,
  );
}

const PADS = ["valid", "same", "full"] as const;

function randomLayer(rng: DataRng, kind: number): { spec: TrainLayerSpec; inShape: number[] } {
  const pad = () => {
    const c = rng.int(5);
    return c < 3 ? PADS[c] : c === 3 ? rng.int(3) : null;
  };
  const C = 1 + rng.int(3), H = 3 + rng.int(6), W = 3 + rng.int(7);
  switch (kind) {
    case 0: { // conv2d
      const groups = [1, 1, 2][rng.int(3)];
      const p = pad() ?? [rng.int(3), rng.int(3), rng.int(3), rng.int(3)];
      return {
        spec: {
          type: "conv2d",
          filters: groups * (1 + rng.int(3)),
          kernel: [1 + rng.int(3), 1 + rng.int(3)],
          stride: [1 + rng.int(3), 1 + rng.int(2)],
          dilation: [1 + rng.int(2), 1 + rng.int(2)],
          padding: p,
          groups,
          bias: rng.next() < 0.8,
        },
        inShape: [groups * (1 + rng.int(2)), H, W],
      };
    }
    case 1: { // conv1d
      const groups = [1, 3][rng.int(2)];
      return {
        spec: {
          type: "conv1d",
          filters: groups * (1 + rng.int(2)),
          kernel: 1 + rng.int(4),
          stride: 1 + rng.int(3),
          dilation: 1 + rng.int(2),
          padding: pad() ?? [rng.int(3), rng.int(3)],
          groups,
        },
        inShape: [groups, W + 5],
      };
    }
    case 2: { // pooling
      const mode = ["max", "avg", "l2"][rng.int(3)];
      const oneD = rng.next() < 0.3;
      const padding = pad() ?? 1;
      return oneD
        ? {
          spec: {
            type: `${mode}pool1d`,
            size: 1 + rng.int(3),
            stride: 1 + rng.int(3),
            padding,
          } as TrainLayerSpec,
          inShape: [C, W],
        }
        : {
          spec: {
            type: `${mode}pool2d`,
            size: [1 + rng.int(3), 1 + rng.int(3)],
            stride: [1 + rng.int(3), 1 + rng.int(2)],
            padding,
          } as TrainLayerSpec,
          inShape: [C, H, W],
        };
    }
    case 3:
      return { spec: { type: "globalavgpool" }, inShape: [C, H, W] };
    case 4:
      return { spec: { type: "dense", units: 1 + rng.int(9), bias: rng.next() < 0.8 }, inShape: [C, H, 2] };
    case 5: {
      const act = ["relu", "leakyrelu", "elu", "sigmoid", "tanh", "softmax"][rng.int(6)];
      const spec =
        (act === "leakyrelu" || act === "elu" ? { type: act, alpha: 0.3 } : { type: act }) as TrainLayerSpec;
      return { spec, inShape: rng.next() < 0.5 ? [C + 2, H] : [C + 3] };
    }
    case 6:
      return { spec: { type: "dropout", rate: 0.25 }, inShape: [C, H, W] };
    case 8: { // wide conv2d, stride 1: channel blocks of 16, 8 columns per thread, several lanes per channel
      const groups = [1, 1, 2][rng.int(3)];
      return {
        spec: {
          type: "conv2d",
          filters: groups * [16, 32, 13 + rng.int(28)][rng.int(3)],
          kernel: 1 + rng.int(3),
          dilation: 1 + rng.int(2),
          padding: PADS[rng.int(3)],
          groups,
          bias: rng.next() < 0.8,
        },
        inShape: [groups * [16, 3 + rng.int(30)][rng.int(2)], 3 + rng.int(6), 4 + rng.int(14)],
      };
    }
    default:
      return {
        spec: { type: "batchnorm", eps: 1e-3, momentum: 0.2 },
        inShape: rng.next() < 0.5 ? [C, H, W] : [W],
      };
  }
}

Deno.test({
  name: "every training layer: GPU forward/backward match train/ops/layer_reference float64",
  ignore: NO_WEBGPU,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const device = await gpuDeviceForTests();
    if (!device) return;
    console.log(`train_gpu_layers_test seed ${SEED}`);
    const ctx = new GpuContext(device);
    const rng = new DataRng(SEED);
    const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
    const stepU = device.createBuffer({ size: 32, usage: 0x0040 | 0x0008 });
    const STEP = 5, DSEED = 1234, INDEX = 3;
    device.queue.writeBuffer(stepU, 0, new Uint32Array([0, 0, 0, STEP, DSEED, 0, 0, 0]));
    let cases = 0;
    for (let kind = 0; kind < 9; kind++) {
      const reps = kind <= 2 ? 8 : kind === 8 ? 4 : 3;
      for (let r = 0; r < reps;) {
        const { spec, inShape } = randomLayer(rng, kind);
        let l: TrainResolvedLayer;
        try {
          l = resolveTrainLayer(spec, inShape);
        } catch (e) {
          if (e instanceof RangeError) continue; // window larger than the padded input: draw again
          throw e;
        }
        r++;
        cases++;
        const n = 1 + rng.int(3);
        const what = `${JSON.stringify(spec)} on (${inShape.join(",")}) batch ${n}`;
        const x = new Float32Array(n * prod(l.inShape)).map(() => rng.next() * 4 - 2);
        if (l.op === "pool" && l.mode === "max") { for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]); // ties
         }
        const params = trainParamShapes(l).map((s) =>
          new Float32Array(prod(s)).map(() => rng.next() * 2 - 1)
        );
        const yLen = n * prod(l.outShape);
        const dy = new Float32Array(yLen).map(() => rng.next() * 2 - 1);
        // reference
        const run64 = l.op === "batchnorm"
          ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)]
          : undefined;
        const mask = l.op === "dropout"
          ? Float64Array.from(
            { length: x.length },
            (_, i) => dropoutKeep(DSEED, INDEX, STEP, i, l.rate) ? 1 : 0,
          )
          : undefined;
        const p64 = params.map(f64);
        const fw = forward64(l, p64, f64(x), n, { train: true, mask, running: run64 });
        const bw = backward64(l, p64, f64(x), fw.y, f64(dy), n, fw.cache);
        // gpu
        const buf = (a: Float32Array) => ctx.buffer(a.length, "test", a);
        const bx = buf(x), by = ctx.buffer(yLen, "y"), bdy = buf(dy), bdx = ctx.buffer(x.length, "dx");
        const bp = params.map(buf), bg = params.map((p) => ctx.buffer(p.length, "grad"));
        const c = l.op === "batchnorm" ? l.c : 0;
        const stats = c ? ctx.buffer(2 * c, "stats") : null;
        const running = c ? buf(Float32Array.from({ length: 2 * c }, (_, i) => (i < c ? 0 : 1))) : null;
        const owned: GPUBuffer[] = []; // scratch buffers of the backward kernels
        const yBuf = l.op === "flatten" ? bx : by;
        const fk = layerForward(
          ctx,
          l,
          INDEX,
          n,
          true,
          { x: bx, y: yBuf, params: bp, stats, running, stepU },
        );
        await runPrepared(ctx, fk);
        const bk = layerBackward(ctx, l, INDEX, n, {
          x: bx,
          y: yBuf,
          dy: bdy,
          dx: bdx,
          params: bp,
          grads: bg,
          stats,
          stepU,
          scratch: (floats, what) => {
            const b = ctx.buffer(floats, what);
            owned.push(b);
            return b;
          },
        });
        await runPrepared(ctx, bk);
        close(`${what} y`, await ctx.read(yBuf, yLen), fw.y);
        close(`${what} dx`, await ctx.read(bdx, x.length), bw.dx);
        for (let k = 0; k < params.length; k++) {
          close(`${what} dparam ${k}`, await ctx.read(bg[k], params[k].length), bw.dParams[k]);
        }
        if (running && run64) {
          close(`${what} running`, await ctx.read(running, 2 * c), f64([...run64[0], ...run64[1]]));
        }
        for (const b of [bx, by, bdy, bdx, ...bp, ...bg, ...owned]) b.destroy();
        stats?.destroy();
        running?.destroy();
      }
    }
    console.log(`${cases} layer cases agree`);
    device.destroy();
  },
});
