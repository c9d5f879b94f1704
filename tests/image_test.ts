// Image preprocessing: channel conversion, resizing, normalisation and typed
// rejection of malformed pixel inputs.
import { assertAlmostEquals, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { imageToInput, resizePlane } from "../runtime/input/image.ts";
import { encodePng } from "./helpers/png_encode.ts";

Deno.test("image: area-average downscale and bilinear upscale preserve constants and means", () => {
  const src = new Float32Array(8 * 8).fill(0.25);
  assertEquals([...resizePlane(src, 8, 8, 3, 3)].map((v) => +v.toFixed(6)), new Array(9).fill(0.25));
  const ramp = Float32Array.from({ length: 16 }, (_, i) => i % 4);
  const small = resizePlane(ramp, 4, 4, 2, 2); // columns {0,1} and {2,3} average to 0.5 and 2.5
  assertEquals([...small], [0.5, 2.5, 0.5, 2.5]);
  const big = resizePlane(new Float32Array([0, 1]), 2, 1, 4, 1);
  assertEquals([...big], [0, 0.25, 0.75, 1]);
});

Deno.test("image: an Adam7 PNG resizes, span by span, to what its pixels resize to", async () => {
  const cases: [number, number, number[]][] = [[37, 29, [1, 8, 8]], [9, 13, [3, 28, 20]], [1, 7, [1, 3, 2]]];
  cases.push([64, 2, [3, 5, 5]]);
  for (const [w, h, shape] of cases) {
    for (const channels of [1, 3, 4] as const) {
      const px = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + ((i * i) >> 3)) & 255);
      const want = await imageToInput({ data: px, width: w, height: h, channels }, shape);
      const got = await imageToInput(
        await encodePng(px, w, h, channels, { interlace: true, filter: 4 }),
        shape,
      );
      assertEquals(got.length, want.length);
      for (let i = 0; i < want.length; i++) {
        assertAlmostEquals(got[i], want[i], 1e-5, `${w}×${h}×${channels} → ${shape} at ${i}`);
      }
    }
  }
});

Deno.test("image: RGBA u8, gray f32 and PNG inputs give the same normalised gray input", async () => {
  const w = 4, h = 4;
  const gray = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
  const rgba = new Uint8Array(64);
  for (let i = 0; i < 16; i++) rgba.set([gray[i], gray[i], gray[i], 255], i * 4);
  const norm = { mean: [0.5], std: [0.25] };
  const a = await imageToInput({ data: rgba, width: w, height: h }, [1, 4, 4], norm);
  const b = await imageToInput(
    { data: Float32Array.from(gray, (v) => v / 255), width: w, height: h, channels: 1 },
    [1, 4, 4],
    norm,
  );
  const c = await imageToInput(await encodePng(gray, w, h, 1), [1, 4, 4], norm);
  for (let i = 0; i < 16; i++) {
    assertAlmostEquals(a[i], (gray[i] / 255 - 0.5) / 0.25, 1e-5);
    assertAlmostEquals(b[i], a[i], 1e-5);
    assertAlmostEquals(c[i], a[i], 1e-5);
  }
  // alpha composites over black
  rgba[3] = 0;
  const d = await imageToInput({ data: rgba, width: w, height: h, channels: 4 }, [1, 4, 4]);
  assertEquals(d[0], 0);
});

Deno.test("image: bad inputs are typed errors saying what was expected", async () => {
  const shape = [1, 28, 28];
  await assertRejects(() => imageToInput(new Uint8Array([1, 2, 3]), shape), TypeError, "PNG");
  await assertRejects(
    () => imageToInput({ data: new Uint8Array(10), width: 3, height: 3 }, shape),
    TypeError,
    "10",
  );
  await assertRejects(
    () => imageToInput({ data: new Uint8Array(12), width: 2, height: 2, channels: 4 }, shape),
    TypeError,
    "expected 2x2x4",
  );
  await assertRejects(
    () => imageToInput({ data: new Uint8Array(4), width: 0, height: 2 }, shape),
    TypeError,
    "width",
  );
  await assertRejects(
    () => imageToInput({ data: new Float32Array([0, NaN, 0, 0]), width: 2, height: 2 }, shape),
    TypeError,
    "finite",
  );
  await assertRejects(
    () => imageToInput({ data: new Uint8Array(4), width: 2, height: 2 }, [10]),
    TypeError,
    "predict",
  );
  await assertRejects(
    () => imageToInput({ data: new Uint8Array(4), width: 1e5, height: 1e5 }, shape),
    RangeError,
  );
});

Deno.test("image: the same per-side limit on every path; float pixels outside [0,1] name index and value", async () => {
  const shape = [1, 28, 28];
  for (const [w, h] of [[8192, 2048], [4097, 1], [1, 16777216]]) {
    const e = await assertRejects(
      () => imageToInput({ data: new Uint8Array(0), width: w, height: h, channels: 1 }, shape),
      RangeError,
    );
    assertStringIncludes(e.message, `image ${w}x${h} is over the limit of 4096 pixels a side`);
  }
  for (const [v, i] of [[255, 2], [-1e6, 0], [1.0001, 3]]) {
    const data = new Float32Array(4).fill(0.5);
    data[i] = v;
    const e = await assertRejects(
      () => imageToInput({ data, width: 2, height: 2, channels: 1 }, shape),
      TypeError,
    );
    assertStringIncludes(
      e.message,
      `image data[${i}] is ${Math.fround(v)}; expected a finite value in [0,1]`,
    );
  }
});

Deno.test("image: a tall 4096×1 strip resizes with O(output) scratch and keeps its mean", async () => {
  const data = Uint8Array.from({ length: 4096 }, (_, i) => (i % 2) * 255);
  const x = await imageToInput({ data, width: 1, height: 4096, channels: 1 }, [1, 28, 28]);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  assertAlmostEquals(mean, 0.5, 1e-3);
});
