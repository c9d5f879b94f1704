// The .tcnn codec: exact f32 round trips, f16 and int8 within their stated
// error bounds, the f16/int8/CRC helpers, and one named malformed file per
// rejection class. Each malformed vector is a valid file edited through
// tests/helpers/tcnn_edit.ts (header length and CRC re-written), so it
// reaches the check it targets; the test asserts on the message and offset.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  decodeModel,
  dequantizeInt8,
  encodeModel,
  f16BitsToF32,
  f32ToF16Bits,
  MAX_HEADER_BYTES,
  quantizeInt8,
} from "../runtime/format/mod.ts";
import { crc32 } from "../runtime/format/crc32.ts";
import { ModelFormatError } from "../runtime/errors.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
import { type LayerSpec, paramShapes, resolveLayers } from "../runtime/format/spec.ts";
import { assemble, dataStart, edit, fixCrc, split } from "./helpers/tcnn_edit.ts";
import { uniformFn as rng } from "../train/rng.ts";

/** A model with seeded random weights in [-scale, scale). */
function model(inputShape: number[], layers: LayerSpec[], seed: number, scale = 1): ModelDesc {
  const r = rng(seed);
  const params = resolveLayers(layers, inputShape).map((l) =>
    paramShapes(l).map((s) =>
      Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (2 * r() - 1) * scale)
    )
  );
  return { inputShape, layers, params };
}

const conv2dModel = (): ModelDesc => ({
  ...model([3, 12, 12], [
    { type: "conv2d", filters: 6, kernel: 3, stride: 1, padding: "same" },
    { type: "leakyrelu", alpha: 0.1 },
    { type: "maxpool2d", size: 2 },
    {
      type: "conv2d",
      filters: 4,
      kernel: [3, 2],
      dilation: [1, 2],
      padding: [1, 0, 2, 1],
      groups: 2,
      bias: false,
    },
    { type: "elu" },
    { type: "avgpool2d", size: 2, stride: 1 },
    { type: "l2pool2d", size: [2, 1], padding: "valid" },
    { type: "tanh" },
    { type: "flatten" },
    { type: "dense", units: 7 },
    { type: "relu" },
    { type: "dense", units: 3 },
    { type: "softmax" },
  ], 1),
  labels: ["cat", "dog", "ému 🦤"],
  normalization: { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.1] },
  meta: { dataset: "synthetic", accuracy: 0.75, nested: { epochs: [1, 2, 3] } },
});

const conv1dModel = (): ModelDesc =>
  model([2, 20], [
    { type: "conv1d", filters: 5, kernel: 3, stride: 2, padding: "same" },
    { type: "sigmoid" },
    { type: "maxpool1d", size: 2 },
    { type: "conv1d", filters: 4, kernel: 2, dilation: 2, padding: [1, 0] },
    { type: "avgpool1d", size: 2, stride: 1 },
    { type: "l2pool1d", size: 1 },
    { type: "globalavgpool" },
    { type: "dense", units: 2, bias: false },
  ], 2);

/** The small model the malformed vectors are cut from: 4 tensors. */
const small = (): ModelDesc => ({
  ...model([1, 6, 6], [
    { type: "conv2d", filters: 2, kernel: 3 },
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
    { type: "flatten" },
    { type: "dense", units: 3 },
    { type: "softmax" },
  ], 3),
  labels: ["a", "b", "c"],
});

Deno.test("format: f32 round trip is exact, incl. labels, normalization, meta (conv2d/pools/activations)", () => {
  const d = conv2dModel();
  const bytes = encodeModel(d);
  const got = decodeModel(bytes);
  assertEquals(got.dtype, "f32");
  assertEquals(got.version, 1);
  assertEquals(got.minorVersion, 0);
  assertEquals(got.byteLength, bytes.length);
  assertEquals(got.desc, d);
  assertEquals(bytes.length % 8, 4); // data section ends on an 8-byte boundary, then the CRC
  // also accepts an ArrayBuffer and an unaligned view
  assertEquals(decodeModel(bytes.slice().buffer).desc, d);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assertEquals(decodeModel(shifted.subarray(3)).desc, d);
});

Deno.test("format: f32 round trip of a conv1d model, and of a model without parameters", () => {
  const d = conv1dModel();
  assertEquals(decodeModel(encodeModel(d)).desc, d);
  const empty: ModelDesc = { inputShape: [4], layers: [{ type: "relu" }], params: [[]] };
  const b = encodeModel(empty);
  const got = decodeModel(b);
  assertEquals(got.desc, empty);
  assertEquals(got.dtype, "f32");
  assertEquals(split(b).header.dataLength, 0);
});

Deno.test("format: f16 weights round trip within relative error 2^-11, biases stay f32", () => {
  for (const d of [conv2dModel(), conv1dModel()]) {
    const got = decodeModel(encodeModel(d, { dtype: "f16" }));
    assertEquals(got.dtype, "f16");
    let worst = 0;
    d.params.forEach((ps, li) =>
      ps.forEach((w, ti) => {
        const back = got.desc.params[li][ti];
        assertEquals(back.length, w.length);
        if (ti === 1) return assertEquals(back, w); // bias: exact
        for (let i = 0; i < w.length; i++) {
          const rel = Math.abs(back[i] - w[i]) / Math.max(Math.abs(w[i]), 2 ** -14);
          worst = Math.max(worst, rel);
        }
      })
    );
    assert(worst <= 2 ** -11, `worst relative error ${worst}`);
    assert(worst > 0, "f16 must actually round");
    const hdr = split(encodeModel(d, { dtype: "f16" })).header;
    for (const t of hdr.tensors) assertEquals(t.dtype, t.index === 0 ? "f16" : "f32");
  }
});

Deno.test("format: int8 weights round trip within scale/2 per output channel", () => {
  for (const d of [conv2dModel(), conv1dModel()]) {
    const bytes = encodeModel(d, { dtype: "int8" });
    const got = decodeModel(bytes);
    assertEquals(got.dtype, "int8");
    d.params.forEach((ps, li) =>
      ps.forEach((w, ti) => {
        const back = got.desc.params[li][ti];
        if (ti === 1) return assertEquals(back, w);
        const outC = paramShapes(resolveLayers(d.layers, d.inputShape)[li])[0][0];
        const per = w.length / outC;
        for (let c = 0; c < outC; c++) {
          let m = 0;
          for (let i = c * per; i < (c + 1) * per; i++) m = Math.max(m, Math.abs(w[i]));
          const s = Math.fround(m / 127);
          for (let i = c * per; i < (c + 1) * per; i++) {
            assert(Math.abs(back[i] - w[i]) <= (s / 2) * (1 + 2 ** -20), `layer ${li} [${i}]`);
          }
        }
      })
    );
    console.log(
      `int8 ${bytes.length} B, f16 ${encodeModel(d, { dtype: "f16" }).length} B, f32 ${
        encodeModel(d).length
      } B`,
    );
  }
});

Deno.test("format: quantizeInt8 / dequantizeInt8 on hand-made channels", () => {
  const w = new Float32Array([0.5, -1, 0.25, 0, 0, 0, 127, -63.5, 1]);
  const { q, scales } = quantizeInt8(w, 3);
  assertEquals(Array.from(scales), [Math.fround(1 / 127), 0, 1]);
  assertEquals(Array.from(q), [64, -127, 32, 0, 0, 0, 127, -64, 1]); // -63.5 rounds away from zero
  const back = dequantizeInt8(q, scales);
  for (let i = 0; i < w.length; i++) assert(Math.abs(back[i] - w[i]) <= scales[Math.floor(i / 3)] / 2 + 1e-9);
  assertThrows(() => quantizeInt8(w, 2), RangeError);
  assertThrows(() => quantizeInt8(new Float32Array([NaN]), 1), RangeError);
});

Deno.test("format: f16 helpers round to nearest even and handle subnormals, inf, nan", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519, 0x7bff], // below the midpoint to 65536
    [65520, 0x7c00], // midpoint: ties to even = Infinity
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [NaN, 0x7e00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 (×2^-24): even is 2
    [1 + 2 ** -11, 0x3c00], // tie: even mantissa
    [1 + 3 * 2 ** -11, 0x3c02],
    [2 ** -14 - 2 ** -25, 0x0400], // rounds up into the normal range
    [1 / 3, 0x3555],
  ];
  for (const [x, h] of cases) assertEquals(f32ToF16Bits(x), h, `f32ToF16Bits(${x})`);
  // every non-NaN binary16 value survives decode → encode unchanged
  for (let h = 0; h < 0x10000; h++) {
    const v = f16BitsToF32(h);
    if (Number.isNaN(v)) {
      assertEquals(f32ToF16Bits(v), 0x7e00);
      continue;
    }
    if (f32ToF16Bits(v) !== h) {
      throw new Error(`0x${h.toString(16)} -> ${v} -> 0x${f32ToF16Bits(v).toString(16)}`);
    }
  }
});

Deno.test("format: crc32 matches the IEEE/zlib check value", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array(0)), 0);
  assertEquals(crc32(new Uint8Array([0, 0, 0, 0])), 0x2144df1c);
});

Deno.test("format: encoder rejects invalid descriptions with ModelFormatError", () => {
  const d = small();
  const bad: [string, () => unknown][] = [
    ["params must have one array per layer", () => encodeModel({ ...d, params: d.params.slice(1) })],
    [
      "must be a Float32Array of 18 values",
      () => encodeModel({ ...d, params: [[new Float32Array(3), d.params[0][1]], ...d.params.slice(1)] }),
    ],
    ["weights must be finite", () => {
      const p = d.params.map((x) => x.map((t) => t.slice()));
      p[4][0][5] = NaN;
      return encodeModel({ ...d, params: p });
    }],
    ["overflows f16", () => {
      const p = d.params.map((x) => x.map((t) => t.slice()));
      p[0][0][0] = 70000;
      return encodeModel({ ...d, params: p }, { dtype: "f16" });
    }],
    ["labels must be an array of 3 strings", () => encodeModel({ ...d, labels: ["x"] })],
    ["invalid architecture", () => encodeModel({ ...d, inputShape: [1, 2, 2] })],
    ["dtype must be", () => encodeModel(d, { dtype: "f64" as "f32" })],
  ];
  for (const [msg, f] of bad) {
    const e = assertThrows(f, ModelFormatError);
    assert(e.message.includes(msg), `expected "${msg}" in "${e.message}"`);
  }
});

// ---- named malformed vectors -------------------------------------------------

const valid = encodeModel(small());
const D = dataStart(valid);

/** Expect `bytes` to be rejected with a message containing `msg` at `offset` (undefined: any). */
function rejects(bytes: Uint8Array, msg: string, offset?: number, opts?: { maxBytes?: number }) {
  let err: unknown = null;
  try {
    decodeModel(bytes, opts);
  } catch (e) {
    err = e;
  }
  if (!(err instanceof ModelFormatError)) throw new Error(`expected ModelFormatError (${msg}), got ${err}`);
  assert(err.message.includes(msg), `expected "${msg}" in "${err.message}"`);
  if (offset !== undefined) assertEquals(err.offset, offset, err.message);
}

const withHeader = (f: (h: ReturnType<typeof split>["header"]) => void) => edit(valid, (p) => f(p.header));
const u32At = (b: Uint8Array, at: number, v: number) => {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, v, true);
  return c;
};

const vectors: Record<string, () => void> = {
  "empty file": () => rejects(new Uint8Array(0), "file too short: 0 bytes", 0),
  "short file": () => rejects(valid.slice(0, 10), "file too short: 10 bytes", 10),
  "wrong magic": () =>
    rejects(fixCrc(Uint8Array.from(valid, (x, i) => i === 2 ? 0x4f : x)), "wrong magic", 2),
  "wrong major version": () => {
    const b = valid.slice();
    b[4] = 2;
    rejects(fixCrc(b), "unsupported version 2.0", 4);
  },
  "header length past end": () => rejects(u32At(valid, 8, valid.length), "runs past the end", 8),
  "header length over cap": () => rejects(u32At(valid, 8, MAX_HEADER_BYTES + 1), "over the cap", 8),
  "non-UTF-8 header": () => {
    const h = new TextEncoder().encode(JSON.stringify(split(valid).header));
    const i = h.indexOf(0x61); // an "a" inside the labels → lone continuation byte
    const bad = h.slice();
    bad[i] = 0xbf;
    rejects(assemble(bad, split(valid).data), "not valid UTF-8", 12);
  },
  "UTF-8 BOM before the header": () =>
    rejects(
      assemble(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("{}")]), new Uint8Array(0)),
      "not valid JSON",
      12,
    ),
  "non-JSON header": () =>
    rejects(assemble(new TextEncoder().encode("{inputShape: [1]"), new Uint8Array(0)), "not valid JSON", 12),
  "header is not an object": () =>
    rejects(assemble(new TextEncoder().encode("[1,2]"), new Uint8Array(0)), "must be a JSON object", 12),
  "unknown dtype": () => rejects(withHeader((h) => h.tensors[0].dtype = "f64"), 'unknown dtype "f64"', 12),
  "unknown layer type": () =>
    rejects(withHeader((h) => h.layers[1].type = "swish"), "unknown layer type", 12),
  "unknown layer field": () =>
    rejects(withHeader((h) => h.layers[0].strides = 2), 'unknown field "strides"', 12),
  "negative dim": () => rejects(withHeader((h) => h.tensors[0].shape = [-2, 1, 3, 3]), "got -2", 12),
  "fractional dim": () => rejects(withHeader((h) => h.tensors[0].shape = [2, 1, 1.5, 3]), "got 1.5", 12),
  "huge dim": () =>
    rejects(withHeader((h) => h.tensors[0].shape = [2, 1, 1e20, 3]), "got 100000000000000000000", 12),
  "negative layer parameter": () => rejects(withHeader((h) => h.layers[0].filters = -2), "filters", 12),
  "fractional layer parameter": () =>
    rejects(withHeader((h) => h.layers[0].kernel = 2.5), "kernel must be an integer, got 2.5", 12),
  "huge layer parameter": () =>
    rejects(withHeader((h) => h.layers[4].units = 1e9), "units must be in [1, 65536], got 1000000000", 12),
  "huge input dim": () => rejects(withHeader((h) => h.inputShape = [1, 6, 1e9]), "invalid architecture", 12),
  "shape-product overflow": () =>
    rejects(withHeader((h) => h.tensors[0].shape = [65536, 65536, 65536, 65536]), "product overflow", 12),
  "byte length mismatch": () =>
    rejects(
      withHeader((h) => h.tensors[0].byteLength = 68),
      "byte length mismatch: got 68, 18 f32 values need 72",
    ),
  "overlapping offsets": () =>
    rejects(withHeader((h) => h.tensors[1].offset = (h.tensors[0].offset as number) + 8), "overlaps", 12),
  "out-of-order offsets": () => rejects(withHeader((h) => h.tensors[2].offset = 0), "out of order", 12),
  "out-of-bounds offset": () =>
    rejects(withHeader((h) => h.tensors[3].offset = h.dataLength as number), "out of bounds", 12),
  "misaligned offset": () => rejects(withHeader((h) => h.tensors[1].offset = 76), "misaligned", 12),
  "dataLength larger than the tensors": () =>
    rejects(
      edit(valid, (p) => {
        p.header.dataLength = (p.header.dataLength as number) + 8;
        p.data = new Uint8Array([...p.data, 0, 0, 0, 0, 0, 0, 0, 0]);
      }),
      "the tensors end at",
      12,
    ),
  "truncation (CRC re-written)": () => {
    const b = edit(valid, (p) => p.data = p.data.slice(0, p.data.length - 8));
    rejects(b, "file truncated", b.length);
  },
  "truncation (raw)": () => rejects(valid.slice(0, valid.length - 5), "bad checksum"),
  "last tensor one byte past the data section": () => {
    // dense [4] → 2: weight [0, 32), bias [32, 40) ends exactly at dataLength 40 (accepted); one byte
    // less of data section and the bias runs one byte past it
    const exact = encodeModel({
      inputShape: [4],
      layers: [{ type: "dense", units: 2 }],
      params: [[new Float32Array(8).fill(0.5), Float32Array.of(1, 2)]],
    });
    assertEquals(split(exact).header.dataLength, 40);
    assertEquals([...decodeModel(exact).desc.params[0][1]], [1, 2]);
    const b = edit(exact, (p) => {
      p.header.dataLength = (p.header.dataLength as number) - 1;
      p.data = p.data.slice(0, p.data.length - 1);
    });
    rejects(b, "out of bounds", 12);
  },
  "undersized dataLength": () => {
    // the header claims 8 bytes less than the data section really holds: reported as trailing bytes
    const b = edit(valid, (p) => p.header.dataLength = (p.header.dataLength as number) - 8);
    const want = b.length - 8;
    rejects(b, `8 trailing bytes: file is ${b.length} bytes, expected exactly ${want}`, want);
  },
  "trailing bytes": () => {
    const b = edit(valid, (p) => p.data = new Uint8Array([...p.data, 0, 0, 0, 0, 0, 0, 0, 0]));
    rejects(b, "8 trailing bytes", b.length - 8);
  },
  "NaN weight": () => {
    const b = valid.slice();
    new DataView(b.buffer).setFloat32(D + 12, NaN, true);
    rejects(fixCrc(b), "layer 0 weight element 3 is NaN", D + 12);
  },
  "Inf weight": () => {
    const b = valid.slice();
    const off = D + (split(valid).header.tensors[3].offset as number);
    new DataView(b.buffer).setFloat32(off + 4, -Infinity, true);
    rejects(fixCrc(b), "layer 4 bias element 1 is -Infinity", off + 4);
  },
  "Inf f16 weight": () => {
    const f16 = encodeModel(small(), { dtype: "f16" });
    const b = f16.slice();
    new DataView(b.buffer).setUint16(dataStart(f16) + 2, 0x7c00, true);
    rejects(fixCrc(b), "element 1 is Infinity", dataStart(f16) + 2);
  },
  "NaN int8 scale": () => {
    const i8 = encodeModel(small(), { dtype: "int8" });
    const so = dataStart(i8) + (split(i8).header.tensors[0].scaleOffset as number);
    const b = i8.slice();
    new DataView(b.buffer).setFloat32(so + 4, NaN, true);
    rejects(fixCrc(b), "weight scale 1 is NaN", so + 4);
  },
  "int8 scale that overflows f32 when dequantized": () => {
    const i8 = encodeModel(small(), { dtype: "int8" });
    const so = dataStart(i8) + (split(i8).header.tensors[0].scaleOffset as number);
    const b = i8.slice();
    new DataView(b.buffer).setFloat32(so, 3e38, true); // finite, but 2 × 3e38 is not
    const q = new Int8Array(b.buffer, dataStart(i8), 9);
    const big = q.findIndex((v) => Math.abs(v) >= 2);
    rejects(
      fixCrc(b),
      `layer 0 weight element ${big} is ${q[big] > 0 ? "" : "-"}Infinity`,
      dataStart(i8) + big,
    );
  },
  "int8 value -128": () => {
    const i8 = encodeModel(small(), { dtype: "int8" });
    const b = i8.slice();
    b[dataStart(i8) + 5] = 0x80;
    rejects(fixCrc(b), "element 5 is -128", dataStart(i8) + 5);
  },
  "int8 without scaleOffset": () =>
    rejects(
      edit(encodeModel(small(), { dtype: "int8" }), (p) => delete p.header.tensors[0].scaleOffset),
      "scaleOffset (required for int8)",
      12,
    ),
  "int8 scales overlapping the weights": () =>
    rejects(
      edit(encodeModel(small(), { dtype: "int8" }), (p) => p.header.tensors[0].scaleOffset = 0),
      "tensors[0] scales [0, 8) overlaps the previous region",
      12,
    ),
  "f16 bias": () => rejects(withHeader((h) => h.tensors[1].dtype = "f16"), "biases must be f32", 12),
  "mixed weight dtypes": () =>
    rejects(
      edit(encodeModel(small(), { dtype: "f16" }), (p) => {
        p.header.tensors[2].dtype = "f32";
        p.header.tensors[2].byteLength = 96;
      }),
      "all weights share one dtype",
      12,
    ),
  "layer chain shape mismatch": () =>
    rejects(
      withHeader((h) => h.layers.splice(1, 0, { type: "conv1d", filters: 2, kernel: 1 })),
      "expects input (C,L)",
    ),
  "window larger than the input": () =>
    rejects(withHeader((h) => h.inputShape = [1, 2, 2]), "exceeds padded input"),
  "zero stride": () =>
    rejects(withHeader((h) => h.layers[0].stride = 0), "stride must be in [1, 1024], got 0", 12),
  "zero kernel": () =>
    rejects(withHeader((h) => h.layers[0].kernel = 0), "kernel must be in [1, 1024], got 0", 12),
  "tensor shape differs from the architecture": () =>
    rejects(withHeader((h) => h.tensors[0].shape = [2, 1, 9, 2]), "the architecture needs [2,1,3,3]", 12),
  "missing tensor": () =>
    rejects(
      withHeader((h) => h.tensors.splice(1, 1)),
      "missing tensor: layer 0 (conv2d) bias of shape [2]",
      12,
    ),
  "extra tensor (duplicate)": () =>
    rejects(withHeader((h) => h.tensors.splice(1, 0, { ...h.tensors[0] })), "extra tensor", 12),
  "extra tensor (parameter-free layer)": () =>
    rejects(
      withHeader((h) => h.tensors.splice(1, 1, { ...h.tensors[1], layer: 1 })),
      "layer 1 (relu) bias does not exist",
      12,
    ),
  "labels count differs from output units": () =>
    rejects(withHeader((h) => h.labels = ["a", "b"]), "labels must be an array of 3 strings", 12),
  "normalization length differs from channels": () =>
    rejects(withHeader((h) => h.normalization = { mean: [0, 0], std: [1, 1] }), "array of 1 numbers", 12),
  "normalization std not positive": () =>
    rejects(
      withHeader((h) => h.normalization = { mean: [0], std: [0] }),
      "std[0] must be a finite number > 0",
      12,
    ),
  "normalization zscore on an image model": () =>
    rejects(withHeader((h) => h.normalization = { zscore: true }), "needs a series input (C,L), got (1,", 12),
  "normalization zscore not true": () =>
    rejects(
      withHeader((h) => h.normalization = { zscore: 1 }),
      "normalization.zscore must be true, got 1",
      12,
    ),
  "normalization zscore mixed with mean": () =>
    rejects(
      withHeader((h) => h.normalization = { zscore: true, mean: [0] }),
      'normalization must be {"mean": [...], "std": [...]} or {"zscore": true}',
      12,
    ),
  "meta is not an object": () => rejects(withHeader((h) => h.meta = [1]), "meta must be a JSON object", 12),
  "nonzero header padding": () => {
    let text = JSON.stringify(split(valid).header);
    if ((12 + text.length) % 8 === 0) text += " "; // force at least one padding byte
    const b = assemble(new TextEncoder().encode(text), split(valid).data);
    assertEquals(decodeModel(b).desc, small()); // trailing JSON whitespace is fine
    b[12 + text.length] = 0x20;
    rejects(fixCrc(b), "header padding byte is 32, expected 0", 12 + text.length);
  },
  "bad checksum": () => {
    const b = valid.slice();
    b[b.length - 1] ^= 1;
    rejects(b, "bad checksum", b.length - 4);
  },
  "corrupted data byte (CRC not re-written)": () => {
    const b = valid.slice();
    b[D + 1] ^= 0x10;
    rejects(b, "bad checksum", b.length - 4);
  },
  "file larger than maxBytes": () => rejects(valid, "larger than the limit", -1, { maxBytes: 100 }),
};

for (const [name, run] of Object.entries(vectors)) Deno.test(`format: rejects ${name}`, run);

Deno.test("format: a newer minor version is accepted, unknown top-level keys are ignored", () => {
  const b = edit(valid, (p) => {
    p.minor = 7;
    p.header.futureField = { x: 1 };
  });
  const got = decodeModel(b);
  assertEquals(got.version, 1);
  assertEquals(got.minorVersion, 7);
  assertEquals(got.desc, small());
});

Deno.test("format 1.1: relu6 / clip / hardswish / identity and causal padding are written as minor 1 and round-trip; other files stay 1.0", () => {
  const v11 = model([2, 16], [
    { type: "conv1d", filters: 3, kernel: 3, dilation: 2, padding: "causal" },
    { type: "relu6" },
    { type: "conv1d", filters: 3, kernel: 2, padding: "causal" },
    { type: "clip", min: -0.5, max: 0.75 },
    { type: "hardswish" },
    { type: "identity" },
    { type: "upsample1d", scale: 3, mode: "linear" },
    { type: "globalavgpool" },
    { type: "dense", units: 2 },
  ], 11);
  const b = encodeModel(v11);
  const got = decodeModel(b);
  assertEquals([got.version, got.minorVersion], [1, 1]);
  assertEquals(got.desc, v11);
  assertEquals(decodeModel(encodeModel(small())).minorVersion, 0);
  // a member clip does not have is rejected like any other unknown member
  const bad = edit(b, (p) => {
    (p.header.layers as Record<string, unknown>[])[3].alpha = 1;
  });
  assertThrows(() => decodeModel(bad), ModelFormatError, "alpha");
});

Deno.test("format: gaps between tensors are allowed (data ends at the 8-aligned end of the last region)", () => {
  const b = edit(valid, (p) => {
    const t = p.header.tensors;
    const shift = 16;
    for (let i = 1; i < t.length; i++) t[i].offset = (t[i].offset as number) + shift;
    const firstEnd = t[0].byteLength as number;
    const data = new Uint8Array(p.data.length + shift);
    data.set(p.data.subarray(0, firstEnd), 0);
    data.set(p.data.subarray(firstEnd), firstEnd + shift);
    p.data = data;
    p.header.dataLength = data.length;
  });
  assertEquals(decodeModel(b).desc, small());
});

Deno.test("format: decodeModel argument misuse is a TypeError / RangeError", () => {
  assertThrows(() => decodeModel("TCNN" as unknown as Uint8Array), TypeError);
  assertThrows(() => decodeModel(valid, { maxBytes: 0 }), RangeError);
});

Deno.test("format: the worked example of docs/FORMAT.md §9 is what the encoder writes", () => {
  const desc: ModelDesc = {
    inputShape: [2],
    layers: [{ type: "dense", units: 2 }, { type: "relu" }],
    params: [[new Float32Array([1, -2, 0.5, 0.25]), new Float32Array([0.5, -1])], []],
    labels: ["a", "b"],
  };
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
  const f32 = encodeModel(desc);
  assertEquals(f32.length, 316);
  assertEquals(hex(f32.subarray(0, 12)), "54 43 4e 4e 01 00 00 00 0f 01 00 00");
  assertEquals(
    hex(f32.subarray(0x116)),
    "3a 38 7d 5d 7d 00 00 00 00 00 00 00 80 3f 00 00 00 c0 00 00 00 3f 00 00 80 3e 00 00 00 3f 00 00 80 bf c1 82 24 3d",
  );
  const i8 = encodeModel(desc, { dtype: "int8" });
  assertEquals(i8.length, 332);
  assertEquals(
    hex(i8.subarray(0x130)),
    "40 81 7f 40 00 00 00 00 04 02 81 3c 04 02 81 3b 00 00 00 3f 00 00 80 bf 53 33 6c 25",
  );
  const back = decodeModel(i8).desc.params[0][0];
  assertEquals(
    Array.from(back),
    [64, -127, 127, 64].map((q, i) => Math.fround(q * Math.fround((i < 2 ? 2 : 0.5) / 127))),
  );
});

Deno.test("format: a header with a duplicate member name is rejected at the second one", async () => {
  const { split, assemble } = await import("./helpers/tcnn_edit.ts");
  const p = split(valid);
  const text = JSON.stringify(p.header);
  assert(text.indexOf('"inputShape"') < text.indexOf('"layers"'), "the file's own inputShape comes first");
  const dupText = text.replace('"layers":', '"inputShape":[1,1,1],"layers":');
  const bytes = assemble(new TextEncoder().encode(dupText), p.data, p.major, p.minor);
  const at = 12 + new TextEncoder().encode(dupText.slice(0, dupText.indexOf('"inputShape":[1,1,1]'))).length;
  rejects(bytes, 'header has the member "inputShape" twice', at);
  // every object has its own key set: the same key in two layers is fine
  assert(decodeModel(valid).desc.layers.filter((l) => "kernel" in l).length >= 1);
});
