// Generates docs/PERFORMANCE.md from the bench results files (bench/*.md,
// each written by the bench that measured it, or for the benches that print
// instead of writing, the record of their last run) and the README's
// headline tables from bench/results.md and the shipped models' reports
// (weights/*.report.json). No figure is typed by hand into either document:
// `deno task docs:perf` rewrites them, and tests/docs_test.ts fails when they
// differ from what this generates.

import { decodeModel } from "../runtime/format/decode.ts";

const ROOT = new URL("../", import.meta.url);

/** The results files of docs/PERFORMANCE.md, in order: [file under bench/, what it measures]. */
export const RESULT_FILES: readonly [string, string][] = [
  [
    "results.md",
    "Inference, cold start, training and matmul ceilings against the peers (`deno task bench`)",
  ],
  [
    "graph_model.md",
    "The shipped resnet-s graph against an edge chain (`deno task bench --skip-train --only edge`)",
  ],
  [
    "graph_model_shared.md",
    "The same with TF.js following the graph links, on a shared machine",
  ],
  [
    "torchvision.md",
    "Converted torchvision models against onnxruntime (`bench/torchvision/bench.ts`)",
  ],
  ["ops.md", "Per-op forward times (`bench/ops_time.ts`)"],
  ["kernel_variants.md", "The CPU conv kernel variants against each other (`bench/kernel_variants.ts`)"],
  ["compare.md", "Before/after of one change (`bench/compare_revs.ts`)"],
  [
    "cold.md",
    "Cold start in detail and on edge runtimes (`bench/cold_profile.ts`, `bench/cold_edge.ts`)",
  ],
  ["bundle.md", "Bundle sizes (`deno task bundle`)"],
  ["loadtest.md", "Edge load test (`deno task loadtest`)"],
];

/** The shipped models of the README's table: file under weights/, a short description of the net. */
export const SHIPPED: readonly [string, string][] = [
  [
    "fashion-mnist.tcnn",
    "`resnet-s` graph, stages 16/32/72: stem, 3 residual stages with BN, global avg pool, dense",
  ],
  ["mnist.tcnn", "`resnet-s` graph"],
  [
    "synthetic-control.tcnn",
    "`fcn`: 3× (conv1d + BN + ReLU) 64/128/64, global avg pool, dense",
  ],
];

const grouped = (n: number) => n.toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Rows of the markdown table under `heading` in `md`: cells by column name. */
export function tableRows(
  md: string,
  heading: string,
): Record<string, string>[] {
  const at = md.indexOf(heading);
  if (at < 0) {
    throw new Error(`no section ${JSON.stringify(heading)} in the results`);
  }
  const lines = md.slice(at).split("\n").filter((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > 2 && !l.startsWith("|"));
  const rows = (end < 0 ? lines : lines.slice(0, end)).map((l) =>
    l.slice(1, -1).split("|").map((c) => c.trim())
  );
  const [head, , ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/**
 * The README's inference headline: ours on the CPU (the wasm SIMD engine, auto's CPU side) against the fastest
 * wasm peer, per model, from results.md; the pure-TS fallback's batch-1 time beside it.
 */
export function inferenceHeadline(results: string): string {
  const rows = tableRows(results, "## Inference");
  const out = [
    "| model | ours wasm b1 | fastest wasm peer b1 | ours / peer (latency) | ours wasm b64 | peer b64 | ours / peer (throughput) | ours TS b1 |",
    "| ----- | -----------: | -------------------- | --------------------: | ------------: | -------: | -----------------------: | ---------: |",
  ];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const of = (lib: string) => rows.find((r) => r.model === model && r.library.split(" ")[0] === lib);
    const ours = of("ours-wasm"), ts = of("ours-cpu");
    const peers = ["tfjs-wasm", "ort-web"].map(of).filter((r) => r !== undefined);
    if (!ours || !ts || peers.length === 0) continue; // a table of another measurement
    const best = peers.reduce((a, b) => Number(a["b1 median ms"]) <= Number(b["b1 median ms"]) ? a : b);
    const ms = (r: Record<string, string>) => Number(r["b1 median ms"]);
    const ips = (r: Record<string, string>) => Number(r["b64 img/s"]);
    out.push(
      `| ${model} | ${ms(ours).toFixed(2)} ms | ${best.library.split(" ")[0]} ${ms(best).toFixed(2)} ms | ${
        (ms(ours) / ms(best)).toFixed(2)
      }× | ${grouped(ips(ours))} img/s | ${grouped(ips(best))} img/s | ${
        (ips(ours) / ips(best)).toFixed(2)
      }× | ${ms(ts).toFixed(2)} ms |`,
    );
  }
  return out.join("\n");
}

/** The README's shipped-models table, from each model file (params, bytes) and its report (accuracy, training). */
export async function shippedTable(): Promise<string> {
  const out = [
    "| file | model | params | file (int8) | test accuracy int8 / f32 | trained (WebGPU, llvmpipe) |",
    "| ---- | ----- | -----: | ----------: | ------------------------ | -------------------------- |",
  ];
  for (const [file, what] of SHIPPED) {
    const bytes = await Deno.readFile(new URL(`weights/${file}`, ROOT));
    const { desc } = decodeModel(bytes);
    const params = desc.params.flat().reduce((s, t) => s + t.length, 0);
    const report = JSON.parse(
      await Deno.readTextFile(new URL(`weights/${file}.report.json`, ROOT)),
    );
    const q = (d: string) => report.quantized.find((e: { dtype: string }) => e.dtype === d).accuracy;
    const n = report.samples.test;
    const min = report.trainSeconds / 60;
    out.push(
      `| \`${file}\` | ${what} | ${grouped(params)} | ${grouped(bytes.length)} B | ${pct(q("int8"))} / ${
        pct(q("f32"))
      } (${grouped(n)}) | ${report.epochs} epochs, ${
        min >= 2 ? `${Math.round(min)} min` : `${Math.round(report.trainSeconds)} s`
      } |`,
    );
  }
  return out.join("\n");
}

/** docs/PERFORMANCE.md: a short guide to reading the numbers, then every results file as its bench wrote it. */
export async function performanceDoc(): Promise<string> {
  const parts = [
    "# tinycnn — performance",
    "",
    "<!-- generated by `deno task docs:perf` (bench/perf_doc.ts) from the bench results files; do not edit -->",
    "",
    "Every figure below was written by the bench that measured it, on the development machine (2 cores, no GPU;",
    "WebGPU is Mesa llvmpipe, a CPU rasterizer, through Vulkan, so a real GPU runs the same code much faster).",
    "Peers run in the same bench run on the same weights, single-threaded, and are reported as ratios. Each",
    "section names its file under `bench/`; rerun its command to measure again, then `deno task docs:perf`.",
    "Readings of these numbers by the sessions that ran them: [bench/notes.md](../bench/notes.md).",
    "",
  ];
  for (const [file, what] of RESULT_FILES) {
    const md = (await Deno.readTextFile(new URL(`bench/${file}`, ROOT))).trim();
    // the file's own title becomes a section; its sections go one level down
    const body = md.replace(/^# .*\n+/, "").replace(/^(#+) /gm, "#$1 ");
    parts.push(
      `## ${what}`,
      "",
      `From [bench/${file}](../bench/${file}).`,
      "",
      body,
      "",
    );
  }
  return parts.join("\n");
}

const START = "<!-- headline:start (generated by `deno task docs:perf`; do not edit) -->";
const END = "<!-- headline:end -->";

/** `readme` with its headline block regenerated. */
export async function readmeWithHeadline(readme: string): Promise<string> {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error("README.md has no headline block");
  const results = await Deno.readTextFile(new URL("bench/results.md", ROOT));
  const block = [
    START,
    "**Shipped models** (`weights/`; each `.report.json` holds the command that trained it):",
    "",
    await shippedTable(),
    "",
    "**CPU inference** (our wasm SIMD engine, auto's CPU side) against the fastest WebAssembly-SIMD peer",
    "(TF.js wasm or onnxruntime-web), same run, single-threaded, from [bench/results.md](bench/results.md):",
    "",
    inferenceHeadline(results),
    "",
  ].join("\n");
  return readme.slice(0, a) + block + readme.slice(b);
}

if (import.meta.main) {
  const readmeUrl = new URL("README.md", ROOT);
  await Deno.writeTextFile(
    new URL("docs/PERFORMANCE.md", ROOT),
    await performanceDoc(),
  );
  await Deno.writeTextFile(
    readmeUrl,
    await readmeWithHeadline(await Deno.readTextFile(readmeUrl)),
  );
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "-q", "README.md", "docs/PERFORMANCE.md"],
    cwd: ROOT,
  }).output();
  if (!fmt.success) throw new Error("deno fmt failed");
  console.log("wrote docs/PERFORMANCE.md and README.md's headline block");
}
