// Robustness of decodeModel against hostile bytes. Seeded (TEST_SEED env to
// reproduce; the seed is printed): random byte strings, random mutations
// (flip, insert, delete, truncate, splice) of valid f32/f16/int8 files with
// and without a re-written CRC, and random edits of the JSON header re-wrapped
// in a valid envelope. The only acceptable outcomes are a ModelFormatError or
// a successful decode whose weights are finite, correctly sized and no more
// numerous than the file's bytes. Finally every single-byte flip (xor 0xff) of
// a small valid file must be rejected.
import { assert, assertEquals } from "@std/assert";
import { decodeModel, encodeModel } from "../runtime/format/mod.ts";
import { ModelFormatError } from "../runtime/errors.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
import { paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { assemble, fixCrc, split } from "./helpers/tcnn_edit.ts";
import { uniformFn as rng } from "../train/rng.ts";
import { testSeed } from "./helpers/system.ts";

const SEED = testSeed("format_fuzz", 20240611);

const r = rng(SEED);
const int = (n: number) => Math.floor(r() * n);
const pick = <T>(a: readonly T[]): T => a[int(a.length)];

function desc(): ModelDesc {
  const inputShape = [2, 7, 7];
  const layers: ModelDesc["layers"] = [
    { type: "conv2d", filters: 3, kernel: 3, stride: 2, padding: "same" },
    { type: "relu" },
    { type: "avgpool2d", size: 2 },
    { type: "flatten" },
    { type: "dense", units: 2 },
    { type: "softmax" },
  ];
  const rr = rng(5);
  const params = resolveLayers(layers, inputShape).map((l) =>
    paramShapes(l).map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rr() - 0.5))
  );
  return { inputShape, layers, params, labels: ["no", "yes"], normalization: { mean: [0, 0], std: [1, 1] } };
}

const bases = [
  encodeModel(desc()),
  encodeModel(desc(), { dtype: "f16" }),
  encodeModel(desc(), { dtype: "int8" }),
];
const stats = { ok: 0, rejected: 0 };

/** Decode; fail the test on anything but ModelFormatError or a sane model. */
function probe(b: Uint8Array, what: string) {
  let got;
  try {
    got = decodeModel(b);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) {
      throw new Error(`${what}: escaped ${e instanceof Error ? e.name : typeof e}: ${e} (seed ${SEED})`);
    }
    stats.rejected++;
    return;
  }
  stats.ok++;
  const layers = resolveLayers(got.desc.layers, got.desc.inputShape);
  let total = 0;
  layers.forEach((l, i) =>
    paramShapes(l).forEach((s, j) => {
      const t = got.desc.params[i][j];
      assertEquals(t.length, s.reduce((a, x) => a * x, 1), `${what}: tensor size`);
      for (const v of t) assert(Number.isFinite(v), `${what}: non-finite weight`);
      total += t.length;
    })
  );
  assert(total <= b.length, `${what}: ${total} weights from ${b.length} bytes`);
}

function randomBytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => int(256));
}

function mutate(src: Uint8Array): Uint8Array {
  let b = src.slice();
  const steps = 1 + int(3);
  for (let s = 0; s < steps; s++) {
    const at = int(b.length + 1);
    switch (pick(["flip", "insert", "delete", "truncate", "splice"] as const)) {
      case "flip":
        if (b.length) b[Math.min(at, b.length - 1)] ^= 1 << int(8) | (r() < 0.3 ? 0xff : 0);
        break;
      case "insert":
        b = new Uint8Array([...b.subarray(0, at), ...randomBytes(1 + int(16)), ...b.subarray(at)]);
        break;
      case "delete":
        b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1 + int(16))]);
        break;
      case "truncate":
        b = b.slice(0, at);
        break;
      case "splice": {
        const other = pick(bases);
        const from = int(other.length);
        const len = 1 + int(32);
        const chunk = other.subarray(from, from + len);
        b = new Uint8Array([...b.subarray(0, at), ...chunk, ...b.subarray(at + int(len + 1))]);
        break;
      }
    }
  }
  return b;
}

Deno.test("format fuzz: random byte strings are rejected with ModelFormatError", () => {
  for (let i = 0; i < 600; i++) {
    const b = randomBytes(int(300));
    if (i % 3 === 0 && b.length >= 4) b.set([0x54, 0x43, 0x4e, 0x4e]); // valid magic, junk after
    if (i % 6 === 0 && b.length >= 12) b.set([1, 0, 0, 0], 4), b.set([int(256), 0, 0, 0], 8);
    if (i % 2 === 0 && b.length >= 4) fixCrc(b);
    probe(b, `random #${i}`);
  }
});

Deno.test("format fuzz: mutated valid files (raw and with the CRC re-written)", () => {
  for (let i = 0; i < 2000; i++) {
    const b = mutate(pick(bases));
    probe(b, `mutation #${i}`);
    if (b.length >= 4) probe(fixCrc(b.slice()), `mutation #${i} + crc`);
  }
});

Deno.test("format fuzz: random edits of the JSON header in a valid envelope", () => {
  const junk: unknown[] = [
    -1,
    0,
    0.5,
    1e300,
    -1e300,
    2 ** 53,
    65537,
    "",
    "f32",
    "int8",
    "conv2d",
    null,
    true,
    [],
    [0],
    [65536, 65536, 65536, 65536],
    {},
    { type: "dense", units: 1 },
    "\u0000",
  ];
  const setRandom = (o: unknown, depth: number): void => {
    if (o === null || typeof o !== "object") return;
    const keys = Object.keys(o);
    if (!keys.length) return;
    const k = pick(keys);
    const rec = o as Record<string, unknown>;
    if (depth > 0 && typeof rec[k] === "object" && rec[k] !== null && r() < 0.7) {
      return setRandom(rec[k], depth - 1);
    }
    if (r() < 0.2) delete rec[k];
    else rec[k] = structuredClone(pick(junk));
  };
  for (let i = 0; i < 1500; i++) {
    const base = pick(bases);
    const p = split(base);
    let text: string;
    if (r() < 0.5) {
      for (let e = 0; e < 1 + int(2); e++) setRandom(p.header, 4);
      text = JSON.stringify(p.header);
    } else {
      // character-level edit of the JSON text
      const t = JSON.stringify(p.header);
      const at = int(t.length);
      text = t.slice(0, at) + pick(["", "0", "-", "9", "]", "}", ",", '"', "e9", "\\u00"]) +
        t.slice(at + int(3));
    }
    probe(assemble(new TextEncoder().encode(text), p.data), `header edit #${i}`);
  }
  console.log(`format_fuzz: ${stats.ok} decoded, ${stats.rejected} rejected so far`);
});

Deno.test("format fuzz: flipping any single byte (xor 0xff) of a valid file is rejected", () => {
  const valid = encodeModel({
    inputShape: [1, 4, 4],
    layers: [{ type: "conv2d", filters: 2, kernel: 3 }, { type: "flatten" }, { type: "dense", units: 2 }],
    params: [[new Float32Array(18).fill(0.25), new Float32Array([1, -1])], [], [
      new Float32Array(16).fill(-0.5),
      new Float32Array(2),
    ]],
  }, { dtype: "int8" });
  decodeModel(valid); // the original is fine
  const accepted: number[] = [];
  for (let i = 0; i < valid.length; i++) {
    const b = valid.slice();
    b[i] ^= 0xff;
    try {
      decodeModel(b);
      accepted.push(i);
    } catch (e) {
      if (!(e instanceof ModelFormatError)) throw new Error(`flip at ${i}: escaped ${e}`);
    }
  }
  assertEquals(accepted, [], `flips accepted at byte offsets ${accepted.join(", ")} of ${valid.length}`);
  console.log(`format_fuzz: all ${valid.length} single-byte flips rejected`);
});
