// GPU backward kernels vs float64 references on seeded random shapes: conv
// (2-D/1-D, stride, dilation, every padding mode, groups, batch > 1; dW also
// through the batch-sliced lane kernel), pooling
// (max with ties / avg / l2), global average pool, dense, activations, losses,
// dropout and batchnorm. Tolerance: max |gpu − ref| ≤ 2e-4 · max(1, max |ref|).
// Seed: env TEST_SEED (default fixed), printed. REQUIRE_WEBGPU=1 → a missing
// adapter fails instead of skipping.

import { assert, assertThrows } from "@std/assert";
import { type LayerSpec, type ResolvedLayer, resolveLayer } from "../runtime/format/spec.ts";
import { pool2d } from "../runtime/ops/pool/pool_direct.ts";
import { activation } from "../runtime/ops/activation/cpu.ts";
import { DataRng } from "../train/data/prng.ts";
import { GpuContext, runKernels } from "../train/webgpu/gpu_context.ts";
import { convBackwardBias, convBackwardInput, convBackwardWeight } from "../train/ops/conv/wgsl_backward.ts";
import {
  globalAvgPoolBackward,
  maxPoolBackwardTiled,
  maxPoolTiles,
  poolBackward,
  poolBackwardReads,
} from "../train/ops/pool/wgsl_backward.ts";
import {
  denseBackwardBias,
  denseBackwardInput,
  denseBackwardWeight,
} from "../train/ops/dense/wgsl_backward.ts";
import { activationBackward, activationBackwardUses } from "../train/ops/activation/wgsl_backward.ts";
import { lossForwardBackward, lossReduce } from "../train/ops/loss/wgsl.ts";
import {
  convDwLanesFits,
  convDwPartFloats,
  convDwPartial,
  convDwReduce,
  convDwSplits,
} from "../train/ops/conv/wgsl_dw_lanes.ts";
import { dropoutKernel } from "../train/ops/dropout/wgsl.ts";
import { dropoutKeep } from "../train/ops/dropout/mask.ts";
import { bnApply, bnBackwardInput, bnBackwardParams, bnStats } from "../train/ops/batchnorm/wgsl.ts";
import { gpuTest } from "./helpers/webgpu.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("train_gpu_grad", 20240611);
const TOL = 2e-4;

function rand(rng: DataRng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.next();
  return a;
}

function close(what: string, got: Float32Array, want: ArrayLike<number>, n = want.length) {
  let maxRef = 1, maxErr = 0, at = -1;
  for (let i = 0; i < n; i++) maxRef = Math.max(maxRef, Math.abs(want[i]));
  for (let i = 0; i < n; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= maxErr)) {
      maxErr = e;
      at = i;
    }
  }
  assert(
    maxErr <= TOL * maxRef,
    `${what}: max error ${maxErr} at ${at} (gpu ${got[at]}, ref ${want[at]}), tolerance ${
      TOL * maxRef
    } (seed ${SEED})`,
  );
}

// ---- float64 references (scatter form, independent of the gather kernels) ----

function convRef(
  l: ResolvedLayer & { op: "conv" },
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  n: number,
) {
  const { kh, kw, sh, sw, dh, dw, pt, pl, inC, inH, inW, outC, outH, outW, groups } = l;
  const icg = inC / groups, ocg = outC / groups;
  const dx = new Float64Array(n * inC * inH * inW);
  const dW = new Float64Array(w.length);
  const db = new Float64Array(outC);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < outC; oc++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const d = dy[((b * outC + oc) * outH + oy) * outW + ox];
          db[oc] += d;
          for (let icl = 0; icl < icg; icl++) {
            const ic = Math.floor(oc / ocg) * icg + icl;
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                const xi = ((b * inC + ic) * inH + iy) * inW + ix;
                const wi = ((oc * icg + icl) * kh + ky) * kw + kx;
                dx[xi] += d * w[wi];
                dW[wi] += d * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return { dx, dW, db };
}

function poolRef(l: ResolvedLayer & { op: "pool" }, x: Float32Array, dy: Float32Array, n: number) {
  const { kh, kw, sh, sw, pt, pl, inC, inH, inW, outH, outW, mode } = l;
  const dx = new Float64Array(x.length);
  for (let p = 0; p < n * inC; p++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const d = dy[(p * outH + oy) * outW + ox];
        const cells: number[] = [];
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
            if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) cells.push((p * inH + iy) * inW + ix);
          }
        }
        if (cells.length === 0) continue;
        if (mode === "max") {
          let best = cells[0];
          for (const c of cells) if (x[c] > x[best]) best = c;
          dx[best] += d;
        } else if (mode === "avg") {
          for (const c of cells) dx[c] += d / (kh * kw);
        } else {
          let s = 0;
          for (const c of cells) s += x[c] * x[c];
          const y = Math.sqrt(s);
          if (y > 0) { for (const c of cells) dx[c] += d * x[c] / y; }
        }
      }
    }
  }
  return dx;
}

// ---- random geometry ----

const PADS = ["valid", "same", "full"] as const;

function randomConv(rng: DataRng): { spec: LayerSpec; inShape: number[] } {
  const oneD = rng.next() < 0.3;
  const groups = [1, 1, 2, 3][rng.int(4)];
  const inC = groups * (1 + rng.int(2));
  const filters = groups * (1 + rng.int(3));
  const k = 1 + rng.int(oneD ? 7 : 4); // conv1d up to 7 wide: dW's row-blocked (kw ≤ 5) and general paths
  const stride = 1 + rng.int(3);
  const dilation = 1 + rng.int(2);
  const padChoice = rng.int(5);
  const H = 3 + rng.int(6), W = 3 + rng.int(7);
  const padding = padChoice < 3
    ? PADS[padChoice]
    : padChoice === 3
    ? rng.int(3)
    : (oneD ? [rng.int(3), rng.int(3)] : [rng.int(3), rng.int(3), rng.int(3), rng.int(3)]);
  if (oneD) {
    return {
      spec: { type: "conv1d", filters, kernel: k, stride, dilation, padding, groups },
      inShape: [inC, W + 4],
    };
  }
  return {
    spec: {
      type: "conv2d",
      filters,
      kernel: [k, 1 + rng.int(3)],
      stride: [stride, 1 + rng.int(2)],
      dilation: [dilation, 1 + rng.int(2)],
      padding,
      groups,
    },
    inShape: [inC, H, W],
  };
}

function tryResolve(spec: LayerSpec, inShape: number[]): ResolvedLayer | null {
  try {
    return resolveLayer(spec, inShape);
  } catch (e) {
    if (e instanceof RangeError) return null; // window larger than padded input: draw again
    throw e;
  }
}

gpuTest("GPU backward kernels match float64 references", "train_gpu_grad", async (device, t) => {
  console.log(`train_gpu_grad_test seed ${SEED}`);
  const ctx = new GpuContext(device);
  const rng = new DataRng(SEED);
  const buf = (a: Float32Array | Int32Array) => ctx.buffer(a.length, "test", a);
  const out = (n: number) => ctx.buffer(n, "test out");
  /** conv dX, dW (and db when `bias`) on the GPU against the float64 reference, at a random batch of 1–3. */
  const checkConv = async (l: ResolvedLayer & { op: "conv" }, what0: string, bias: boolean) => {
    const n = 1 + rng.int(3);
    const x = rand(rng, n * l.inC * l.inH * l.inW);
    const w = rand(rng, l.outC * (l.inC / l.groups) * l.kh * l.kw);
    const dy = rand(rng, n * l.outC * l.outH * l.outW);
    const ref = convRef(l, x, w, dy, n);
    const [bx, bw, bdy] = [buf(x), buf(w), buf(dy)];
    const [odx, odw, odb] = [out(x.length), out(w.length), out(l.outC)];
    await runKernels(ctx, [
      { kernel: convBackwardInput(l, n), buffers: [bdy, bw, odx] },
      { kernel: convBackwardWeight(l, n), buffers: [bdy, bx, odw] },
      ...(bias ? [{ kernel: convBackwardBias(l, n), buffers: [bdy, odb] }] : []),
    ]);
    const what = `${what0} batch ${n}`;
    close(`${what} dX`, await ctx.read(odx, x.length), ref.dx);
    close(`${what} dW`, await ctx.read(odw, w.length), ref.dW);
    if (bias) close(`${what} db`, await ctx.read(odb, l.outC), ref.db);
  };

  await t.step("conv dX / dW / db", async () => {
    let cases = 0;
    while (cases < 14) {
      const { spec, inShape } = randomConv(rng);
      const l = tryResolve(spec, inShape);
      if (!l || l.op !== "conv") continue;
      cases++;
      await checkConv(l, `conv ${JSON.stringify(spec)} in ${inShape}`, true);
    }
  });

  await t.step("conv dX / dW on wide channel blocks (register-blocked paths, stride 1)", async () => {
    let cases = 0;
    while (cases < 8) {
      const groups = 1 + rng.int(2);
      const inC = groups * (4 + rng.int(30)); // 4..33 per group: dX blocks of 4, 8 and 16 with tails
      const filters = groups * (2 + rng.int(10)); // 2..11 per group: dW blocks of 4, 2, 1
      const spec: LayerSpec = {
        type: "conv2d",
        filters,
        groups,
        kernel: [1 + rng.int(5), 1 + rng.int(5)],
        dilation: [1 + rng.int(2), 1 + rng.int(2)],
        padding: PADS[rng.int(3)],
      };
      const inShape = [inC, 3 + rng.int(8), 3 + rng.int(9)];
      const l = tryResolve(spec, inShape);
      if (!l || l.op !== "conv") continue;
      cases++;
      await checkConv(l, `conv ${JSON.stringify(spec)} in ${inShape}`, false);
    }
  });

  await t.step("conv dW + db, lane kernel (batch-sliced partial sums + reduce)", async () => {
    let cases = 0, sliced = 0;
    while (cases < 14) {
      const big = cases % 2 === 1; // wider channels and batches: several lane chunks and slices
      const { spec, inShape } = randomConv(rng);
      if (big) {
        const s = spec as { filters: number; groups?: number };
        s.filters = (s.groups ?? 1) * (5 + rng.int(40));
        inShape[0] = (s.groups ?? 1) * (1 + rng.int(3));
      }
      const l = tryResolve(spec, inShape);
      if (!l || l.op !== "conv" || !convDwLanesFits(l)) continue;
      cases++;
      const n = big ? 1 + rng.int(20) : 1 + rng.int(3);
      if (convDwSplits(l, n) > 1) sliced++;
      const x = rand(rng, n * l.inC * l.inH * l.inW);
      const w = rand(rng, l.outC * (l.inC / l.groups) * l.kh * l.kw);
      const dy = rand(rng, n * l.outC * l.outH * l.outW);
      const ref = convRef(l, x, w, dy, n);
      const part = out(convDwPartFloats(l, n));
      const [odw, odb] = [out(w.length), out(l.outC)];
      await runKernels(ctx, [
        { kernel: convDwPartial(l, n), buffers: [buf(dy), buf(x), part] },
        { kernel: convDwReduce(l, n, true), buffers: [part, odw, odb] },
      ]);
      const what = `conv ${JSON.stringify(spec)} in ${inShape} batch ${n} lanes`;
      close(`${what} dW`, await ctx.read(odw, w.length), ref.dW);
      close(`${what} db`, await ctx.read(odb, l.outC), ref.db);
      const odw2 = out(w.length);
      await runKernels(ctx, [{ kernel: convDwReduce(l, n, false), buffers: [part, odw2] }]);
      close(`${what} dW (no bias)`, await ctx.read(odw2, w.length), ref.dW);
    }
    assert(sliced > 0, "no case exercised more than one batch slice");
  });

  await t.step("pool dX (max with ties, avg, l2) and globalavgpool", async () => {
    let cases = 0;
    while (cases < 12) {
      const mode = (["max", "avg", "l2"] as const)[cases % 3];
      const oneD = rng.next() < 0.3;
      const size = 1 + rng.int(3), stride = 1 + rng.int(3);
      const pc = rng.int(4);
      const padding = pc < 3 ? PADS[pc] : 1;
      const C = 1 + rng.int(3), H = 2 + rng.int(6), W = 2 + rng.int(6);
      const spec = (oneD ? { type: `${mode}pool1d`, size, stride, padding } : {
        type: `${mode}pool2d`,
        size: [size, 1 + rng.int(3)],
        stride: [stride, 1 + rng.int(2)],
        padding,
      }) as LayerSpec;
      const l = tryResolve(spec, oneD ? [C, W + 3] : [C, H, W]);
      if (!l || l.op !== "pool") {
        continue;
      }
      cases++;
      const n = 1 + rng.int(3);
      const x = rand(rng, n * l.inC * l.inH * l.inW);
      if (mode === "max") { for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 2); // ties
       }
      const y = pool2d(l, l.mode, x, n, new Float32Array(n * l.inC * l.outH * l.outW));
      const dy = rand(rng, y.length);
      const odx = out(x.length);
      const src = { x, y, dy };
      const bufs = [...poolBackwardReads(l.mode).map((k) => buf(src[k])), odx];
      await runKernels(ctx, [{ kernel: poolBackward(l, l.mode, n), buffers: bufs }]);
      close(
        `pool ${JSON.stringify(spec)} batch ${n} dX`,
        await ctx.read(odx, x.length),
        poolRef(l, x, dy, n),
      );
    }
    const n = 3, c = 4, spatial = 7;
    const dy = rand(rng, n * c);
    const odx = out(n * c * spatial);
    await runKernels(ctx, [{ kernel: globalAvgPoolBackward(c, spatial, n), buffers: [buf(dy), odx] }]);
    const ref = Array.from({ length: n * c * spatial }, (_, i) => dy[Math.floor(i / spatial)] / spatial);
    close("globalavgpool dX", await ctx.read(odx, ref.length), ref);
  });

  await t.step("tiled max-pool dX, alone and with the folded ReLU mask", async () => {
    let cases = 0;
    while (cases < 10) {
      const oneD = rng.next() < 0.2;
      const kh = 1 + rng.int(3), kw = 1 + rng.int(3);
      const pc = rng.int(3);
      const pads = [rng.int(2), rng.int(2), rng.int(2), rng.int(2)];
      const padding = pc === 0 ? "valid" : pc === 1 ? "same" : pads;
      const C = 1 + rng.int(3), H = 2 + rng.int(7), W = 2 + rng.int(7);
      const spec = (oneD
        ? { type: "maxpool1d", size: kw, stride: kw, padding: pc === 2 ? rng.int(2) : padding }
        : { type: "maxpool2d", size: [kh, kw], stride: [kh, kw], padding }) as LayerSpec;
      const l = tryResolve(spec, oneD ? [C, W + 3] : [C, H, W]);
      if (!l || l.op !== "pool" || !maxPoolTiles(l)) {
        continue;
      }
      const mask = cases % 2 === 1;
      cases++;
      const n = 1 + rng.int(3);
      const x = rand(rng, n * l.inC * l.inH * l.inW);
      // ties; with the mask, x is a ReLU output
      for (let i = 0; i < x.length; i++) {
        x[i] = mask ? Math.max(0, Math.round(x[i] * 2)) : Math.round(x[i] * 2);
      }
      const dy = rand(rng, n * l.inC * l.outH * l.outW);
      const odx = out(x.length);
      await runKernels(ctx, [{
        kernel: maxPoolBackwardTiled(l, n, mask),
        buffers: [buf(x), buf(dy), odx],
      }]);
      const ref = poolRef(l, x, dy, n);
      if (mask) {
        for (let i = 0; i < ref.length; i++) {
          ref[i] = x[i] > 0 ? ref[i] : 0;
        }
      }
      close(
        `tiled maxpool ${JSON.stringify(spec)} mask ${mask} batch ${n} dX`,
        await ctx.read(odx, x.length),
        ref,
      );
    }
  });

  await t.step("dense dX / dW / db", async () => {
    for (let k = 0; k < 6; k++) {
      // outF > 16 on the last two: several output blocks in dW
      const n = 1 + rng.int(9), inF = 1 + rng.int(40), outF = k < 4 ? 1 + rng.int(13) : 17 + rng.int(20);
      const x = rand(rng, n * inF), w = rand(rng, outF * inF), dy = rand(rng, n * outF);
      const dx = new Float64Array(n * inF), dW = new Float64Array(outF * inF), db = new Float64Array(outF);
      for (let b = 0; b < n; b++) {
        for (let o = 0; o < outF; o++) {
          const d = dy[b * outF + o];
          db[o] += d;
          for (let i = 0; i < inF; i++) {
            dx[b * inF + i] += d * w[o * inF + i];
            dW[o * inF + i] += d * x[b * inF + i];
          }
        }
      }
      const [odx, odw, odb] = [out(dx.length), out(dW.length), out(outF)];
      const bdy = buf(dy);
      await runKernels(ctx, [
        { kernel: denseBackwardInput(inF, outF, n), buffers: [bdy, buf(w), odx] },
        { kernel: denseBackwardWeight(inF, outF, n), buffers: [bdy, buf(x), odw] },
        { kernel: denseBackwardBias(outF, n), buffers: [bdy, odb] },
      ]);
      close(`dense ${inF}→${outF} batch ${n} dX`, await ctx.read(odx, dx.length), dx);
      close(`dense dW`, await ctx.read(odw, dW.length), dW);
      close(`dense db`, await ctx.read(odb, outF), db);
    }
  });

  await t.step("activation dX", async () => {
    for (const act of ["relu", "leakyrelu", "elu", "sigmoid", "tanh", "softmax"] as const) {
      const n = 2, c = 5, spatial = 3, alpha = act === "elu" ? 0.7 : 0.05;
      const x = rand(rng, n * c * spatial, -3, 3);
      const y = activation(act, alpha, 0, c, spatial, x, n, new Float32Array(x.length));
      const dy = rand(rng, x.length);
      const ref = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const X = x[i], Y = y[i], D = dy[i];
        ref[i] = act === "relu"
          ? (X > 0 ? D : 0)
          : act === "leakyrelu"
          ? (X > 0 ? D : alpha * D)
          : act === "elu"
          ? (X > 0 ? D : D * alpha * Math.exp(X))
          : act === "sigmoid"
          ? D * Y * (1 - Y)
          : act === "tanh"
          ? D * (1 - Y * Y)
          : 0;
      }
      if (act === "softmax") {
        for (let b = 0; b < n; b++) {
          for (let s = 0; s < spatial; s++) {
            let dot = 0;
            for (let k = 0; k < c; k++) dot += dy[(b * c + k) * spatial + s] * y[(b * c + k) * spatial + s];
            for (let k = 0; k < c; k++) {
              const j = (b * c + k) * spatial + s;
              ref[j] = y[j] * (dy[j] - dot);
            }
          }
        }
      }
      const use = activationBackwardUses(act);
      const odx = out(x.length);
      const bufs = [...(use.x ? [buf(x)] : []), ...(use.y ? [buf(y)] : []), buf(dy), odx];
      await runKernels(ctx, [{
        kernel: activationBackward({ act, alpha, beta: 0, c, spatial, outer: 1 }, n),
        buffers: bufs,
      }]);
      close(`${act} dX`, await ctx.read(odx, x.length), ref);
    }
  });

  await t.step(
    "losses: value, gradient, correct count (softmax_xent plain and label-smoothed, mse)",
    async () => {
      for (const [loss, s] of [["softmax_xent", 0], ["softmax_xent", 0.2], ["mse", 0]] as const) {
        const n = 5, k = 7;
        const z = rand(rng, n * k, -4, 4);
        const labels = Int32Array.from({ length: n }, () => rng.int(k));
        const dz = new Float64Array(n * k);
        let total = 0, correct = 0;
        for (let b = 0; b < n; b++) {
          const row = Array.from(z.subarray(b * k, b * k + k));
          const am = row.indexOf(Math.max(...row));
          if (am === labels[b]) correct++;
          if (loss === "softmax_xent") {
            const m = Math.max(...row);
            const sum = row.reduce((a, v) => a + Math.exp(v - m), 0);
            row.forEach((v, j) => {
              const target = s / k + (j === labels[b] ? 1 - s : 0);
              total += -target * (v - m - Math.log(sum));
              dz[b * k + j] = (Math.exp(v - m) / sum - target) / n;
            });
          } else {
            row.forEach((v, j) => {
              const d = v - (j === labels[b] ? 1 : 0);
              total += d * d / k;
              dz[b * k + j] = 2 * d / (n * k);
            });
          }
        }
        const odz = out(n * k), per = out(2 * n), res = out(2);
        await runKernels(ctx, [
          { kernel: lossForwardBackward(loss, k, n, s), buffers: [buf(z), buf(labels), odz, per] },
          { kernel: lossReduce(n), buffers: [per, res] },
        ]);
        close(`${loss} s=${s} dz`, await ctx.read(odz, n * k), dz);
        const r = await ctx.read(res, 2);
        close(`${loss} s=${s} value`, r.subarray(0, 1), [total / n]);
        assert(r[1] === correct, `${loss} correct ${r[1]} vs ${correct}`);
      }
      assertThrows(
        () => lossForwardBackward("mse", 7, 5, 0.1),
        TypeError,
        "label smoothing applies to softmax_xent, not mse",
      );
      assertThrows(() => lossForwardBackward("softmax_xent", 7, 5, 1), RangeError, "got 1");
    },
  );

  await t.step("dropout mask matches its TypeScript twin, inverted scaling", async () => {
    const count = 1000, rate = 0.3, layer = 4, step = 17, seed = 99;
    const x = rand(rng, count);
    const u = new Uint32Array([0, 0, 0, step, seed, 0, 0, 0]);
    const ub = device.createBuffer({ size: 32, usage: 0x0040 | 0x0008 });
    device.queue.writeBuffer(ub, 0, u);
    const oy = out(count), odx = out(count);
    await runKernels(ctx, [
      { kernel: dropoutKernel(rate, layer, count, false), buffers: [ub, buf(x), oy] },
      { kernel: dropoutKernel(rate, layer, count, true), buffers: [ub, buf(x), odx] },
    ]);
    const ref = new Float64Array(count);
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const k = dropoutKeep(seed, layer, step, i, rate);
      if (k) kept++;
      ref[i] = k ? x[i] / (1 - rate) : 0;
    }
    close("dropout forward", await ctx.read(oy, count), ref);
    close("dropout backward", await ctx.read(odx, count), ref);
    assert(Math.abs(kept / count - (1 - rate)) < 0.06, `kept fraction ${kept / count}`);
  });

  await t.step("batchnorm train forward, running stats, backward; eval forward", async () => {
    for (const [n, c, spatial] of [[3, 4, 5], [6, 3, 1]]) {
      const g = { c, spatial, eps: 1e-5, momentum: 0.1 };
      const m = n * spatial;
      const x = rand(rng, n * c * spatial, -2, 3), dy = rand(rng, x.length);
      const gamma = rand(rng, c, 0.5, 1.5), beta = rand(rng, c);
      const run0 = new Float32Array(2 * c).fill(0.5);
      const y = new Float64Array(x.length), dx = new Float64Array(x.length);
      const dgamma = new Float64Array(c), dbeta = new Float64Array(c), run = new Float64Array(run0);
      const yEval = new Float64Array(x.length);
      const idx = (b: number, ch: number, s: number) => (b * c + ch) * spatial + s;
      for (let ch = 0; ch < c; ch++) {
        let mean = 0, v = 0;
        for (let b = 0; b < n; b++) for (let s = 0; s < spatial; s++) mean += x[idx(b, ch, s)] / m;
        for (let b = 0; b < n; b++) {
          for (let s = 0; s < spatial; s++) v += (x[idx(b, ch, s)] - mean) ** 2 / m;
        }
        const inv = 1 / Math.sqrt(v + g.eps);
        run[ch] = 0.9 * run[ch] + 0.1 * mean;
        run[c + ch] = 0.9 * run[c + ch] + 0.1 * v * m / (m - 1);
        for (let b = 0; b < n; b++) {
          for (let s = 0; s < spatial; s++) {
            const j = idx(b, ch, s), xh = (x[j] - mean) * inv;
            y[j] = gamma[ch] * xh + beta[ch];
            dgamma[ch] += dy[j] * xh;
            dbeta[ch] += dy[j];
          }
        }
        for (let b = 0; b < n; b++) {
          for (let s = 0; s < spatial; s++) {
            const j = idx(b, ch, s), xh = (x[j] - mean) * inv;
            dx[j] = gamma[ch] * inv / m * (m * dy[j] - dbeta[ch] - xh * dgamma[ch]);
            yEval[j] = gamma[ch] * (x[j] - run[ch]) / Math.sqrt(run[c + ch] + g.eps) + beta[ch];
          }
        }
      }
      const bx = buf(x),
        stats = out(2 * c),
        running = buf(run0),
        bg = buf(gamma),
        bb = buf(beta),
        bdy = buf(dy);
      const oy = out(x.length), odg = out(c), odb = out(c), odx = out(x.length), oev = out(x.length);
      await runKernels(ctx, [
        { kernel: bnStats(g, n), buffers: [bx, stats, running] },
        { kernel: bnApply(g, n, "train"), buffers: [bx, stats, bg, bb, oy] },
        { kernel: bnBackwardParams(g, n), buffers: [bx, stats, bdy, odg, odb] },
        { kernel: bnBackwardInput(g, n), buffers: [bx, stats, bdy, bg, odg, odb, odx] },
        { kernel: bnApply(g, n, "eval"), buffers: [bx, running, bg, bb, oev] },
      ]);
      close("batchnorm y", await ctx.read(oy, x.length), y);
      close("batchnorm running", await ctx.read(running, 2 * c), run);
      close("batchnorm dgamma", await ctx.read(odg, c), dgamma);
      close("batchnorm dbeta", await ctx.read(odb, c), dbeta);
      close("batchnorm dX", await ctx.read(odx, x.length), dx);
      close("batchnorm eval y", await ctx.read(oev, x.length), yEval);
    }
  });
});
