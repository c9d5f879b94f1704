// Training on the user's own data: an image folder (gray and RGB, PNG of
// several kinds and JPEG, uneven class sizes), UCR series (TSV and CSV with a
// header), IDX with labels.txt / --labels / neither; class names and K come
// from the data; every bad-data case is one clear error naming the file.

import { assert, assertEquals, assertRejects } from "@std/assert";
import jpeg from "jpeg-js";
import { loadDataset } from "../train/data/datasets.ts";
import { MAX_SERIES_VALUES, parseSeriesStream, parseSeriesText } from "../train/data/ucr.ts";
import { makeBatch } from "../train/data/batches.ts";
import { encodePng } from "./helpers/png_encode.ts";
import { idx } from "./helpers/idx_fixture.ts";
import { decodeModel, loadModel } from "../mod.ts";
import { epochOrder } from "../train/trainer.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";
import { runTrain, withTempDir } from "./helpers/train_cli.ts";

/** The CLI on the CPU backend unless the args name one. */
const train = (args: string[]) => runTrain(args.includes("--backend") ? args : ["--backend", "cpu", ...args]);

/** A 12×12 image of class k: dark, bright, or vertical stripes, with seeded noise. */
function pattern(k: number, seed: number, c: number): Uint8Array {
  const px = new Uint8Array(12 * 12 * c);
  let s = seed * 7919 + 1;
  for (let i = 0; i < 144; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const noise = (s % 21) - 10;
    const base = k === 0 ? 40 : k === 1 ? 210 : (i % 12) % 2 ? 230 : 20;
    for (let ch = 0; ch < c; ch++) px[i * c + ch] = Math.max(0, Math.min(255, base + noise));
  }
  return px;
}

type Kind = "gray" | "gray-alpha" | "rgb" | "palette" | "rgba" | "jpeg";

async function writeImage(path: string, k: number, seed: number, kind: Kind) {
  if (kind === "jpeg") {
    const rgba = pattern(k, seed, 4).map((v, i) => (i % 4 === 3 ? 255 : v));
    // tint so the folder is RGB, not gray
    for (let i = 0; i < rgba.length; i += 4) rgba[i] = Math.min(255, rgba[i] + 30);
    await Deno.writeFile(path, jpeg.encode({ data: rgba, width: 12, height: 12 }, 95).data);
  } else if (kind === "palette") {
    const g = pattern(k, seed, 1);
    const pal = new Uint8Array(256 * 3).map((_, i) => Math.floor(i / 3));
    await Deno.writeFile(path, await encodePng(g, 12, 12, 1, { colorType: 3, palette: pal }));
  } else if (kind === "rgba") {
    const g = pattern(k, seed, 4).map((v, i) => (i % 4 === 3 ? 255 : v));
    await Deno.writeFile(path, await encodePng(g, 12, 12, 4));
  } else if (kind === "gray-alpha") {
    const g = pattern(k, seed, 2).map((v, i) => (i % 2 === 1 ? 255 : v));
    await Deno.writeFile(path, await encodePng(g, 12, 12, 2));
  } else if (kind === "rgb") {
    await Deno.writeFile(path, await encodePng(pattern(k, seed, 3), 12, 12, 3, { filter: "cycle" }));
  } else {
    await Deno.writeFile(path, await encodePng(pattern(k, seed, 1), 12, 12, 1));
  }
}

const CLASSES = ["bright", "dark", "stripes"]; // sorted folder names
const KIND_OF = [1, 0, 2]; // folder name → pattern

async function imageFolder(dir: string, kinds: Kind[], split: boolean) {
  const counts = [14, 9, 11]; // uneven
  let seed = 0;
  for (const [ci, name] of CLASSES.entries()) {
    for (let i = 0; i < counts[ci]; i++) {
      const sub = split ? (i < 3 ? "test" : "train") : "";
      const d = `${dir}/${sub}/${name}`;
      await Deno.mkdir(d, { recursive: true });
      const kind = kinds[i % kinds.length];
      await writeImage(`${d}/img${i}.${kind === "jpeg" ? "jpg" : "png"}`, KIND_OF[ci], seed++, kind);
    }
  }
}

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("tinycnn-data-", fn);

Deno.test("image folder (gray PNG kinds, train/test): trains; labels are the folder names; accuracy reported", async () => {
  await withDir(async (dir) => {
    // gray content in every PNG colour type: still one channel
    await imageFolder(`${dir}/data`, ["gray", "palette", "rgba", "gray-alpha", "rgb"], true);
    const d = await loadDataset(undefined, { dataDir: `${dir}/data` });
    assertEquals([d.layout, d.classes, d.inputShape], ["image-folder", CLASSES, [1, 12, 12]]);
    assertEquals(d.test.n, 9);
    const r = await train([
      "--data",
      `${dir}/data`,
      "--out",
      `${dir}/m.tcnn`,
      "--arch",
      "tiny",
      "--epochs",
      "40",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assert(/image folder .*3 classes \(bright, dark, stripes\)/.test(r.stderr), r.stderr);
    const model = await loadModel(await Deno.readFile(`${dir}/m.tcnn`), { backend: "cpu" });
    assertEquals(model.labels, CLASSES);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/m.tcnn.report.json`));
    assertEquals(report.classes, CLASSES);
    assertEquals(report.confusion.length, 3);
    assert(report.testAccuracy >= 0.8, `test accuracy ${report.testAccuracy}`);
    // classify() on a new PNG of the "stripes" pattern
    const top = await model.classify(await encodePng(pattern(2, 999, 1), 12, 12, 1), { topK: 1 });
    assertEquals(top[0].label, "stripes");
    model.dispose();
  });
});

Deno.test("image folder (RGB JPEG, no split): 3 channels, per-channel normalisation, seeded test split", async () => {
  await withDir(async (dir) => {
    await imageFolder(dir, ["jpeg"], false);
    const d = await loadDataset(undefined, { dataDir: dir, seed: 4, testFraction: 0.25 });
    assertEquals(d.inputShape, [3, 12, 12]);
    const norm = d.normalization as { mean: number[]; std: number[] };
    assertEquals(norm.mean.length, 3);
    assert(norm.mean[0] > norm.mean[1], "the red tint shows in channel 0's mean");
    assertEquals(d.train.n + d.val.n + d.test.n, 34);
    assertEquals(new Set(d.test.labels).size, 3, "the held-out test split is stratified");
    const again = await loadDataset(undefined, { dataDir: dir, seed: 4, testFraction: 0.25 });
    assertEquals(again.test.labels, d.test.labels);
    const gray = await loadDataset(undefined, { dataDir: dir, channels: 1, size: [8, 10] });
    assertEquals(gray.inputShape, [1, 8, 10]);
  });
});

Deno.test("3-channel normalisation: a white RGB pixel with mean [0.1,0.2,0.3], std [1,2,4] → [0.9, 0.4, 0.175]", async () => {
  const set = { x: new Uint8Array([255, 255, 255]), labels: new Uint8Array([0]), n: 1 };
  const norm = { mean: [0.1, 0.2, 0.3], std: [1, 2, 4] };
  const b = makeBatch(set, null, 0, 1, [3, 1, 1], norm);
  const want = [0.9, 0.4, 0.175];
  for (let c = 0; c < 3; c++) assert(Math.abs(b.x[c] - want[c]) < 1e-6, `channel ${c}: ${b.x[c]}`);
  // the runtime applies the same preprocessing in classify()
  const { imageToInput } = await import("../runtime/input/image.ts");
  const x = await imageToInput({ data: new Uint8Array([255, 255, 255]), width: 1, height: 1, channels: 3 }, [
    3,
    1,
    1,
  ], norm);
  for (let c = 0; c < 3; c++) assert(Math.abs(x[c] - want[c]) < 1e-6, `runtime channel ${c}: ${x[c]}`);
});

Deno.test("epoch shuffle: orders differ between epochs, repeat for the same seed and epoch, change with the seed", () => {
  const a0 = epochOrder(50, 1, 0), a1 = epochOrder(50, 1, 1);
  assert(a0.join() !== a1.join(), "epoch 0 and 1 must differ");
  assertEquals(epochOrder(50, 1, 1), a1);
  assert(epochOrder(50, 2, 1).join() !== a1.join(), "another seed gives another order");
  assertEquals(Array.from(a1).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
});

function seriesLine(label: string, k: number, i: number, sep: string, len = 24): string {
  const v = Array.from({ length: len }, (_, t) => {
    const base = k === 0 ? Math.sin(t / 2) : k === 1 ? t / len : t > len / 2 ? 1 : 0;
    return (base * 3 + 10 + ((i * 31 + t * 7) % 5) * 0.05).toFixed(3);
  });
  return [label, ...v].join(sep);
}

Deno.test("UCR series (TSV and CSV with header): input (1,L), class names as written, sorted numerically", async () => {
  await withDir(async (dir) => {
    const labels = ["10", "2", "3"]; // numeric: order 2, 3, 10
    const make = (n: number, sep: string) =>
      Array.from({ length: n }, (_, i) => seriesLine(labels[i % 3], i % 3, i, sep)).join("\n") + "\n";
    await Deno.mkdir(`${dir}/tsv`);
    await Deno.writeTextFile(`${dir}/tsv/Toy_TRAIN.tsv`, make(30, "\t"));
    await Deno.writeTextFile(`${dir}/tsv/Toy_TEST.tsv`, make(12, "\t"));
    const d = await loadDataset(undefined, { dataDir: `${dir}/tsv` });
    assertEquals([d.layout, d.classes, d.inputShape, d.test.n], ["ucr", ["2", "3", "10"], [1, 24], 12]);
    assertEquals(d.normalization, { zscore: true });
    // stored z-normalised: each series has mean 0, std 1
    const s = Array.from(d.train.x.subarray(0, 24));
    const mean = s.reduce((a, b) => a + b, 0) / 24;
    assert(Math.abs(mean) < 1e-5);

    await Deno.mkdir(`${dir}/csv`);
    await Deno.writeTextFile(
      `${dir}/csv/train.csv`,
      "label," + Array.from({ length: 24 }, (_, t) => `t${t}`) + "\n" + make(30, ","),
    );
    await Deno.writeTextFile(`${dir}/csv/test.csv`, make(9, ","));
    const r = await train(["--data", `${dir}/csv`, "--out", `${dir}/s.tcnn`, "--epochs", "30"]);
    assertEquals(r.code, 0, r.stderr);
    assert(/arch fcn/.test(r.stderr), "series default to the 1-D fcn architecture");
    const bytes = await Deno.readFile(`${dir}/s.tcnn`);
    const { desc } = decodeModel(bytes);
    assertEquals([desc.inputShape, desc.labels, desc.normalization], [[1, 24], ["2", "3", "10"], {
      zscore: true,
    }]);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/s.tcnn.report.json`));
    assert(report.testAccuracy >= 0.9, `series test accuracy ${report.testAccuracy}`);
    // classify() takes the raw series and applies the recorded z-normalisation
    const model = await loadModel(bytes, { backend: "cpu" });
    const raw = seriesLine("2", 1, 5, ",").split(",").slice(1).map(Number); // pattern 1 is class "2"
    assertEquals((await model.classify(raw, { topK: 1 }))[0].label, "2");
    const scaled = raw.map((v) => v * 100 + 7); // z-normalisation makes scale and offset irrelevant
    assertEquals((await model.classify(scaled, { topK: 1 }))[0].label, "2");
    model.dispose();
  });
});

async function idxDir(dir: string, k: number, c: number) {
  const n = 30, nt = 9;
  const images = (m: number) => {
    const body = new Uint8Array(m * 144 * c);
    for (let i = 0; i < m; i++) body.set(pattern(i % k, i, c), i * 144 * c);
    return c === 1 ? idx(0x803, [m, 12, 12], body) : idx(0x804, [m, 12, 12, c], body);
  };
  const labels = (m: number) => idx(0x801, [m], Uint8Array.from({ length: m }, (_, i) => i % k));
  await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, images(n));
  await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, labels(n));
  await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, images(nt));
  await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, labels(nt));
}

Deno.test("IDX: labels.txt names the classes; --labels overrides; neither → 0..K-1; RGB rank-4 files", async () => {
  await withDir(async (dir) => {
    await idxDir(dir, 3, 1);
    const plain = await loadDataset(undefined, { dataDir: dir });
    assertEquals([plain.layout, plain.classes], ["idx", ["0", "1", "2"]]);
    assertEquals((await loadDataset(undefined, { dataDir: dir, labels: ["a", "b", "c"] })).classes, [
      "a",
      "b",
      "c",
    ]);
    await Deno.writeTextFile(`${dir}/labels.txt`, "dark\nbright\nstripes\n");
    assertEquals((await loadDataset(undefined, { dataDir: dir })).classes, ["dark", "bright", "stripes"]);
    const r = await train([
      "--data",
      dir,
      "--out",
      `${dir}/i.tcnn`,
      "--arch",
      "tiny",
      "--epochs",
      "3",
      "--quiet",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const { desc } = decodeModel(await Deno.readFile(`${dir}/i.tcnn`));
    assertEquals(desc.labels, ["dark", "bright", "stripes"]);
    await assertRejects(
      () => loadDataset(undefined, { dataDir: dir, labels: ["a", "b"] }),
      RangeError,
      "label 2",
    );
  });
  await withDir(async (dir) => {
    await idxDir(dir, 2, 3);
    const d = await loadDataset(undefined, { dataDir: dir });
    assertEquals([d.inputShape, d.classes], [[3, 12, 12], ["0", "1"]]);
  });
});

Deno.test("bad data: one clear error naming the file or folder, nothing written", async () => {
  await withDir(async (dir) => {
    const expect = async (name: string, setup: (d: string) => Promise<void>, re: RegExp, opts = {}) => {
      const d = `${dir}/${name}`;
      await Deno.mkdir(d, { recursive: true });
      await setup(d);
      const e = await assertRejects(() => loadDataset(undefined, { dataDir: d, ...opts }));
      assert(e instanceof TypeError || e instanceof RangeError, `${name}: ${e}`);
      assert(re.test((e as Error).message), `${name}: ${(e as Error).message}`);
    };
    const png = (k: number, w = 12, h = 12) => encodePng(pattern(k, 1, 1).subarray(0, w * h), w, h, 1);
    await expect("empty-class", async (d) => {
      await Deno.mkdir(`${d}/a`);
      await Deno.mkdir(`${d}/b`);
      await Deno.writeFile(`${d}/a/x.png`, await png(0));
    }, /empty-class\/b: class folder has no \.png\/\.jpg\/\.jpeg image/);
    await expect("one-class", async (d) => {
      await Deno.mkdir(`${d}/a`);
      await Deno.writeFile(`${d}/a/x.png`, await png(0));
    }, /found 1 class folder, need at least 2/);
    await expect("undecodable", async (d) => {
      for (const c of ["a", "b"]) await Deno.mkdir(`${d}/${c}`);
      await Deno.writeFile(`${d}/a/x.png`, await png(0));
      await Deno.writeFile(`${d}/b/broken.png`, new Uint8Array([1, 2, 3, 4, 5]));
    }, /undecodable\/b\/broken\.png: not a PNG or JPEG/);
    await expect("mixed-sizes", async (d) => {
      for (const c of ["a", "b"]) await Deno.mkdir(`${d}/${c}`);
      await Deno.writeFile(`${d}/a/x.png`, await png(0, 12, 12));
      await Deno.writeFile(`${d}/a/y.png`, await png(0, 10, 8));
      await Deno.writeFile(`${d}/b/z.png`, await png(1, 6, 6));
    }, /3 different sizes .* pass --size HxW/);
    await expect("huge", async (d) => {
      for (const c of ["a", "b"]) await Deno.mkdir(`${d}/${c}`);
      await Deno.writeFile(`${d}/a/x.png`, await png(0));
      const big = await png(1, 4, 4);
      new DataView(big.buffer).setUint32(16, 5000); // IHDR width, checked before decoding
      await Deno.writeFile(`${d}/b/big.png`, big);
    }, /huge\/b\/big\.png: image is 5000x4, expected sides of 1\.\.4096/);
    await expect("unknown-test-class", async (d) => {
      for (const c of ["train/a", "train/b", "test/c"]) await Deno.mkdir(`${d}/${c}`, { recursive: true });
      for (const c of ["train/a", "train/b", "test/c"]) await Deno.writeFile(`${d}/${c}/x.png`, await png(0));
    }, /test\/c: class "c" is not among the training classes \(a, b\)/);
    await expect("ragged", async (d) => {
      await Deno.writeTextFile(`${d}/X_TRAIN.tsv`, "1\t1\t2\t3\n2\t1\t2\n");
      await Deno.writeTextFile(`${d}/X_TEST.tsv`, "1\t1\t2\t3\n");
    }, /X_TRAIN\.tsv:2: series has 2 values, earlier lines have 3/);
    await expect("nan", async (d) => {
      await Deno.writeTextFile(`${d}/train.csv`, "1,1,2,3\n2,1,NaN,3\n");
      await Deno.writeTextFile(`${d}/test.csv`, "1,1,2,3\n");
    }, /train\.csv:2: value 2 is "NaN"; expected a finite number/);
    await expect("empty-value", async (d) => {
      await Deno.writeTextFile(`${d}/train.csv`, "1,1,2,3\n2,1,,3\n");
      await Deno.writeTextFile(`${d}/test.csv`, "1,1,2,3\n");
    }, /train\.csv:2: value 2 is empty/);
    await expect("unknown-series-label", async (d) => {
      await Deno.writeTextFile(`${d}/train.csv`, "1,1,2,3\n2,1,2,3\n");
      await Deno.writeTextFile(`${d}/test.csv`, "7,1,2,3\n");
    }, /test\.csv: label "7" does not occur in the training file/);
    await expect(
      "nothing",
      (d) => Deno.writeTextFile(`${d}/notes.txt`, "hi"),
      /no dataset found; expected an image folder/,
    );
    await assertRejects(
      () => loadDataset(undefined, { dataDir: `${dir}/missing` }),
      TypeError,
      "cannot read",
    );
    // the CLI exits 1 with that message and writes no model
    const r = await train(["--data", `${dir}/one-class`, "--out", `${dir}/never.tcnn`]);
    assertEquals(r.code, 1);
    assert(/need at least 2 classes/.test(r.stderr), r.stderr);
    await assertRejects(() => Deno.stat(`${dir}/never.tcnn`), Deno.errors.NotFound);
  });
});

Deno.test("generated datasets: UCR split sizes, balanced, identical on every call, z-normalised", async () => {
  for (
    const [name, tr, te, len, k] of [["synthetic-control", 300, 300, 60, 6], [
      "cbf",
      30,
      900,
      128,
      3,
    ]] as const
  ) {
    const a = await loadDataset(name, { seed: 1 });
    assertEquals([a.train.n + a.val.n, a.test.n, a.inputShape, a.classes.length], [tr, te, [1, len], k]);
    const counts = new Array(k).fill(0);
    for (const l of a.test.labels) counts[l]++;
    assertEquals(counts, new Array(k).fill(te / k), `${name} test split is balanced`);
    const b = await loadDataset(name, { seed: 2 });
    assertEquals(a.test.x, b.test.x, `${name}: the test split does not depend on --seed`);
    const row = Array.from(a.test.x.subarray(0, len));
    const mean = row.reduce((s, v) => s + v, 0) / len;
    const std = Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / len);
    assert(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-4, `${name}: mean ${mean}, std ${std}`);
  }
});

Deno.test(
  "a JSON conv1d architecture trains end to end on WebGPU (synthetic-control)",
  { ignore: NO_WEBGPU },
  async () => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(
        `${dir}/arch.json`,
        JSON.stringify({
          layers: [
            { type: "conv1d", filters: 16, kernel: 5, padding: "same" },
            { type: "batchnorm" },
            { type: "relu" },
            { type: "maxpool1d", size: 2 },
            { type: "conv1d", filters: 16, kernel: 3, dilation: 2, padding: "same" },
            { type: "relu" },
            { type: "globalavgpool" },
            { type: "dense", units: 6 },
          ],
        }),
      );
      const args = [
        "--dataset",
        "synthetic-control",
        "--arch",
        `${dir}/arch.json`,
        "--epochs",
        "12",
        "--lr",
        "0.01",
      ];
      const r = await train([...args, "--backend", "webgpu", "--out", `${dir}/g.tcnn`]);
      assertEquals(r.code, 0, r.stderr);
      const report = JSON.parse(await Deno.readTextFile(`${dir}/g.tcnn.report.json`));
      assertEquals(report.backend, "webgpu");
      assert(report.history.at(-1).trainLoss < report.history[0].trainLoss * 0.5, "training loss must fall");
      assert(report.testAccuracy >= 0.75, `test accuracy ${report.testAccuracy}`);
      const model = await loadModel(await Deno.readFile(`${dir}/g.tcnn`), { backend: "cpu" });
      assertEquals(model.inputShape, [1, 60]);
      assertEquals(model.labels!.length, 6);
      model.dispose();
    });
  },
);

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test(
    `fine-tune on ${backend}: --init keeps the model's layers and weights, a new head for K=2, --freeze 2 keeps conv fixed`,
    { ignore: backend === "webgpu" && NO_WEBGPU },
    async () => {
      await withDir(async (dir) => {
        await imageFolder(`${dir}/three`, ["gray"], true);
        const base = await train([
          "--data",
          `${dir}/three`,
          "--out",
          `${dir}/base.tcnn`,
          "--arch",
          "tiny",
          "--epochs",
          "40",
          "--lr",
          "0.01",
          "--quiet",
        ]);
        assertEquals(base.code, 0, base.stderr);
        // a two-class dataset of the same images: bright and dark only
        await Deno.mkdir(`${dir}/two`);
        for (const split of ["train", "test"]) {
          for (const c of ["bright", "dark"]) {
            await Deno.mkdir(`${dir}/two/${split}`, { recursive: true });
            await Deno.rename(`${dir}/three/${split}/${c}`, `${dir}/two/${split}/${c}`);
          }
        }
        const ft = await train([
          "--data",
          `${dir}/two`,
          "--init",
          `${dir}/base.tcnn`,
          "--freeze",
          "2",
          "--epochs",
          "30",
          "--lr",
          "0.01",
          "--backend",
          backend,
          "--out",
          `${dir}/ft.tcnn`,
        ]);
        assertEquals(ft.code, 0, ft.stderr);
        assert(/new 2-class head \(the model had 3\)/.test(ft.stderr), ft.stderr);
        const a = decodeModel(await Deno.readFile(`${dir}/base.tcnn`)).desc;
        const b = decodeModel(await Deno.readFile(`${dir}/ft.tcnn`)).desc;
        assertEquals(b.labels, ["bright", "dark"]);
        assertEquals(b.layers.map((l) => l.type), a.layers.map((l) => l.type));
        assertEquals(b.params[0], a.params[0], "the frozen conv keeps its weights exactly");
        assertEquals(b.normalization, a.normalization, "the model's normalisation is kept");
        const head = b.params.findLastIndex((p) => p.length > 0);
        assertEquals(b.params[head][1].length, 2, "the head has 2 outputs");
        const report = JSON.parse(await Deno.readTextFile(`${dir}/ft.tcnn.report.json`));
        assertEquals(report.backend, backend);
        assert(report.testAccuracy >= 0.8, `fine-tuned accuracy ${report.testAccuracy}`);
      });
    },
  );
}

Deno.test("fine-tune errors: --freeze without --init, a model of another input shape, freezing everything", async () => {
  await withDir(async (dir) => {
    await imageFolder(`${dir}/d`, ["gray"], true);
    const r1 = await train(["--data", `${dir}/d`, "--freeze", "1"]);
    assertEquals(r1.code, 2);
    assert(/--freeze needs --init FILE\.tcnn/.test(r1.stderr), r1.stderr);
    const r2 = await train(["--data", `${dir}/d`, "--init", "weights/mnist.tcnn", "--out", `${dir}/x.tcnn`]);
    assertEquals(r2.code, 1);
    assert(
      /the model takes input \(1,28,28\), the data is \(1,12,12\); use --size HxW/.test(r2.stderr),
      r2.stderr,
    );
    const r3 = await train([
      "--data",
      `${dir}/d`,
      "--size",
      "28x28",
      "--init",
      "weights/mnist.tcnn",
      "--freeze",
      "99",
      "--out",
      `${dir}/x.tcnn`,
    ]);
    assertEquals(r3.code, 1);
    assert(/--freeze 99 leaves no trainable layer/.test(r3.stderr), r3.stderr);
  });
});

Deno.test("decoders: progressive JPEG, 16-bit RGB and gray, Adam7-interlaced and 1-bit PNGs (ImageMagick fixtures)", async () => {
  const { decodeImage } = await import("../train/data/decode_image.ts");
  const dir = new URL("./data/images/", import.meta.url);
  for (
    const [file, gray] of [
      ["progressive.jpg", false],
      ["rgb16.png", true],
      ["gray16.png", true],
      ["gray-adam7.png", true],
      ["gray1.png", true],
    ] as const
  ) {
    const img = decodeImage(await Deno.readFile(new URL(file, dir)), file);
    assertEquals([img.width, img.height, img.gray], [16, 12, gray], file);
    // gradients: top-left and bottom-right differ, every alpha is opaque
    assert(
      img.rgba[0] !== img.rgba[img.rgba.length - 4] || img.rgba[2] !== img.rgba[img.rgba.length - 2],
      file,
    );
    for (let i = 3; i < img.rgba.length; i += 4) assertEquals(img.rgba[i], 255, `${file} alpha`);
  }
});

Deno.test("UCR series stream a line at a time: a 6 MB line and too many values are refused before they are held", async () => {
  const text = (s: string) => new Blob([s]).stream();
  // a line past MAX_SERIES_LINE_CHARS, with no newline at all: refused while it streams
  const long = "1," + "0.5,".repeat(1_600_000);
  let e = await assertRejects(() => parseSeriesStream(text(long), "long.csv"), RangeError);
  assert(/long\.csv:1: line of \d+ characters, at most 4000000/.test(e.message), e.message);
  // CRLF, a header row and a final line without newline parse as parseSeriesText does
  const ok = "label,a,b\r\n1,0.5,2\r\n2,1,3";
  assertEquals(await parseSeriesStream(text(ok), "ok.csv"), parseSeriesText(ok, "ok.csv"));
  // more series × length than the values limit (MAX_SERIES_VALUES, 2^27; 1,000 here): refused at the line
  const rows = ("1," + Array(300).fill("1").join(",") + "\n").repeat(10);
  e = await assertRejects(() => parseSeriesStream(text(rows), "many.csv", 1_000), RangeError);
  assert(/many\.csv:4: 4 series of 300 values exceed 1000 values in one file/.test(e.message), e.message);
  assertEquals(MAX_SERIES_VALUES, 2 ** 27);
});
