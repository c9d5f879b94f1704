// Zero-setup 1-D datasets generated from their published definitions, with
// the UCR archive's split sizes. Invariants: the data are a pure function of
// a fixed generator seed (never the run's --seed), so every run and every
// machine sees the same series; classes are balanced in each split in the
// UCR sizes; series are z-normalised per series like the archive's.
//
// Synthetic Control (Alcock & Manolopoulos 1999), length 60, 6 classes,
// 300 train / 300 test, with t = 1..60, m = 30, s = 2, r ~ U(-3, 3):
//   normal        y = m + r·s
//   cyclic        y = m + r·s + a·sin(2πt/T),  a, T ~ U(10, 15)
//   increasing    y = m + r·s + g·t,           g ~ U(0.2, 0.5)
//   decreasing    y = m + r·s − g·t
//   upward shift  y = m + r·s + k·x,  x ~ U(7.5, 20), k = [t ≥ t3], t3 ~ U(n/3, 2n/3)
//   downward shift y = m + r·s − k·x
// (r is drawn afresh for every t: the noise term.)
// Cylinder-Bell-Funnel (Saito 1994), length 128, 3 classes, 30 train / 900
// test, with η, ε(t) ~ N(0, 1), a ~ U[16, 32], b − a ~ U[32, 96]:
//   cylinder  (6 + η)·χ[a,b](t) + ε(t)
//   bell      (6 + η)·χ[a,b](t)·(t − a)/(b − a) + ε(t)
//   funnel    (6 + η)·χ[a,b](t)·(b − t)/(b − a) + ε(t)

import { zscoreInPlace } from "../../runtime/input/series.ts";
import { DataRng } from "./prng.ts";
import type { SampleSet } from "./sets.ts";

export const SYNTHETIC_CONTROL_CLASSES = [
  "normal",
  "cyclic",
  "increasing",
  "decreasing",
  "upward-shift",
  "downward-shift",
];
export const CBF_CLASSES = ["cylinder", "bell", "funnel"];

type Gen = (cls: number, rng: DataRng, out: Float32Array) => void;

const uniform = (rng: DataRng, lo: number, hi: number) => lo + (hi - lo) * rng.next();

/** One synthetic-control series of class `cls` (index into SYNTHETIC_CONTROL_CLASSES). */
export const syntheticControl: Gen = (cls, rng, y) => {
  const n = y.length, m = 30, s = 2;
  const a = uniform(rng, 10, 15), T = uniform(rng, 10, 15), g = uniform(rng, 0.2, 0.5);
  const x = uniform(rng, 7.5, 20), t3 = uniform(rng, n / 3, (2 * n) / 3);
  for (let i = 0; i < n; i++) {
    const t = i + 1;
    let v = m + uniform(rng, -3, 3) * s;
    if (cls === 1) v += a * Math.sin((2 * Math.PI * t) / T);
    else if (cls === 2) v += g * t;
    else if (cls === 3) v -= g * t;
    else if (cls === 4) v += t >= t3 ? x : 0;
    else if (cls === 5) v -= t >= t3 ? x : 0;
    y[i] = v;
  }
};

/** One Cylinder-Bell-Funnel series of class `cls` (index into CBF_CLASSES). */
export const cbf: Gen = (cls, rng, y) => {
  const a = Math.floor(uniform(rng, 16, 33)), b = a + Math.floor(uniform(rng, 32, 97));
  const amp = 6 + rng.normal();
  for (let i = 0; i < y.length; i++) {
    const t = i + 1;
    let v = 0;
    if (t >= a && t <= b) {
      v = cls === 0 ? amp : cls === 1 ? (amp * (t - a)) / (b - a) : (amp * (b - t)) / (b - a);
    }
    y[i] = v + rng.normal();
  }
};

function generate(gen: Gen, k: number, n: number, len: number, rng: DataRng): SampleSet {
  const x = new Float32Array(n * len);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % k; // balanced, classes interleaved
    const row = x.subarray(i * len, (i + 1) * len);
    gen(cls, rng, row);
    zscoreInPlace(row, 1, len);
    labels[i] = cls;
  }
  return { x, labels, n };
}

export interface GeneratedSeries {
  classes: string[];
  shape: [number, number];
  train: SampleSet;
  test: SampleSet;
  notes: string[];
}

/** The named generated datasets with their UCR split sizes. */
export const GENERATED = {
  "synthetic-control": {
    gen: syntheticControl,
    classes: SYNTHETIC_CONTROL_CLASSES,
    len: 60,
    train: 300,
    test: 300,
  },
  cbf: { gen: cbf, classes: CBF_CLASSES, len: 128, train: 30, test: 900 },
} as const;

/** Generate a named dataset (same series on every call). */
export function generatedSeries(name: keyof typeof GENERATED): GeneratedSeries {
  const d = GENERATED[name];
  const k = d.classes.length;
  return {
    classes: [...d.classes],
    shape: [1, d.len],
    train: generate(d.gen, k, d.train, d.len, DataRng.derive(0x5e71e5, name.length, 1)),
    test: generate(d.gen, k, d.test, d.len, DataRng.derive(0x5e71e5, name.length, 2)),
    notes: [
      `${name}: generated from its published definition, ${k} classes (${
        d.classes.join(", ")
      }), ${d.train} train / ${d.test} test series of length ${d.len}, z-normalised per series`,
    ],
  };
}
