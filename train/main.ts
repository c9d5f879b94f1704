// CLI of `deno task train`, a thin layer over train/mod.ts: parse flags
// (restoring them from the checkpoint on --resume), load the data, train,
// write the model and its reports, print a summary. Exit status: 0 done,
// 1 runtime failure (message on stderr), 2 bad flags, 130 stopped by Ctrl-C
// (checkpoint written). Invariants: the file written to --out is the one
// whose accuracy the report states for its dtype; an existing model is never
// overwritten without --force; the checkpoint is removed once the model and
// reports are written (unless --keep-checkpoint).

import { dirname } from "node:path";
import { type CliConfig, flagNames, parseCli, RESUME_OVERRIDES, USAGE, UsageError } from "./cli_args.ts";
import { loadDataset } from "./data/datasets.ts";
import { loadCheckpoint, writeAtomic } from "./checkpoint.ts";
import { resolveDataDefaults } from "./defaults.ts";
import { nullSink, stderrSink } from "./progress.ts";
import { renderSvg } from "./report.ts";
import { train } from "./mod.ts";
import { exists, portableArgs } from "./fs_util.ts";

/** Shell-quote argv for the report's exact command line. */
function commandLine(argv: string[]): string {
  const q = (a: string) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
  // only what reproduces the run: no absolute path of this machine (issue 29)
  return ["deno", "task", "train", ...portableArgs(argv).map(q)].join(" ");
}

/**
 * --resume: the checkpoint's saved flags, with the flags given now that may
 * change (RESUME_OVERRIDES) appended; any other flag given now must equal the
 * saved one. Returns the argv to run, or the current one for a checkpoint
 * made before flags were saved.
 */
async function resumeArgv(argv: string[], cli: CliConfig): Promise<{ argv: string[]; ckpt: string }> {
  const ckpt = cli.resumeFrom ?? (cli.out ? `${cli.out}.ckpt` : undefined);
  if (!ckpt) {
    throw new UsageError("--resume needs --out FILE (its checkpoint is FILE.ckpt) or --resume FILE.ckpt");
  }
  if (!(await exists(ckpt))) throw new UsageError(`--resume: no checkpoint ${ckpt} (nothing to continue)`);
  const saved = ((await loadCheckpoint(ckpt)).run.saved as { argv?: string[] } | undefined)?.argv;
  if (!saved) return { argv, ckpt };
  const was = parseCli(saved) as unknown as Record<string, unknown>;
  const now = parseCli(argv) as unknown as Record<string, unknown>;
  const camel = (f: string) => f.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  const keep: string[] = [];
  for (const f of new Set(flagNames(argv))) {
    if (f === "resume" || f === "out") continue;
    if (RESUME_OVERRIDES.has(f)) continue;
    const a = JSON.stringify(was[camel(f)]), b = JSON.stringify(now[camel(f)]);
    if (a !== b) {
      throw new UsageError(
        `--resume: the checkpoint's run has --${f} ${
          a ?? "(unset)"
        }, this command ${b}; drop the flag to continue that run, or start a new one without --resume`,
      );
    }
  }
  // the overrides given now, as written (value flags with their values)
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(=.*)?$/.exec(argv[i]);
    if (!m || !RESUME_OVERRIDES.has(m[1])) continue;
    keep.push(argv[i]);
    if (!m[2] && i + 1 < argv.length && !argv[i + 1].startsWith("--")) keep.push(argv[++i]);
  }
  return { argv: [...saved, ...keep, "--resume"], ckpt };
}

export async function main(argvIn: string[]): Promise<number> {
  try {
    let argv = argvIn;
    let cli = parseCli(argv);
    if (cli.help) {
      console.log(USAGE);
      return 0;
    }
    if (cli.resume) {
      const r = await resumeArgv(argv, cli);
      argv = r.argv;
      cli = { ...parseCli(argv), resumeFrom: r.ckpt };
    }
    return await run(cli, argv.filter((a) => a !== "--resume"));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\nRun with --help for the options.`);
    return 2;
  }
}

async function run(cli: CliConfig, argv: string[]): Promise<number> {
  const sink = cli.quiet || cli.json ? nullSink : stderrSink();
  const say = (s: string) => sink.write(s + "\n");
  const t0 = performance.now();

  const data = await loadDataset(cli.dataset, {
    dataDir: cli.data,
    seed: cli.seed,
    valFraction: cli.valFraction,
    testFraction: cli.testFraction,
    limit: cli.limit,
    labels: cli.labels,
    size: cli.size,
    channels: cli.channels,
    download: { base: Deno.env.get("TINYCNN_DATASET_BASE_URL") || undefined, progress: say },
  });
  for (const note of data.notes) say(note);
  const name = cli.dataset ?? data.name;
  const out = resolveDataDefaults(cli, data.train.n, data.inputShape.length === 2, name).out;
  if (!cli.force && !cli.resume && await exists(out)) {
    throw new UsageError(`${out} exists; pass --force to overwrite it, or choose another --out`);
  }
  const aug = cli.augment;
  const flip = aug.flip === "dataset" ? data.flipOk : aug.flip;
  if (flip && data.inputShape.length === 2) {
    throw new UsageError("--augment flip applies to images, not series");
  }
  if (aug.erase > 0 && data.inputShape.length === 2) {
    throw new UsageError("--augment erase applies to images, not series");
  }
  await Deno.mkdir(dirname(out) || ".", { recursive: true });
  const ckpt = cli.resumeFrom ?? `${out}.ckpt`;

  // Ctrl-C stops at the next step with a checkpoint written
  const stop = new AbortController();
  const onInt = () => stop.abort(new DOMException("stopped by SIGINT", "AbortError"));
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGINT", onInt);
  let result;
  try {
    result = await train({
      data: { ...data, name },
      arch: cli.init ? undefined : cli.arch,
      epochs: cli.epochs,
      batch: cli.batch,
      optimizer: cli.optimizer,
      lr: cli.lr,
      momentum: cli.momentum,
      nesterov: cli.nesterov,
      weightDecay: cli.weightDecay,
      labelSmoothing: cli.labelSmoothing,
      schedule: cli.schedule,
      warmup: cli.warmup,
      patience: cli.patience,
      augment: { shift: aug.shift, flip, noise: aug.noise, erase: aug.erase },
      backend: cli.backend,
      seed: cli.seed,
      init: cli.init,
      freeze: cli.freeze,
      quantize: cli.quantize,
      checkpoint: ckpt,
      checkpointEvery: cli.checkpointEvery,
      resume: cli.resume,
      runInfo: { argv },
      // the full flags (restored ones included) and, for a resumed run, --resume
      command: commandLine(cli.resume ? [...argv, "--resume"] : argv),
      out,
      onProgress: sink,
      signal: stop.signal,
    });
  } catch (e) {
    if (stop.signal.aborted) {
      console.error(
        `stopped; checkpoint ${ckpt} written. Continue with: deno task train --resume --out ${out}`,
      );
      return 130;
    }
    throw e;
  } finally {
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGINT", onInt);
  }
  const { model, report } = result;
  await writeAtomic(out, model);
  await writeAtomic(`${out}.report.json`, new TextEncoder().encode(JSON.stringify(report, null, 2) + "\n"));
  await writeAtomic(`${out}.report.svg`, new TextEncoder().encode(renderSvg(report)));
  if (!cli.keepCheckpoint) {
    for (const p of [ckpt, `${ckpt}.best`]) await Deno.remove(p).catch(() => {});
  }
  const acc = Object.fromEntries(report.quantized.map((q) => [q.dtype, q.accuracy]));
  const bytes = Object.fromEntries(report.quantized.map((q) => [q.dtype, q.bytes]));
  const summary = {
    out,
    dtype: cli.quantize,
    bytes: model.length,
    testAccuracy: acc,
    fileBytes: bytes,
    classes: report.classes,
    params: report.params,
    epochs: report.epochs,
    backend: report.backend,
    trainSeconds: Math.round(report.trainSeconds * 10) / 10,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
    report: `${out}.report.json`,
    svg: `${out}.report.svg`,
    checkpoint: cli.keepCheckpoint ? ckpt : null,
  };
  if (cli.json) console.log(JSON.stringify(summary));
  else {
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    console.log(
      `${out}: test accuracy ${pct(acc[cli.quantize])} (${cli.quantize}, ${model.length} bytes; f32 ${
        pct(acc.f32)
      }, f16 ${pct(acc.f16)}, int8 ${
        pct(acc.int8)
      }), ${report.epochs} epochs on ${report.backend} in ${summary.trainSeconds} s`,
    );
  }
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  }
  Deno.exit(code);
}
