// Crash safety of `deno task train`: a CPU-backend run is SIGKILLed right
// after its first checkpoint, rerun with --resume, finishes and writes the
// model + reports; its history equals that of an uninterrupted run (the CPU
// backend restores state bit-for-bit and data order is a function of the seed).

import { assert, assertEquals } from "@std/assert";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { decodeModel } from "../runtime/format/mod.ts";
import { exists } from "../train/fs_util.ts";

const MAIN = new URL("../train/main.ts", import.meta.url).pathname;

function trainCmd(out: string, extra: string[] = []): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-webgpu",
      MAIN,
      ...["--backend", "cpu", "--arch", "tiny", "--dataset", "mnist", "--limit", "400"],
      ...["--epochs", "3", "--batch", "16", "--checkpoint-every", "4", "--seed", "5", "--augment", "1"],
      ...["--out", out, "--quiet", ...extra],
    ],
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("resume: SIGKILL after the first checkpoint, --resume finishes like an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/killed.tcnn`;
    const child = trainCmd(out).spawn();
    const t0 = Date.now();
    while (!(await exists(`${out}.ckpt`))) {
      if (Date.now() - t0 > 120_000) {
        child.kill("SIGKILL");
        throw new Error("no checkpoint appeared within 120 s");
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    const st = await child.output();
    assertEquals(st.signal, "SIGKILL", `child exited on its own: ${new TextDecoder().decode(st.stderr)}`);
    const c = await loadCheckpoint(`${out}.ckpt`);
    console.log(`killed at epoch ${c.epoch + 1} step ${c.stepInEpoch} (global step ${c.state.step})`);
    assert(c.epoch < 3, "the run must not have finished before the kill");
    assert(!(await exists(out)), "no model may exist before the run finished");

    const resumed = await trainCmd(out, ["--resume"]).output();
    const err = new TextDecoder().decode(resumed.stderr);
    assertEquals(resumed.code, 0, err);
    const model = decodeModel(await Deno.readFile(out));
    assertEquals(model.desc.inputShape, [1, 28, 28]);
    const rep = JSON.parse(await Deno.readTextFile(`${out}.report.json`));
    assertEquals(rep.history.length, 3);
    assert((await Deno.readTextFile(`${out}.report.svg`)).startsWith("<svg"));
    assert(/--resume/.test(rep.command));

    // the same run without interruption
    const ref = `${dir}/ref.tcnn`;
    const whole = await trainCmd(ref).output();
    assertEquals(whole.code, 0, new TextDecoder().decode(whole.stderr));
    const repRef = JSON.parse(await Deno.readTextFile(`${ref}.report.json`));
    assertEquals(
      rep.history.map((h: { valLoss: number }) => h.valLoss),
      repRef.history.map((h: { valLoss: number }) => h.valLoss),
    );
    assertEquals(rep.testAccuracy, repRef.testAccuracy);
    assertEquals(rep.confusion, repRef.confusion);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
