// Shared helpers of the peer drivers (Node and Deno): argument parsing,
// manifest/weight loading, weight re-layout for NHWC peers, the deterministic
// input, and the timing loop. Invariant: every driver prints exactly one JSON
// line on stdout, {lib, version, model, load_ms, b1, b64, out} (or {error}).

import { readFileSync } from "node:fs";

export function args() {
  const a = {};
  const v = globalThis.Deno ? Deno.args : process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i].startsWith("--")) {
      a[v[i].slice(2)] = v[i + 1]?.startsWith("--") || v[i + 1] === undefined ? true : v[++i];
    }
  }
  return a;
}

export function loadManifest(base) {
  const manifest = JSON.parse(readFileSync(`${base}.json`, "utf8"));
  const raw = readFileSync(`${base}.bin`);
  const bin = new Float32Array(
    raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
  );
  const p = (l, k) => bin.subarray(l.params[k].offset, l.params[k].offset + l.params[k].length);
  return { manifest, bin, p };
}

/** mulberry32, identical to bench/models.ts */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export function makeInput(n, per, seed = 42) {
  const r = rng(seed);
  const x = new Float32Array(n * per);
  for (let i = 0; i < x.length; i++) x[i] = r();
  return x;
}

/** (N,C,H,W) -> (N,H,W,C) */
export function toNHWC(x, n, c, h, w) {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < h * w; i++) {
        y[b * c * h * w + i * c + ch] = x[b * c * h * w + ch * h * w + i];
      }
    }
  }
  return y;
}
/** conv weight (O,I,kh,kw) -> (kh,kw,I,O) */
export function convHWIO(w, o, i, kh, kw) {
  const y = new Float32Array(w.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y0 = 0; y0 < kh; y0++) {
        for (let x0 = 0; x0 < kw; x0++) {
          y[((y0 * kw + x0) * i + b) * o + a] = w[((a * i + b) * kh + y0) * kw + x0];
        }
      }
    }
  }
  return y;
}
/**
 * dense weight (out, in) where `in` is flattened CHW -> (in', out) with in' in HWC order
 * (what an NHWC peer's flatten produces). inShape is the per-sample shape feeding the dense.
 */
export function denseHWC(w, outF, inShape) {
  const [c, h, wd] = inShape.length === 3 ? inShape : [inShape[0], 1, 1];
  const inF = c * h * wd;
  const y = new Float32Array(w.length);
  for (let o = 0; o < outF; o++) {
    for (let ch = 0; ch < c; ch++) {
      for (let s = 0; s < h * wd; s++) {
        y[(s * c + ch) * outF + o] = w[o * inF + ch * h * wd + s];
      }
    }
  }
  return y;
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), n: s.length };
}

/**
 * Time `run(batch)` (may be async). Batch 1: `iters` individually timed calls after warmup.
 * Batch 64: `iters64` timed calls. Returns {b1:{median,p90,n}, b64:{median_ms, img_s}}.
 */
export async function timeIt(
  run,
  { iters = 200, iters64 = 15, warm = 20, budgetMs = 20000 } = {},
) {
  const now = () => performance.now();
  /** `warmups` untimed calls at `batch`, then up to `n` timed ones within the budget. */
  const times = async (batch, warmups, n) => {
    for (let i = 0; i < warmups; i++) await run(batch);
    const t = [];
    const start = now();
    for (let i = 0; i < n && now() - start < budgetMs; i++) {
      const t0 = now();
      await run(batch);
      t.push(now() - t0);
    }
    return t;
  };
  const t1 = await times(1, warm, iters);
  const b64 = stats(await times(64, 2, iters64));
  return {
    b1: stats(t1),
    b64: { median_ms: b64.median, img_s: 64000 / b64.median, n: b64.n },
  };
}

export function emit(obj) {
  console.log(JSON.stringify(obj));
}
