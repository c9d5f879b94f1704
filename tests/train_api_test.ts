// Training as a library (train/mod.ts) and the CLI's manners: the API equals
// the CLI for the same seed, evaluate() re-measures a model, an AbortSignal
// stops with a checkpoint, --resume needs no other flag (and refuses a
// changed one with a short message), --quiet/--json summaries, --force,
// checkpoint clean-up, numeric flag errors.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { evaluate, loadDataset, train } from "../train/mod.ts";
import { decodeModel } from "../mod.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";
import { runTrain, withTempDir } from "./helpers/train_cli.ts";

const MAIN = new URL("../train/main.ts", import.meta.url).pathname;
const FLAGS = [
  "--dataset",
  "mnist",
  "--limit",
  "300",
  "--arch",
  "tiny",
  "--epochs",
  "2",
  "--batch",
  "32",
  "--seed",
  "3",
];

const cli = runTrain;

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("tinycnn-api-", fn);

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test("API: train() on the CPU equals the CLI for the same seed; evaluate() re-measures the model", async () => {
  await withDir(async (dir) => {
    const data = await loadDataset("mnist", { seed: 3, limit: 300 });
    const lines: string[] = [];
    const { model, report, history } = await train({
      data,
      arch: "tiny",
      epochs: 2,
      batch: 32,
      seed: 3,
      backend: "cpu",
      onProgress: (l) => lines.push(l),
    });
    assertEquals(history.length, 2);
    assert(lines.some((l) => /test accuracy/.test(l)), lines.join("\n"));
    const r = await cli([...FLAGS, "--backend", "cpu", "--out", `${dir}/cli.tcnn`, "--quiet"]);
    assertEquals(r.code, 0, r.stderr);
    const viaCli = JSON.parse(await Deno.readTextFile(`${dir}/cli.tcnn.report.json`));
    assertEquals(viaCli.history.map((h: { valLoss: number }) => h.valLoss), history.map((h) => h.valLoss));
    assertEquals(viaCli.testAccuracy, report.testAccuracy);
    assertEquals(
      decodeModel(await Deno.readFile(`${dir}/cli.tcnn`)).desc.params,
      decodeModel(model).desc.params,
    );
    const ev = await evaluate(model, data);
    assertEquals(ev.accuracy, report.quantized.find((q) => q.dtype === "f32")!.accuracy);
    assertEquals(ev.confusion.length, 10);
  });
});

Deno.test("API and CLI: label smoothing and random erasing reach the trainer alike and change the weights", async () => {
  await withDir(async (dir) => {
    const data = await loadDataset("mnist", { seed: 3, limit: 300 });
    const opts = { data, arch: "tiny", epochs: 1, batch: 32, seed: 3, backend: "cpu" } as const;
    const plain = await train(opts);
    const reg = await train({ ...opts, labelSmoothing: 0.1, augment: { erase: 0.5 } });
    const params = (m: Uint8Array) => decodeModel(m).desc.params;
    assert(
      JSON.stringify(params(plain.model)) !== JSON.stringify(params(reg.model)),
      "the options changed nothing",
    );
    const flags = [...FLAGS.slice(0, 6), "--epochs", "1", "--batch", "32", "--seed", "3"];
    const args = ["--label-smoothing", "0.1", "--augment", "erase:0.5", "--backend", "cpu", "--quiet"];
    const r = await cli([...flags, ...args, "--out", `${dir}/reg.tcnn`]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(params(await Deno.readFile(`${dir}/reg.tcnn`)), params(reg.model));
    await assertRejects(
      () => train({ ...opts, labelSmoothing: 1 }),
      RangeError,
      "labelSmoothing must be in [0, 0.5]",
    );
    await assertRejects(() => train({ ...opts, augment: { erase: 2 } }), RangeError, "augment.erase");
  });
});

Deno.test("API and CLI: Nesterov momentum reaches the SGD trainer alike and changes the weights", async () => {
  await withDir(async (dir) => {
    const data = await loadDataset("mnist", { seed: 3, limit: 300 });
    const opts = {
      data,
      arch: "tiny",
      epochs: 1,
      batch: 32,
      seed: 3,
      backend: "cpu",
      optimizer: "sgd",
    } as const;
    const params = (m: Uint8Array) => JSON.stringify(decodeModel(m).desc.params);
    const heavy = await train({ ...opts, nesterov: true });
    assert(params((await train(opts)).model) !== params(heavy.model), "nesterov changed nothing");
    const flags = [
      ...FLAGS.slice(0, 6),
      "--epochs",
      "1",
      "--batch",
      "32",
      "--seed",
      "3",
      "--optimizer",
      "sgd",
    ];
    const r = await cli([...flags, "--nesterov", "--backend", "cpu", "--quiet", "--out", `${dir}/n.tcnn`]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(params(await Deno.readFile(`${dir}/n.tcnn`)), params(heavy.model));
    await assertRejects(
      () => train({ ...opts, optimizer: "adam", nesterov: true }),
      TypeError,
      "needs optimizer",
    );
  });
});

Deno.test("API: train() on WebGPU", { ignore: NO_WEBGPU }, async () => {
  const data = await loadDataset("synthetic-control");
  const { report } = await train({ data, epochs: 4, backend: "webgpu", quantize: "int8" });
  assertEquals(report.backend, "webgpu");
  assert(report.testAccuracy > 0.6, `accuracy ${report.testAccuracy}`);
});

Deno.test("API: an AbortSignal stops at the next step with a checkpoint written", async () => {
  await withDir(async (dir) => {
    const data = await loadDataset("mnist", { seed: 3, limit: 300 });
    const ac = new AbortController();
    let steps = 0;
    const e = await assertRejects(() =>
      train({
        data,
        arch: "tiny",
        epochs: 3,
        batch: 16,
        backend: "cpu",
        checkpoint: `${dir}/x.ckpt`,
        onProgress: (l) => {
          if (/step \d+\//.test(l) && ++steps >= 1) ac.abort(new DOMException("enough", "AbortError"));
        },
        signal: ac.signal,
      })
    );
    assertEquals((e as DOMException).name, "AbortError");
    const c = await loadCheckpoint(`${dir}/x.ckpt`);
    assert(c.state.step > 0 && c.epoch < 3, `checkpoint at epoch ${c.epoch} step ${c.stepInEpoch}`);
  });
});

Deno.test("CLI: kill -9, then --resume --out alone ends like the uninterrupted run; a changed flag is refused", async () => {
  await withDir(async (dir) => {
    const out = `${dir}/k.tcnn`;
    const args = [...FLAGS, "--epochs", "3", "--batch", "16", "--checkpoint-every", "3", "--backend", "cpu"];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args, "--out", out, "--quiet"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const t0 = Date.now();
    while (!(await exists(`${out}.ckpt`)) && Date.now() - t0 < 120_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    assertEquals((await child.status).signal, "SIGKILL");
    assert(!(await exists(out)), "killed before the model was written");

    const changed = await cli(["--resume", "--out", out, "--arch", "small"]);
    assertEquals(changed.code, 2);
    assert(
      /--resume: the checkpoint's run has --arch "tiny", this command "small"/.test(changed.stderr),
      changed.stderr,
    );

    const resumed = await cli(["--resume", "--out", out]);
    assertEquals(resumed.code, 0, resumed.stderr);
    const rep = JSON.parse(await Deno.readTextFile(`${out}.report.json`));
    assert(/--arch tiny/.test(rep.command) && /--resume/.test(rep.command), rep.command);
    assert(!(await exists(`${out}.ckpt`)), "the checkpoint is removed after the export");

    const ref = await cli([...args, "--out", `${dir}/ref.tcnn`, "--quiet"]);
    assertEquals(ref.code, 0, ref.stderr);
    const repRef = JSON.parse(await Deno.readTextFile(`${dir}/ref.tcnn.report.json`));
    assertEquals(rep.testAccuracy, repRef.testAccuracy);
    console.log(`resumed ${rep.testAccuracy} vs uninterrupted ${repRef.testAccuracy}`);
  });
});

Deno.test("CLI: --quiet prints one summary line, --json one object; --force; --keep-checkpoint", async () => {
  await withDir(async (dir) => {
    const out = `${dir}/q.tcnn`;
    const q = await cli([...FLAGS, "--backend", "cpu", "--out", out, "--quiet"]);
    assertEquals(q.code, 0, q.stderr);
    assertEquals(q.stderr, "");
    const lines = q.stdout.trim().split("\n");
    assertEquals(lines.length, 1, q.stdout);
    assert(
      /: test accuracy \d+\.\d+% \(f32, \d+ bytes; f32 .* int8 .*\), 2 epochs on cpu/.test(lines[0]),
      lines[0],
    );

    const again = await cli([...FLAGS, "--backend", "cpu", "--out", out, "--quiet"]);
    assertEquals(again.code, 2);
    assert(/q\.tcnn exists; pass --force to overwrite it/.test(again.stderr), again.stderr);

    const j = await cli([
      ...FLAGS,
      "--backend",
      "cpu",
      "--out",
      out,
      "--json",
      "--force",
      "--keep-checkpoint",
    ]);
    assertEquals(j.code, 0, j.stderr);
    const s = JSON.parse(j.stdout);
    assertEquals([s.out, s.dtype, s.epochs, s.backend], [out, "f32", 2, "cpu"]);
    assert(s.testAccuracy.int8 >= 0 && s.fileBytes.f16 > 0 && s.trainSeconds >= 0);
    assertEquals(s.checkpoint, `${out}.ckpt`);
    assert(await exists(`${out}.ckpt`), "--keep-checkpoint keeps it");
  });
});

Deno.test("CLI: numeric flags — negative, zero, fractional, NaN — are exit 2 with the flag and value", async () => {
  const cases: [string[], RegExp][] = [
    [["--epochs", "-1"], /--epochs must be in \[1, 100000\], got -1/],
    [["--epochs", "1.5"], /--epochs must be an integer, got "1\.5"/],
    [["--batch", "0"], /--batch must be in \[1, 65536\], got 0/],
    [["--lr", "NaN"], /--lr must be a number, got "NaN"/],
    [["--lr", "-0.1"], /--lr must be in \[1e-12, 100\], got -0\.1/],
    [["--seed", "-3"], /--seed must be in \[0, 4294967295\], got -3/],
    [["--patience", "-2"], /--patience must be in \[0, 100000\], got -2/],
    [["--warmup", "x"], /--warmup must be an integer, got "x"/],
    [["--freeze", "1"], /--freeze needs --init FILE\.tcnn/],
    [["--resume"], /--resume: no checkpoint weights\/mnist-small\.tcnn\.ckpt \(nothing to continue\)/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assertEquals(r.code, 2, `${args.join(" ")}: exit ${r.code} ${r.stderr}`);
    assert(re.test(r.stderr), `${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("API: train() checks every option before it reads or builds anything, naming the option", async () => {
  const data = await loadDataset("synthetic-control");
  const cases: [Record<string, unknown>, ErrorConstructor | RangeErrorConstructor, RegExp][] = [
    [{ data: "mnist" }, TypeError, /^data must be a Dataset from loadDataset\(\).*got "mnist"/],
    [{}, TypeError, /^data must be a Dataset/],
    [{ data: { ...data, train: { n: 3 } } }, TypeError, /data\.train must hold n samples/],
    [{ data, epoch: 3 }, TypeError, /unknown option "epoch"; train\(\) takes epochs, batch/],
    [{ data, epochs: 0 }, RangeError, /epochs must be in \[1, 100000\], got 0/],
    [{ data, batch: 2.5 }, TypeError, /batch must be an integer, got 2\.5/],
    [{ data, lr: "0.1" }, TypeError, /lr must be a finite number, got "0\.1"/],
    [{ data, lr: NaN }, TypeError, /lr must be a finite number, got NaN/],
    [{ data, labelSmoothing: 0.9 }, RangeError, /labelSmoothing must be in \[0, 0\.5\]/],
    [{ data, optimizer: "rmsprop" }, TypeError, /optimizer must be one of sgd, adam, adamw, got "rmsprop"/],
    [{ data, backend: "gpu" }, TypeError, /backend must be one of auto, webgpu, cpu/],
    [{ data, augment: { shift: 20 } }, RangeError, /augment\.shift must be in \[0, 8\]/],
    [{ data, augment: { rotate: 1 } }, TypeError, /unknown augment field "rotate"/],
    [{ data, resume: "yes" }, TypeError, /resume must be a boolean/],
    [{ data, arch: 7 }, TypeError, /arch must be a name/],
    [{ data, signal: {} }, TypeError, /signal must be an AbortSignal/],
    [
      { data: { ...data, classes: ["a", "a\x1b", ...data.classes.slice(2)] } },
      TypeError,
      /data\.classes\[1\]: control character/,
    ],
  ];
  for (const [opts, type, re] of cases) {
    // deno-lint-ignore no-explicit-any
    const e = await assertRejects(() => train(opts as any), type);
    assert(re.test(e.message), `${JSON.stringify(Object.keys(opts))}: ${e.message} !~ ${re}`);
  }
});
