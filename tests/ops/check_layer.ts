// The one table-driven check every op family's test runs (after tinygrad's
// helper_test_op): one layer, one random input, every implementation against
// the readable float64 reference (train/ops/layer_reference.ts):
//   reference  backward vs central finite differences of the reference forward
//              (L = Σ y·dy, h = 1e-5, sampled coordinates of x and params);
//   cpu        every CPU forward variant the layer qualifies for (conv:
//              winograd3x3 / winograd5x5 / im2col / direct; pool: maxpool2x2 /
//              direct; dense; activations; upsample), float32 vs the float64 output;
//   wasm       the wasm engine's forward (f32 sums: the WebGPU tolerance);
//   cpu-train  the CPU training backend's float32 layer (train/cpu/network.ts):
//              output, dx and every parameter gradient;
//   webgpu     the WebGPU training backend's forward and backward kernels
//              (layerForward / layerBackward, as the backend binds them) and
//              the batchnorm running statistics.
// Tolerances per backend: |got − ref| ≤ tol · max(1, max |ref|) per tensor.
// Dropout uses the backends' shared mask (dropoutKeep) for the reference.

import { assert, assertEquals } from "@std/assert";
import type { TrainLayerSpec } from "../../train/backend.ts";
import { prod, resolveTrainLayer, trainParamShapes, type TrainResolvedLayer } from "../../train/layers.ts";
import { backward64, forward64 } from "../../train/ops/layer_reference.ts";
import type { Rng } from "../../train/rng.ts";
import { type GpuContext, runPrepared } from "../../train/webgpu/gpu_context.ts";
import { layerForward } from "../../train/webgpu/layer_forward.ts";
import { layerBackward } from "../../train/webgpu/layer_backward.ts";
import { dropoutKeep } from "../../train/ops/dropout/mask.ts";
import { Net32 } from "../../train/cpu/network.ts";
import { convCpu, convVariant, convVariants, prepareConv } from "../../runtime/ops/conv/cpu.ts";
import { convTCpu, convTVariants } from "../../runtime/ops/conv/transpose_cpu.ts";
import { dilatedMaxPool, pool2d } from "../../runtime/ops/pool/pool_direct.ts";
import { isMaxPool2x2, maxPool2x2 } from "../../runtime/ops/pool/maxpool2x2.ts";
import { forwardLayer } from "../../runtime/cpu/forward.ts";
import * as USAGE from "../../runtime/webgpu/buffer_usage.ts";
import { WasmExecutor } from "../../runtime/wasm/executor.ts";
import { compileKernels } from "../../runtime/wasm/engine.ts";
import type { ResolvedLayer } from "../../runtime/format/spec.ts";

const WASM_MODULE = await compileKernels();

/** Per-tensor tolerances (relative to max(1, max |ref|)). */
export const TOL = { cpu: 2e-6, cpuTrain: 1e-6, webgpu: 2e-4, fd: 1e-5 };

/** What the GPU side of a check needs (null: CPU-only run). */
export interface GpuSide {
  ctx: GpuContext;
  /** the step uniform: step 5, seed 1234 (STEP, DSEED) */
  stepU: GPUBuffer;
}

const STEP = 5, DSEED = 1234, INDEX = 3;

/** The step uniform the dropout kernels read (step STEP, seed DSEED). */
export function stepUniform(device: GPUDevice): GPUBuffer {
  const b = device.createBuffer({ size: 32, usage: USAGE.UNIFORM | USAGE.COPY_DST });
  device.queue.writeBuffer(b, 0, new Uint32Array([0, 0, 0, STEP, DSEED, 0, 0, 0]));
  return b;
}

/** Throws unless every |got − want| ≤ tol·max(1, max|want|); returns the worst relative error. */
export function close(what: string, got: ArrayLike<number>, want: Float64Array, tol: number): number {
  assert(got.length === want.length, `${what}: ${got.length} values, expected ${want.length}`);
  let scale = 1, worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= worst)) (worst = e), (at = i);
  }
  assert(
    worst <= tol * scale,
    `${what}: max error ${worst} at ${at} (got ${got[at]}, ref ${want[at]}), tol ${tol * scale}`,
  );
  return worst / scale;
}

/** The CPU forward variants a layer qualifies for, each as a runner writing y (single-variant ops: forwardLayer). */
function cpuVariants(l: TrainResolvedLayer, params: Float32Array[]) {
  const out: [string, (x: Float32Array, n: number, y: Float32Array) => void][] = [];
  if (l.op === "conv") {
    const b = l.bias ? params[1] : null;
    for (const v of convVariants(l)) {
      const prep = prepareConv(l, params[0], v);
      out.push([`cpu conv ${v}`, (x, n, y) => {
        convCpu(l, prep, params[0], b, x, n, y, false);
        // the layer's own forward runs exactly the chosen variant
        if (v === convVariant(l)) assertEquals(forwardLayer(l, params, x, n), y, `forwardLayer runs ${v}`);
      }]);
    }
  } else if (l.op === "convT") {
    const b = l.bias ? params[1] : null;
    for (const v of convTVariants(l)) {
      out.push([`cpu convT ${v}`, (x, n, y) => {
        convTCpu(l, params[0], b, x, n, y, false, v);
        if (v === convTVariants(l)[0]) {
          assertEquals(forwardLayer(l, params, x, n), y, `forwardLayer runs ${v}`);
        }
      }]);
    }
  } else if (l.op === "pool") {
    if (l.dh > 1 || l.dw > 1) out.push(["cpu pool dilated", (x, n, y) => dilatedMaxPool(l, x, n, y)]);
    else out.push(["cpu pool direct", (x, n, y) => pool2d(l, l.mode, x, n, y)]);
    if (isMaxPool2x2(l, l.mode)) out.push(["cpu pool maxpool2x2", (x, n, y) => maxPool2x2(l, x, n, y)]);
  } else if (l.op !== "dropout" && l.op !== "batchnorm" && l.op !== "flatten") {
    out.push([`cpu ${l.op === "act" ? l.act : l.op}`, (x, n, y) => forwardLayer(l, params, x, n, y)]);
  }
  return out;
}

/** Σ y·dy of the reference forward (training mode) at x with params. */
function lossAt(
  l: TrainResolvedLayer,
  p: Float64Array[],
  x: Float64Array,
  n: number,
  dy: Float64Array,
  mask?: Float64Array,
) {
  const running = l.op === "batchnorm" ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)] : undefined;
  const y = forward64(l, p, x, n, { train: true, mask, running }).y;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * dy[i];
  return s;
}

/** Which implementations ran for a case, with their worst relative errors. */
export type CheckReport = Record<string, number>;

/**
 * Resolve `spec` at `inShape`, draw x / params / dy from `rng` and check every
 * implementation (see the header). `ties` rounds x so max pools see ties
 * (finite differences are skipped then: the derivative is one-sided there).
 */
export async function checkLayer(
  spec: TrainLayerSpec,
  inShape: number[],
  n: number,
  rng: Rng,
  gpu: GpuSide | null,
  opts: { ties?: boolean; fd?: number; minAbs?: number; positive?: boolean } = {},
): Promise<CheckReport> {
  const l = resolveTrainLayer(spec, inShape);
  const what = `${JSON.stringify(spec)} on (${inShape.join(",")}) batch ${n}`;
  const report: CheckReport = {};
  const x = new Float32Array(n * prod(l.inShape)).map(() => rng.next() * 4 - 2);
  if (opts.ties) { for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]); }
  // a function defined for x > 0 only (sqrt, log) on |x|; one with a pole at 0 (reciprocal) on |x| ≥ minAbs
  if (opts.positive) { for (let i = 0; i < x.length; i++) x[i] = Math.abs(x[i]); }
  if (opts.minAbs) { for (let i = 0; i < x.length; i++) x[i] += x[i] < 0 ? -opts.minAbs : opts.minAbs; }
  const params = trainParamShapes(l).map((s) => new Float32Array(prod(s)).map(() => rng.next() * 2 - 1));
  const yLen = n * prod(l.outShape);
  const dy = new Float32Array(yLen).map(() => rng.next() * 2 - 1);
  const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
  const mask = l.op === "dropout"
    ? Float64Array.from({ length: x.length }, (_, i) => dropoutKeep(DSEED, INDEX, STEP, i, l.rate) ? 1 : 0)
    : undefined;
  const run64 = l.op === "batchnorm" ? [new Float64Array(l.c), new Float64Array(l.c).fill(1)] : undefined;
  const p64 = params.map(f64), x64 = f64(x), dy64 = f64(dy);
  const fw = forward64(l, p64, x64, n, { train: true, mask, running: run64 });
  const bw = backward64(l, p64, x64, fw.y, dy64, n, fw.cache);

  // the reference backward against finite differences of the reference forward
  const fdPoints = opts.fd ?? 6;
  if (fdPoints > 0 && !opts.ties) {
    const h = 1e-5;
    const probe = (t: Float64Array, k: number, analytic: number, name: string) => {
      const keep = t[k];
      t[k] = keep + h;
      const up = lossAt(l, p64, x64, n, dy64, mask);
      t[k] = keep - h;
      const down = lossAt(l, p64, x64, n, dy64, mask);
      t[k] = keep;
      const num = (up - down) / (2 * h);
      const err = Math.abs(num - analytic) / Math.max(1, Math.abs(num));
      assert(err <= TOL.fd, `${what}: ∂L/∂${name} analytic ${analytic} vs finite difference ${num}`);
      report.fd = Math.max(report.fd ?? 0, err);
    };
    for (let j = 0; j < fdPoints; j++) {
      const k = rng.int(x64.length);
      probe(x64, k, bw.dx[k], `x[${k}]`);
    }
    p64.forEach((t, pi) => {
      for (let j = 0; j < Math.min(fdPoints, t.length); j++) {
        const k = rng.int(t.length);
        probe(t, k, bw.dParams[pi][k], `param${pi}[${k}]`);
      }
    });
  }

  // every CPU forward variant
  for (const [name, run] of cpuVariants(l, params)) {
    const y = new Float32Array(yLen);
    run(x, n, y);
    report[name] = close(`${what} ${name}`, y, fw.y, TOL.cpu);
  }

  // the wasm engine's forward (its kernel where the op has one, else the TS kernel in the wasm memory)
  if (l.op !== "dropout" && l.op !== "batchnorm") {
    const exec = new WasmExecutor(WASM_MODULE, [l as ResolvedLayer], [params]);
    const name = exec.wasmLayers[0] ? `wasm ${l.op}` : `wasm-hosted ts ${l.op === "act" ? l.act : l.op}`;
    report[name] = close(`${what} ${name}`, exec.run(x, n), fw.y, TOL.webgpu);
    exec.dispose();
  }

  // the CPU training backend's layer
  if (l.op !== "flatten") {
    const net = new Net32([l]);
    net.reserve(n);
    const running32 = [l.op === "batchnorm" ? [new Float32Array(l.c), new Float32Array(l.c).fill(1)] : []];
    // the CPU backend draws dropout masks with the layer's own index (0 here)
    const m0 = l.op === "dropout"
      ? Float64Array.from({ length: x.length }, (_, i) => dropoutKeep(DSEED, 0, STEP, i, l.rate) ? 1 : 0)
      : undefined;
    const ref = m0 ? forward64(l, p64, x64, n, { train: true, mask: m0 }) : fw;
    const refB = m0 ? backward64(l, p64, x64, ref.y, dy64, n, ref.cache) : bw;
    const y = net.forward([params], x, n, { train: true, seed: DSEED, step: STEP, running: running32 });
    let worst = close(`${what} cpu-train y`, y, ref.y, TOL.cpuTrain);
    const dx = net.backward([params], dy, n, true)!;
    worst = Math.max(worst, close(`${what} cpu-train dx`, dx, refB.dx, TOL.cpuTrain));
    net.grads[0].forEach((g, k) => {
      worst = Math.max(worst, close(`${what} cpu-train dparam ${k}`, g, refB.dParams[k], TOL.cpuTrain));
    });
    report["cpu-train"] = worst;
  }

  // the WebGPU backend's kernels
  if (gpu) {
    const { ctx, stepU } = gpu;
    const buf = (a: Float32Array) => ctx.buffer(a.length, "test", a);
    const bx = buf(x), by = ctx.buffer(yLen, "y"), bdy = buf(dy), bdx = ctx.buffer(x.length, "dx");
    const bp = params.map(buf), bg = params.map((p) => ctx.buffer(p.length, "grad"));
    const c = l.op === "batchnorm" ? l.c : 0;
    const stats = c ? ctx.buffer(2 * c, "stats") : null;
    const running = c ? buf(Float32Array.from({ length: 2 * c }, (_, i) => (i < c ? 0 : 1))) : null;
    const owned: GPUBuffer[] = []; // scratch buffers of the backward kernels
    const yBuf = l.op === "flatten" ? bx : by;
    await runPrepared(
      ctx,
      layerForward(ctx, l, INDEX, n, true, { x: bx, y: yBuf, params: bp, stats, running, stepU }),
    );
    await runPrepared(
      ctx,
      layerBackward(ctx, l, INDEX, n, {
        x: bx,
        y: yBuf,
        dy: bdy,
        dx: bdx,
        params: bp,
        grads: bg,
        stats,
        stepU,
        scratch: (floats, name) => {
          const b = ctx.buffer(floats, name);
          owned.push(b);
          return b;
        },
      }),
    );
    let worst = close(`${what} webgpu y`, await ctx.read(yBuf, yLen), fw.y, TOL.webgpu);
    worst = Math.max(worst, close(`${what} webgpu dx`, await ctx.read(bdx, x.length), bw.dx, TOL.webgpu));
    for (let k = 0; k < params.length; k++) {
      const g = await ctx.read(bg[k], params[k].length);
      worst = Math.max(worst, close(`${what} webgpu dparam ${k}`, g, bw.dParams[k], TOL.webgpu));
    }
    if (running && run64) {
      const r = await ctx.read(running, 2 * c);
      worst = Math.max(
        worst,
        close(`${what} webgpu running`, r, f64([...run64[0], ...run64[1]]), TOL.webgpu),
      );
    }
    report.webgpu = worst;
    for (const b of [bx, by, bdy, bdx, ...bp, ...bg, ...owned]) b.destroy();
    stats?.destroy();
    running?.destroy();
  }
  return report;
}

/**
 * Run `cases` draws of `draw()` through checkLayer (draws that do not resolve,
 * e.g. a window larger than the padded input, are drawn again); returns the
 * worst error per implementation over all of them, for the test to print.
 */
export async function checkCases(
  count: number,
  rng: Rng,
  gpu: GpuSide | null,
  draw: () => {
    spec: TrainLayerSpec;
    inShape: number[];
    ties?: boolean;
    minAbs?: number;
    positive?: boolean;
  },
): Promise<CheckReport> {
  const worst: CheckReport = {};
  for (let done = 0; done < count;) {
    const { spec, inShape, ties, minAbs, positive } = draw();
    try {
      resolveTrainLayer(spec, inShape);
    } catch (e) {
      if (e instanceof RangeError) continue; // e.g. a window larger than the padded input: draw again
      throw e;
    }
    done++;
    const r = await checkLayer(spec, inShape, 1 + rng.int(3), rng, gpu, { ties, minAbs, positive });
    for (const [k, v] of Object.entries(r)) worst[k] = Math.max(worst[k] ?? 0, v);
  }
  return worst;
}
