// CPU forward kernels vs a naive float64 reference written straight from the
// definitions (cross-correlation, NCHW, zero padding), on seeded random
// configurations: odd sizes, stride > 1, dilation, every padding mode
// (valid/same/full/explicit), groups/depthwise, batch > 1.
// Tolerance: |got − ref| ≤ 1e-6·|ref| + 1e-9 (the kernels sum in float64 and
// round once to f32, whose relative rounding error is ≤ 2⁻²⁴ ≈ 6e-8).
// Seed: env TEST_SEED (default 12345), printed on every run.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type LayerSpec,
  type Padding,
  paramShapes,
  type ResolvedLayer,
  resolveLayer,
} from "../runtime/format/spec.ts";
import type { Window2d } from "../runtime/format/spec_types.ts";
import { CpuExecutor, forwardLayer } from "../runtime/cpu/forward.ts";
import { uniformFn as rng } from "../train/rng.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("cpu_forward", 12345);

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

class Gen {
  r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  f32(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (this.r() * 2 - 1) * scale;
    return a;
  }
}

function assertClose(got: Float32Array, ref: Float64Array, what: string) {
  assertEquals(got.length, ref.length, `${what}: length`);
  for (let i = 0; i < ref.length; i++) {
    const tol = 1e-6 * Math.abs(ref[i]) + 1e-9;
    if (!(Math.abs(got[i] - ref[i]) <= tol)) {
      throw new Error(`${what}: index ${i} got ${got[i]} expected ${ref[i]} (tol ${tol}); seed ${SEED}`);
    }
  }
}

// ---------- independent padding rule (docs/FORMAT.md §4) ----------

/** [before, after] for one axis, computed from the definitions. */
function refPad(mode: Padding, inp: number, k: number, s: number, d: number): [number, number] {
  const span = d * (k - 1) + 1;
  if (mode === "valid") return [0, 0];
  if (mode === "full") return [span - 1, span - 1];
  if (mode === "same") {
    // smallest total padding giving ceil(in/s) outputs, extra cell after
    const out = Math.ceil(inp / s);
    const total = Math.max(0, (out - 1) * s + span - inp);
    return [Math.floor(total / 2), Math.ceil(total / 2)];
  }
  throw new Error("explicit padding handled by caller");
}

/** The window's numbers (the type only: they are computed here without spec.ts) and the plane sizes. */
interface Geo extends Pick<Window2d, "kh" | "kw" | "sh" | "sw" | "dh" | "dw" | "pt" | "pb" | "pl" | "pr"> {
  H: number;
  W: number;
  OH: number;
  OW: number;
}

/** Geometry straight from the spec, without spec.ts. */
function refGeo(spec: Record<string, unknown>, inShape: number[]): Geo {
  const two = inShape.length === 3;
  const H = two ? inShape[1] : 1;
  const W = inShape[inShape.length - 1];
  const isConv = String(spec.type).startsWith("conv");
  const kRaw = (isConv ? spec.kernel : spec.size) as number | [number, number];
  const [kh, kw] = two ? (Array.isArray(kRaw) ? kRaw : [kRaw, kRaw]) : [1, kRaw as number];
  const sRaw = (spec.stride ?? (isConv ? 1 : kRaw)) as number | [number, number];
  const [sh, sw] = two ? (Array.isArray(sRaw) ? sRaw : [sRaw, sRaw]) : [1, sRaw as number];
  const dRaw = (spec.dilation ?? 1) as number | [number, number];
  const [dh, dw] = two ? (Array.isArray(dRaw) ? dRaw : [dRaw, dRaw]) : [1, dRaw as number];
  const p = (spec.padding ?? "valid") as Padding;
  let pt = 0, pb = 0, pl = 0, pr = 0;
  if (typeof p === "string") {
    if (two) [pt, pb] = refPad(p, H, kh, sh, dh);
    [pl, pr] = refPad(p, W, kw, sw, dw);
  } else if (typeof p === "number") {
    if (two) pt = pb = p;
    pl = pr = p;
  } else if (two) {
    [pt, pb, pl, pr] = p;
  } else {
    [pl, pr] = p;
  }
  const OH = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  return { kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, H, W, OH, OW };
}

// ---------- naive float64 references ----------

function refConv(
  g: Geo,
  C: number,
  OC: number,
  groups: number,
  w: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  N: number,
): Float64Array {
  const y = new Float64Array(N * OC * g.OH * g.OW);
  const icg = C / groups, ocg = OC / groups;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < OC; oc++) {
      const grp = Math.floor(oc / ocg);
      for (let oy = 0; oy < g.OH; oy++) {
        for (let ox = 0; ox < g.OW; ox++) {
          let s = b ? b[oc] : 0;
          for (let j = 0; j < icg; j++) {
            const ic = grp * icg + j;
            for (let ky = 0; ky < g.kh; ky++) {
              for (let kx = 0; kx < g.kw; kx++) {
                const iy = oy * g.sh - g.pt + ky * g.dh;
                const ix = ox * g.sw - g.pl + kx * g.dw;
                if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue; // zero padding
                s += w[((oc * icg + j) * g.kh + ky) * g.kw + kx] * x[((n * C + ic) * g.H + iy) * g.W + ix];
              }
            }
          }
          y[((n * OC + oc) * g.OH + oy) * g.OW + ox] = s;
        }
      }
    }
  }
  return y;
}

function refPool(g: Geo, mode: string, C: number, x: Float32Array, N: number): Float64Array {
  const y = new Float64Array(N * C * g.OH * g.OW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < g.OH; oy++) {
        for (let ox = 0; ox < g.OW; ox++) {
          let mx = -Infinity, sum = 0, sq = 0, any = false;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky;
              const ix = ox * g.sw - g.pl + kx;
              if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue; // padded: zero / ignored by max
              const v = x[((n * C + c) * g.H + iy) * g.W + ix];
              any = true;
              mx = Math.max(mx, v);
              sum += v;
              sq += v * v;
            }
          }
          const v = !any ? 0 : mode === "max" ? mx : mode === "avg" ? sum / (g.kh * g.kw) : Math.sqrt(sq);
          y[((n * C + c) * g.OH + oy) * g.OW + ox] = v;
        }
      }
    }
  }
  return y;
}

function refDense(
  inF: number,
  outF: number,
  w: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  N: number,
) {
  const y = new Float64Array(N * outF);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += w[o * inF + i] * x[n * inF + i];
      y[n * outF + o] = s;
    }
  }
  return y;
}

function refAct(act: string, alpha: number, shape: number[], x: Float32Array, N: number): Float64Array {
  const y = new Float64Array(x.length);
  const C = shape[0], S = prod(shape) / C;
  if (act === "softmax") {
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        let z = 0;
        for (let c = 0; c < C; c++) z += Math.exp(x[(n * C + c) * S + s]);
        for (let c = 0; c < C; c++) y[(n * C + c) * S + s] = Math.exp(x[(n * C + c) * S + s]) / z;
      }
    }
    return y;
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = act === "relu"
      ? Math.max(0, v)
      : act === "leakyrelu"
      ? (v > 0 ? v : alpha * v)
      : act === "elu"
      ? (v > 0 ? v : alpha * (Math.exp(v) - 1))
      : act === "sigmoid"
      ? 1 / (1 + Math.exp(-v))
      : Math.tanh(v);
  }
  return y;
}

// ---------- random configurations ----------

const MODES = ["valid", "same", "full", "explicit"] as const;

function randPadding(g: Gen, two: boolean, mode: string): Padding {
  if (mode !== "explicit") return mode as Padding;
  if (g.r() < 0.3) return g.int(0, 3);
  return two ? [g.int(0, 3), g.int(0, 3), g.int(0, 3), g.int(0, 3)] : [g.int(0, 3), g.int(0, 3)];
}

/** Resolve, retrying until the window fits. */
function tryResolve(make: () => [LayerSpec, number[]]): [ResolvedLayer, LayerSpec, number[]] {
  for (;;) {
    const [spec, inShape] = make();
    try {
      return [resolveLayer(spec, inShape), spec, inShape];
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
}

function checkGeo(l: ResolvedLayer, ref: Geo, what: string) {
  if (l.op !== "conv" && l.op !== "pool") throw new Error("not windowed");
  assertEquals(
    [l.pt, l.pb, l.pl, l.pr, l.outH, l.outW],
    [ref.pt, ref.pb, ref.pl, ref.pr, ref.OH, ref.OW],
    `${what}: geometry`,
  );
}

/** The spec's geometry computed here, checked against the resolved layer; the case's name; a batch of 1–3. */
function geometryChecked(g: Gen, i: number, l: ResolvedLayer, spec: LayerSpec, inShape: number[]) {
  const geo = refGeo(spec as unknown as Record<string, unknown>, inShape);
  const what = `case ${i} ${JSON.stringify(spec)} in (${inShape})`;
  checkGeo(l, geo, what);
  return { geo, what, N: g.int(1, 3) };
}
function convCase(g: Gen, i: number, dims: 1 | 2) {
  const mode = MODES[i % 4];
  const [l, spec, inShape] = tryResolve(() => {
    const depthwise = g.r() < 0.25;
    const C = depthwise ? g.int(1, 5) : g.int(1, 6);
    const divs = [1, 2, 3].filter((d) => C % d === 0);
    const groups = depthwise ? C : g.pick(divs);
    const filters = depthwise ? C * g.int(1, 5) : groups * g.int(1, 9); // ocg ≥ 4 hits the 4-channel block path
    const H = g.int(1, 11), W = g.int(1, 13);
    const two = dims === 2;
    const k: number | [number, number] = two
      ? (g.r() < 0.3 ? [g.int(1, 4), g.int(1, 4)] : g.int(1, 4))
      : g.int(1, 5);
    const s: number | [number, number] = two
      ? (g.r() < 0.3 ? [g.int(1, 3), g.int(1, 3)] : g.int(1, 3))
      : g.int(1, 3);
    const d = g.r() < 0.3 ? g.int(2, 3) : 1;
    const spec = {
      type: two ? "conv2d" : "conv1d",
      filters,
      kernel: k,
      stride: s,
      dilation: d,
      padding: randPadding(g, two, mode),
      groups,
      bias: g.r() < 0.8,
    } as LayerSpec;
    return [spec, two ? [C, H, W] : [C, W]];
  });
  if (l.op !== "conv") throw new Error("expected conv");
  const { geo, what, N } = geometryChecked(g, i, l, spec, inShape);
  const params = paramShapes(l).map((s) => g.f32(prod(s)));
  const x = g.f32(N * prod(inShape), 2);
  const got = forwardLayer(l, params, x, N);
  const ref = refConv(geo, l.inC, l.outC, l.groups, params[0], l.bias ? params[1] : null, x, N);
  assertClose(got, ref, what);
  return {
    mode,
    stride: l.sh > 1 || l.sw > 1,
    dil: l.dh > 1 || l.dw > 1,
    groups: l.groups > 1,
    depthwise: l.groups === l.inC && l.inC > 1,
    block4: l.outC / l.groups >= 4,
    batch: N > 1,
  };
}

function poolCase(g: Gen, i: number, dims: 1 | 2) {
  const mode = MODES[i % 4];
  const pm = (["max", "avg", "l2"] as const)[Math.floor(i / 4) % 3];
  const [l, spec, inShape] = tryResolve(() => {
    const two = dims === 2;
    const C = g.int(1, 4), H = g.int(1, 11), W = g.int(1, 13);
    const k = two ? (g.r() < 0.3 ? [g.int(1, 4), g.int(1, 4)] : g.int(1, 4)) : g.int(1, 5);
    const stride = g.r() < 0.3 ? undefined : two ? g.int(1, 3) : g.int(1, 3);
    const spec = {
      type: `${pm}pool${dims}d`,
      size: k,
      stride,
      padding: randPadding(g, two, mode),
    } as LayerSpec;
    return [spec, two ? [C, H, W] : [C, W]];
  });
  if (l.op !== "pool") throw new Error("expected pool");
  const { geo, what, N } = geometryChecked(g, i, l, spec, inShape);
  const x = g.f32(N * prod(inShape), 3);
  assertClose(forwardLayer(l, [], x, N), refPool(geo, pm, l.inC, x, N), what);
  return { mode, stride: l.sh > 1 || l.sw > 1, batch: N > 1 };
}

/** Runs `n` seeded conv cases and returns every padding mode and feature they covered, sorted. */
function convCoverage(seed: number, n: number, dims: 1 | 2): string[] {
  const g = new Gen(seed);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const c = convCase(g, i, dims);
    seen.add(c.mode);
    for (const [k, v] of Object.entries(c)) if (v === true) seen.add(k);
  }
  return [...seen].sort();
}

const CONV_COVERAGE = [
  "batch",
  "block4",
  "depthwise",
  "dil",
  "explicit",
  "full",
  "groups",
  "same",
  "stride",
  "valid",
];

Deno.test("cpu conv2d matches the float64 reference on 80 random configurations", () => {
  assertEquals(convCoverage(SEED + 1, 80, 2), CONV_COVERAGE);
});

Deno.test("cpu conv1d matches the float64 reference on 60 random configurations", () => {
  assertEquals(convCoverage(SEED + 2, 60, 1), CONV_COVERAGE);
});

Deno.test("cpu max/avg/l2 pool2d matches the float64 reference on 72 random configurations", () => {
  const g = new Gen(SEED + 3);
  const seen = new Set<string>();
  for (let i = 0; i < 72; i++) {
    const c = poolCase(g, i, 2);
    seen.add(c.mode);
    if (c.stride) seen.add("stride");
  }
  assertEquals(seen.size, 5);
});

Deno.test("cpu max/avg/l2 pool1d matches the float64 reference on 60 random configurations", () => {
  const g = new Gen(SEED + 4);
  for (let i = 0; i < 60; i++) poolCase(g, i, 1);
});

Deno.test("cpu pooling padding semantics: avg counts padded cells as zero, max ignores them", () => {
  // x = [[-1,-2],[-3,-4]], 2x2 window stride 2, padding 1 each side → 4 windows each with 1 real cell
  const x = new Float32Array([-1, -2, -3, -4]);
  const mk = (type: string) => resolveLayer({ type, size: 2, stride: 2, padding: 1 } as LayerSpec, [1, 2, 2]);
  assertEquals([...forwardLayer(mk("maxpool2d"), [], x, 1)], [-1, -2, -3, -4]);
  assertEquals([...forwardLayer(mk("avgpool2d"), [], x, 1)], [-0.25, -0.5, -0.75, -1]);
  assertEquals([...forwardLayer(mk("l2pool2d"), [], x, 1)], [1, 2, 3, 4]);
  // a window made only of padding cannot be specified: padding must be smaller than the window
  assertThrows(
    () => resolveLayer({ type: "maxpool1d", size: 2, stride: 2, padding: [2, 0] }, [1, 2]),
    RangeError,
    "smaller than the window",
  );
});

Deno.test("cpu dense and globalavgpool match the float64 reference on 50 random configurations each", () => {
  const g = new Gen(SEED + 5);
  for (let i = 0; i < 50; i++) {
    const inShape = g.pick([[g.int(1, 40)], [g.int(1, 4), g.int(1, 9)], [
      g.int(1, 3),
      g.int(1, 5),
      g.int(1, 7),
    ]]);
    const spec: LayerSpec = { type: "dense", units: g.int(1, 17), bias: g.r() < 0.7 };
    const l = resolveLayer(spec, inShape);
    if (l.op !== "dense") throw new Error("expected dense");
    const N = g.int(1, 4);
    const params = paramShapes(l).map((s) => g.f32(prod(s)));
    const x = g.f32(N * prod(inShape), 2);
    const what = `dense case ${i} ${JSON.stringify(spec)} in (${inShape})`;
    assertClose(
      forwardLayer(l, params, x, N),
      refDense(l.inF, l.outF, params[0], params[1] ?? null, x, N),
      what,
    );
  }
  for (let i = 0; i < 50; i++) {
    const inShape = g.pick([[g.int(1, 4), g.int(1, 9)], [g.int(1, 5), g.int(1, 6), g.int(1, 7)]]);
    const l = resolveLayer({ type: "globalavgpool" }, inShape);
    const N = g.int(1, 3);
    const x = g.f32(N * prod(inShape), 2);
    const C = inShape[0], S = prod(inShape) / C;
    const ref = new Float64Array(N * C);
    for (let p = 0; p < N * C; p++) {
      let s = 0;
      for (let j = 0; j < S; j++) s += x[p * S + j];
      ref[p] = s / S;
    }
    assertClose(forwardLayer(l, [], x, N), ref, `gap case ${i} in (${inShape})`);
  }
});

Deno.test("cpu activations match the float64 reference on 60 random configurations", () => {
  const g = new Gen(SEED + 6);
  const acts = ["relu", "leakyrelu", "elu", "sigmoid", "tanh", "softmax"] as const;
  for (let i = 0; i < 60; i++) {
    const act = acts[i % acts.length];
    const inShape = g.pick([[g.int(1, 12)], [g.int(1, 5), g.int(1, 9)], [
      g.int(1, 4),
      g.int(1, 5),
      g.int(1, 6),
    ]]);
    const spec = (act === "leakyrelu" || act === "elu")
      ? { type: act, alpha: g.r() < 0.5 ? undefined : g.r() * 2 }
      : { type: act };
    const l = resolveLayer(spec as LayerSpec, inShape);
    if (l.op !== "act") throw new Error("expected act");
    const N = g.int(1, 3);
    const x = g.f32(N * prod(inShape), 6);
    const what = `act case ${i} ${JSON.stringify(spec)} in (${inShape})`;
    const ref = refAct(act, l.alpha, inShape, x, N);
    assertClose(forwardLayer(l, [], x, N), ref, what);
    // in place gives the same result
    const y = x.slice();
    forwardLayer(l, [], y, N, y);
    assertClose(y, ref, `${what} in place`);
  }
});

Deno.test("cpu sigmoid and softmax are numerically stable for huge inputs", () => {
  const sig = resolveLayer({ type: "sigmoid" }, [4]);
  assertEquals([...forwardLayer(sig, [], new Float32Array([-1e30, -1000, 1000, 1e30]), 1)], [0, 0, 1, 1]);
  // softmax over c=3 at 2 spatial positions: x is (1, 3, 2)
  const sm = resolveLayer({ type: "softmax" }, [3, 2]);
  const y = forwardLayer(sm, [], new Float32Array([1000, -1e30, 1000, 0, 999, 1e30]), 1);
  for (const v of y) assert(Number.isFinite(v), `softmax gave ${v}`);
  const e = Math.exp(-1);
  assertClose(y, new Float64Array([1 / (2 + e), 0, 1 / (2 + e), 0, e / (2 + e), 1]), "softmax huge");
  // each spatial column sums to 1
  assert(Math.abs(y[0] + y[2] + y[4] - 1) < 1e-6);
  assert(Math.abs(y[1] + y[3] + y[5] - 1) < 1e-6);
});

Deno.test("cpu flatten is an identity copy", () => {
  const l = resolveLayer({ type: "flatten" }, [2, 3, 4]);
  const x = new Gen(SEED + 7).f32(2 * 24);
  const y = forwardLayer(l, [], x, 2);
  assert(y !== x);
  assertEquals([...y], [...x]);
});

Deno.test("cpu shape rules: same = ceil(in/stride), full = in + k - 1", () => {
  const g = new Gen(SEED + 8);
  for (let i = 0; i < 50; i++) {
    const H = g.int(1, 20), W = g.int(1, 20), k = g.int(1, 5), s = g.int(1, 4), C = g.int(1, 3);
    const x = g.f32(C * H * W);
    const same = resolveLayer({ type: "conv2d", filters: 2, kernel: k, stride: s, padding: "same" }, [
      C,
      H,
      W,
    ]);
    assertEquals(same.outShape, [2, Math.ceil(H / s), Math.ceil(W / s)]);
    const ps = paramShapes(same).map((sh) => g.f32(prod(sh)));
    assertEquals(forwardLayer(same, ps, x, 1).length, 2 * Math.ceil(H / s) * Math.ceil(W / s));
    const full = resolveLayer({ type: "conv2d", filters: 2, kernel: k, padding: "full" }, [C, H, W]);
    assertEquals(full.outShape, [2, H + k - 1, W + k - 1]);
    const pf = paramShapes(full).map((sh) => g.f32(prod(sh)));
    assertEquals(forwardLayer(full, pf, x, 1).length, 2 * (H + k - 1) * (W + k - 1));
    const full1 = resolveLayer({ type: "conv1d", filters: 1, kernel: k, padding: "full" }, [C, W]);
    assertEquals(full1.outShape, [1, W + k - 1]);
  }
});

Deno.test("cpu forwardLayer rejects bad inputs with typed errors", () => {
  const l = resolveLayer({ type: "conv2d", filters: 2, kernel: 3 }, [1, 5, 5]);
  const w = new Float32Array(18), b = new Float32Array(2), x = new Float32Array(25);
  assertThrows(() => forwardLayer(l, [w, b], new Float32Array(24), 1), TypeError, "expected batch 1");
  assertThrows(() => forwardLayer(l, [w], x, 1), TypeError, "parameter tensor");
  assertThrows(() => forwardLayer(l, [w, new Float32Array(3)], x, 1), TypeError, "parameter 1 has 3 values");
  assertThrows(() => forwardLayer(l, [w, b], x, 0), TypeError, "batch");
  assertThrows(() => forwardLayer(l, [w, b], x, 1.5), TypeError, "batch");
  assertThrows(() => forwardLayer(l, [w, b], x, 1, new Float32Array(17)), TypeError, "out must be");
  const big = new Float32Array(100);
  assertThrows(
    () => forwardLayer(l, [w, b], big.subarray(0, 25), 1, big.subarray(10, 28)),
    TypeError,
    "overlap",
  );
  assertThrows(
    () => forwardLayer(l, [w, b], [1, 2] as unknown as Float32Array, 1),
    TypeError,
    "Float32Array",
  );
});

function randomNet(g: Gen): { layers: ResolvedLayer[]; params: Float32Array[][]; input: number[] } {
  const specs: LayerSpec[] = [
    { type: "relu" }, // first layer elementwise: must not touch the caller's input
    { type: "conv2d", filters: 4, kernel: 3, stride: 2, padding: "same" },
    { type: "leakyrelu", alpha: 0.1 },
    { type: "maxpool2d", size: 2, stride: 1, padding: "same" },
    { type: "conv2d", filters: 4, kernel: [3, 1], dilation: 2, padding: "full", groups: 4 },
    { type: "elu" },
    { type: "avgpool2d", size: 2, padding: 1 },
    { type: "flatten" },
    { type: "dense", units: 7 },
    { type: "softmax" },
  ];
  const input = [3, 9, 11];
  let shape = input;
  const layers = specs.map((s, i) => {
    const l = resolveLayer(s, shape, i);
    shape = l.outShape;
    return l;
  });
  return { layers, params: layers.map((l) => paramShapes(l).map((s) => g.f32(prod(s)))), input };
}

Deno.test("CpuExecutor equals chained forwardLayer exactly, across growing and shrinking batches", () => {
  const g = new Gen(SEED + 9);
  const { layers, params, input } = randomNet(g);
  const ex = new CpuExecutor(layers, params);
  for (const N of [1, 3, 2, 5, 1]) {
    const x = g.f32(N * prod(input), 2);
    const keep = x.slice();
    let ref = x;
    for (let i = 0; i < layers.length; i++) ref = forwardLayer(layers[i], params[i], ref, N);
    const y = ex.run(x, N);
    assertEquals(y.length, N * 7);
    assertEquals([...y], [...ref]);
    assertEquals([...x], [...keep], "input must not be modified");
    // output is a fresh copy: another run does not change it
    const again = ex.run(g.f32(N * prod(input)), N);
    assert(again !== y);
    assertEquals([...y], [...ref]);
  }
});

Deno.test("CpuExecutor validates parameters and inputs", () => {
  const g = new Gen(SEED + 10);
  const { layers, params, input } = randomNet(g);
  assertThrows(() => new CpuExecutor(layers, params.slice(1)), TypeError, "one parameter list per layer");
  const bad = params.map((p) => p.slice());
  bad[1] = [new Float32Array(5), bad[1][1]];
  assertThrows(() => new CpuExecutor(layers, bad), TypeError, "parameter 0 has 5 values");
  const ex = new CpuExecutor(layers, params);
  assertThrows(() => ex.run(new Float32Array(prod(input) + 1), 1), TypeError, "expected batch 1");
  assertThrows(() => ex.run(new Float32Array(prod(input)), 0), TypeError, "batch");
});

Deno.test("CpuExecutor of only flatten layers returns a copy of the input", () => {
  const l = resolveLayer({ type: "flatten" }, [2, 3]);
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  const y = new CpuExecutor([l], [[]]).run(x, 1);
  assert(y !== x);
  assertEquals([...y], [...x]);
});
