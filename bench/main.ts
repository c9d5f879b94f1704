// `deno task bench`: ours vs peers in ONE run on this machine. Steps: export
// the seeded reference models (lenet, small, + the shipped edge model when
// present) to .tcnn/.onnx/manifest, then spawn one fresh process per
// (library, model) for inference timing, cold-start probes, training
// throughput and the matmul ceilings; print one table with ratios and write
// bench/results.md. Invariants: every peer gets identical weights (outputs are
// cross-checked against ours); timings are medians; nothing here asserts time.
// Flags: --quick (fewer reps, ~2-3 min), --skip-train, --skip-peers,
//        --only lenet,small,edge, --out bench/results.md

import { BENCH_MODELS, EDGE_CHAIN } from "./models.ts";
import { exportModel, peerManifest } from "./export.ts";
import { modelToOnnx as encodeOnnx } from "../train/convert/to_onnx.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
// @ts-ignore plain JS helper shared with the drivers
import { stats } from "./peers/common.mjs";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const argv = Deno.args;
const quick = argv.includes("--quick");
const skipTrain = argv.includes("--skip-train");
const skipPeers = argv.includes("--skip-peers");
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = flag("--only")?.split(",");
const outPath = flag("--out") ?? "bench/results.md";
const root = new URL("..", import.meta.url).pathname;
const cache = `${root}bench/.cache`;
const env: Record<string, string> = {
  DENO_WEBGPU_BACKEND: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "vulkan",
  XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp/xdg",
};
try {
  Deno.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
} catch { /* exists */ }

const log = (s: string) => console.error(`[bench] ${s}`);

async function spawn(
  cmd: string[],
  cwd = root,
  timeoutS = 180,
): Promise<{ json: Json | null; ms: number; code: number; err: string }> {
  const t = performance.now();
  try {
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd,
      env,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutS * 1000),
    }).output();
    const ms = performance.now() - t;
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").reverse().find((l) => l.startsWith("{"));
    const err = new TextDecoder().decode(out.stderr).slice(-400);
    return { json: line ? JSON.parse(line) : null, ms, code: out.code, err };
  } catch (e) {
    return {
      json: { error: String(e) },
      ms: performance.now() - t,
      code: -1,
      err: String(e),
    };
  }
}

async function text(cmd: string[]): Promise<string> {
  try {
    const o = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(o.stdout).trim();
  } catch {
    return "n/a";
  }
}

async function fileExists(p: string) {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

function loadavg(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(
      " ",
    );
  } catch {
    return "n/a";
  }
}

// ---------------------------------------------------------------- models
const started = new Date();
const loadStart = loadavg();
log(`load average at start: ${loadStart}${quick ? " (quick mode)" : ""}`);
let encodeTcnn: ((d: ModelDesc) => Uint8Array) | undefined;
let decodeTcnn: ((b: Uint8Array) => { desc: ModelDesc }) | undefined;
if (await fileExists(`${root}runtime/format/mod.ts`)) {
  const fmt = await import("../runtime/format/mod.ts");
  encodeTcnn = (d) => fmt.encodeModel(d);
  decodeTcnn = (b) => fmt.decodeModel(b);
}
/** `graph`: a DAG model, which ConvNetJS (chains only) cannot run. */
const models: {
  name: string;
  base: string;
  oursModel: string;
  graph?: boolean;
}[] = [];
for (const [name, make] of Object.entries(BENCH_MODELS)) {
  if (only && !only.includes(name)) continue;
  const paths = await exportModel(cache, name, make(), encodeTcnn);
  models.push({
    name,
    base: `${cache}/${name}`,
    oursModel: paths.tcnn ?? name,
  });
}
const edgePath = `${root}weights/fashion-mnist.tcnn`;
if (
  (!only || only.includes("edge")) && decodeTcnn && await fileExists(edgePath)
) {
  try {
    const { desc } = decodeTcnn(await Deno.readFile(edgePath));
    const graph = desc.layers.some((l) => l.inputs !== undefined);
    // a graph model (resnet-s) gets its own row; the edge chain row then runs the same chain with seeded weights
    // the arch may be a file path (weights/…/resnet-s72.arch.json): its base name, without the extension
    const name = graph
      ? String(desc.meta?.arch ?? "graph").split("/").pop()!.replace(/(\.arch)?\.json$/, "")
      : "edge";
    const { manifest, bin } = peerManifest(name, desc);
    await Deno.writeTextFile(`${cache}/${name}.json`, JSON.stringify(manifest));
    await Deno.writeFile(`${cache}/${name}.bin`, new Uint8Array(bin.buffer));
    await Deno.writeFile(`${cache}/${name}.onnx`, encodeOnnx(desc));
    if (graph) {
      const paths = await exportModel(cache, "edge", EDGE_CHAIN(), encodeTcnn);
      models.push({
        name: "edge",
        base: `${cache}/edge`,
        oursModel: paths.tcnn ?? "edge",
      });
    }
    models.push({ name, base: `${cache}/${name}`, oursModel: edgePath, graph });
  } catch (e) {
    log(`edge model skipped: ${e}`);
  }
}

// ---------------------------------------------------------------- inference
const DENO = Deno.execPath();
/** A Deno peer script under bench/peers, run with its own import map (deno_peer.json). */
const DENO_PEER = [DENO, "run", "-A", "--unstable-webgpu", "--config", "peers/deno_peer.json"];
const Q = quick ? ["--quick"] : [];
type Peer = {
  lib: string;
  cmd: (base: string) => string[];
  cwd?: string;
  vs: "cpu" | "wasm" | "webgpu";
};
/** The CPU peers share one Node driver that takes the library name. */
const nodePeer = (lib: string): Peer => ({
  lib,
  // the wasm-SIMD peers are measured against our wasm engine, the others against our TypeScript one
  vs: lib === "tfjs-wasm" || lib === "ort-web" ? "wasm" : "cpu",
  cmd: (b) => ["node", "bench/peers/node_peer.mjs", "--lib", lib, "--model", b],
});
const peers: Peer[] = [
  ...["tfjs-cpu", "tfjs-wasm", "ort-web", "ort-node", "convnetjs"].map(
    nodePeer,
  ),
  {
    lib: "tfjs-webgpu",
    vs: "webgpu",
    cwd: `${root}bench`,
    cmd: (b) => [
      ...DENO_PEER,
      "peers/deno_tfjs_webgpu.mjs",
      "--model",
      b,
    ],
  },
];
// Every (library, model) inference process runs twice and the run with the
// lower batch-1 median is kept, the same for every library: this 2-vCPU VM has
// phases where a fresh process runs ~1.5× slower for its whole life (host
// contention; e.g. small b1 0.28 vs 0.43-0.50 ms in 10 back-to-back runs), and
// one run per library let such a phase land on whichever library ran then.
async function bestOf2(cmd: string[], cwd?: string) {
  const a = await spawn(cmd, cwd);
  const b = await spawn(cmd, cwd);
  const med = (r: typeof a) => r.json?.b1?.median ?? Infinity;
  return med(b) < med(a) ? b : a;
}
const infer: Record<string, Record<string, Json>> = {};
for (const m of models) {
  infer[m.name] = {};
  for (const backend of ["cpu", "wasm", "webgpu", "auto"]) {
    const r = await bestOf2([
      DENO,
      "run",
      "-A",
      "--unstable-webgpu",
      "bench/ours_infer.ts",
      "--backend",
      backend,
      "--model",
      m.oursModel,
      ...Q,
    ]);
    infer[m.name][`ours-${backend}`] = r.json ?? { error: r.err };
    log(`${m.name} ours-${backend}: ${summ(r.json)}`);
  }
  if (skipPeers) continue;
  for (const p of peers) {
    // graphs: the ONNX peers and TF.js (whose builder follows the links); ConvNetJS takes chains only
    if (m.graph && p.lib === "convnetjs") continue;
    const r = await bestOf2([...p.cmd(m.base), ...Q], p.cwd);
    infer[m.name][p.lib] = { ...(r.json ?? { error: r.err }), vs: p.vs };
    log(`${m.name} ${p.lib}: ${summ(r.json)}`);
  }
}
function summ(j: Json | null): string {
  if (!j) return "no output";
  if (j.error) return `ERROR ${String(j.error).split("\n")[0]}`;
  return `b1 ${j.b1?.median?.toFixed(3)} ms, b64 ${j.b64?.img_s?.toFixed(0)} img/s`;
}

// ---------------------------------------------------------------- cold start
async function cold(cmd: string[], reps: number): Promise<Json> {
  const t: number[] = [];
  let last: Json | null = null;
  await spawn(cmd); // warm the OS file cache / Deno's module cache
  for (let i = 0; i < reps; i++) {
    const r = await spawn(cmd);
    if (r.code !== 0) return { error: r.err || JSON.stringify(r.json) };
    last = r.json;
    t.push(r.ms);
  }
  return { ...stats(t), version: last?.version };
}
const coldReps = quick ? 5 : 11;
const coldRes: Record<string, Json> = {};
const coldModel = models.find((m) => m.name === "edge") ??
  models.find((m) => m.name === "lenet")!;
coldRes["deno eval 0"] = await cold([DENO, "eval", "0"], coldReps);
coldRes["node -e 0"] = await cold(["node", "-e", "0"], coldReps);
if (coldModel.oursModel.endsWith(".tcnn")) {
  coldRes["ours-cpu"] = await cold([
    DENO,
    "run",
    "--allow-read",
    "bench/cold/ours_cold.ts",
    coldModel.oursModel,
  ], coldReps);
} else {coldRes["ours-cpu"] = {
    error: "runtime/format/mod.ts not landed: no .tcnn to load",
  };}
if (!skipPeers) {
  for (const lib of ["tfjs-cpu", "convnetjs", "ort-node"]) {
    coldRes[lib] = await cold([
      "node",
      "bench/peers/node_peer.mjs",
      "--lib",
      lib,
      "--model",
      coldModel.base,
      "--once",
    ], coldReps);
  }
}
for (const [k, v] of Object.entries(coldRes)) {
  log(
    `cold ${k}: ${v.error ? "ERROR " + v.error : v.median.toFixed(1) + " ms"}`,
  );
}

// ---------------------------------------------------------------- training
const train: Json[] = [];
if (!skipTrain) {
  for (const backend of ["webgpu", "cpu"]) {
    for (const arch of ["small", "lenet"]) {
      const budget = quick ? "8" : "25";
      const r = await spawn(
        [
          DENO,
          "run",
          "-A",
          "--unstable-webgpu",
          "bench/train_bench.ts",
          "--backend",
          backend,
          "--arch",
          arch,
          "--budget",
          budget,
          "--steps",
          quick ? "3" : "10",
        ],
        root,
        300,
      );
      const j = r.json ?? { lib: `ours-train-${backend}`, arch, error: r.err };
      train.push(j);
      log(
        `train ${backend} ${arch}: ${
          j.error ? "ERROR " + String(j.error).split("\n")[0] : j.samples_s.toFixed(1) + " samples/s"
        }`,
      );
    }
  }
}

// peers' training, `small` only (TensorFlow.js CPU needs ~20 s per batch-64 step here)
const smallBase = `${cache}/small`;
if (!skipTrain && !skipPeers && (!only || only.includes("small"))) {
  const budget = quick ? "6" : "20";
  const jobs: { cmd: string[]; cwd?: string }[] = [
    {
      cmd: [
        "node",
        "bench/peers/train_peer.mjs",
        "--lib",
        "convnetjs",
        "--model",
        smallBase,
        "--budget",
        budget,
      ],
    },
    {
      cmd: [
        ...DENO_PEER,
        "peers/train_peer.mjs",
        "--lib",
        "tfjs-webgpu",
        "--model",
        smallBase,
        "--budget",
        budget,
        "--steps",
        "3",
      ],
      cwd: `${root}bench`,
    },
  ];
  if (!quick) {
    jobs.push({
      cmd: [
        "node",
        "bench/peers/train_peer.mjs",
        "--lib",
        "tfjs-cpu",
        "--model",
        smallBase,
        "--steps",
        "1",
      ],
    });
  }
  if (await fileExists("/usr/lib/python3/dist-packages/torch/__init__.py")) {
    jobs.push({
      cmd: [
        "/usr/bin/python3",
        "bench/peers/torch_train.py",
        "--model",
        smallBase,
        "--budget",
        budget,
      ],
    });
  }
  for (const j of jobs) {
    const r = await spawn(j.cmd, j.cwd, 400);
    const t = r.json ?? { lib: j.cmd[3], arch: "small", error: r.err };
    train.push(t);
    log(
      `train ${t.lib} small: ${
        t.error ? "ERROR " + String(t.error).split("\n")[0] : t.samples_s.toFixed(1) + " samples/s"
      }`,
    );
  }
}

// ---------------------------------------------------------------- matmul ceilings
const mmCpu = (await spawn([DENO, "run", "bench/matmul_cpu.ts", ...Q])).json ??
  {};
const mmGpu = (await spawn([
  DENO,
  "run",
  "-A",
  "--unstable-webgpu",
  "bench/matmul_gpu.ts",
  ...Q,
])).json ?? {};

// ---------------------------------------------------------------- report
const f = (
  v: number | undefined,
  d = 2,
) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d));
const lines: string[] = [];
const cpuModel = (await fileExists("/proc/cpuinfo"))
  ? (Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)
    ?.[1] ?? "n/a")
  : "n/a";
const loadEnd = loadavg();
const nodeV = await text(["node", "--version"]);
const peerVersions = new Set<string>();
for (const m of Object.values(infer)) {
  for (const [lib, j] of Object.entries(m)) {
    if (j.version) peerVersions.add(`${lib} ${j.version}`);
  }
}
lines.push(`# tinycnn benchmark results`, ``);
lines.push(`- date: ${started.toISOString()}${quick ? " (--quick)" : ""}`);
lines.push(
  `- machine: ${navigator.hardwareConcurrency} cores, ${cpuModel}; load average at start ${loadStart}, at end ${loadEnd}`,
);
lines.push(
  `- WebGPU: ${mmGpu.adapter ?? "n/a"} via DENO_WEBGPU_BACKEND=${env.DENO_WEBGPU_BACKEND}`,
);
lines.push(
  `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), Node ${nodeV}; peers: ${
    [...peerVersions].sort().join(", ")
  }`,
);
lines.push(
  `- all libraries single-threaded (ORT intra/inter-op threads = 1, wasm threads = 1); ours = public API \`loadModel → predict\``,
  `- each inference process runs twice per (library, model); the run with the lower batch-1 median is kept (every library alike)`,
);
lines.push(
  `- batch-1: median / p90 of individually timed calls (incl. readback); batch-64: median of timed calls`,
);
lines.push(
  `- ratios are **ours / peer**: for latency < 1 means ours is faster; for throughput > 1 means ours is faster`,
);
lines.push(``, `## Inference`, ``);
lines.push(
  `| model | library | b1 median ms | b1 p90 ms | b64 img/s | latency ours/peer | throughput ours/peer | max abs diff vs ours-cpu |`,
);
lines.push(`|---|---|---:|---:|---:|---:|---:|---:|`);
for (const [name, libs] of Object.entries(infer)) {
  const ref = libs["ours-cpu"];
  for (const [lib, j] of Object.entries(libs)) {
    if (j.error) {
      lines.push(
        `| ${name} | ${lib} | error: ${String(j.error).split("\n")[0].slice(0, 80)} | | | | | |`,
      );
      continue;
    }
    const ours = lib.startsWith("ours") ? null : libs[`ours-${j.vs}`];
    const lat = ours && !ours.error ? f(ours.b1.median / j.b1.median, 3) : "";
    const thr = ours && !ours.error ? f(ours.b64.img_s / j.b64.img_s, 3) : "";
    let diff = "";
    if (ref?.out && j.out) {
      diff = Math.max(
        ...j.out.map((v: number, i: number) => Math.abs(v - ref.out[i])),
      ).toExponential(1);
    }
    lines.push(
      `| ${name} | ${lib}${ours ? ` (vs ours-${j.vs})` : ""} | ${f(j.b1.median, 3)} | ${f(j.b1.p90, 3)} | ${
        f(j.b64.img_s, 0)
      } | ${lat} | ${thr} | ${diff} |`,
    );
  }
}
lines.push(
  ``,
  `## Cold start (fresh process: import + load ${coldModel.name} + one inference; median of ${coldReps})`,
  ``,
);
lines.push(
  `| process | median ms | p90 ms | over bare runtime ms |`,
  `|---|---:|---:|---:|`,
);
for (const [k, v] of Object.entries(coldRes)) {
  if (v.error) {
    lines.push(
      `| ${k} | error: ${String(v.error).split("\n")[0].slice(0, 80)} | | |`,
    );
    continue;
  }
  const bare = k === "ours-cpu" || k === "deno eval 0" ? coldRes["deno eval 0"] : coldRes["node -e 0"];
  lines.push(
    `| ${k} | ${f(v.median, 1)} | ${f(v.p90, 1)} | ${f(v.median - bare.median, 1)} |`,
  );
}
if (train.length) {
  lines.push(
    ``,
    `## Training (seeded random 28×28 data, batch 64; epoch = 60,000 samples extrapolated from timed steps)`,
    ``,
  );
  lines.push(
    `ours: Adam; TensorFlow.js: Adam; ConvNetJS: SGD+momentum (its per-sample trainer); PyTorch: Adam, 2 threads.`,
  );
  lines.push(`Ratios: ours samples/s ÷ peer samples/s (> 1: ours faster).`, ``);
  lines.push(
    `| library | arch | samples/s | s per epoch | step ms median | steps timed | ours-webgpu / peer | ours-cpu / peer |`,
    `|---|---|---:|---:|---:|---:|---:|---:|`,
  );
  const oursT = (b: string, arch: string) =>
    train.find((t) => t.lib === `ours-train-${b}` && t.arch === arch && !t.error);
  for (const t of train) {
    if (t.error) {
      lines.push(
        `| ${t.lib} | ${t.arch} | error: ${String(t.error).split("\n")[0].slice(0, 90)} | | | | | |`,
      );
      continue;
    }
    const peer = !String(t.lib).startsWith("ours");
    const g = peer ? oursT("webgpu", t.arch) : undefined;
    const c = peer ? oursT("cpu", t.arch) : undefined;
    const rg = g ? f(g.samples_s / t.samples_s, 3) : "";
    const rc = c ? f(c.samples_s / t.samples_s, 3) : "";
    lines.push(
      `| ${t.lib} | ${t.arch} | ${f(t.samples_s, 1)} | ${f(t.epoch_s, 0)} | ${
        f(t.step_ms.median, 1)
      } | ${t.step_ms.n} | ${rg} | ${rc} |`,
    );
  }
}
lines.push(``, `## Matmul ceilings (GFLOP/s)`, ``);
for (const [k, v] of Object.entries(mmCpu.gflops ?? {})) {
  lines.push(`- TS one core ${k}: ${f(v as number)}`);
}
for (const [k, v] of Object.entries(mmGpu.gflops ?? {})) {
  lines.push(
    `- WGSL ${k}: ${f((v as Json).gflops)} (max abs err ${f((v as Json).maxErr, 6)})`,
  );
}
if (mmGpu.roundtrip_ms !== undefined) {
  lines.push(
    `- WebGPU floor per call (write 40 B, 1 trivial dispatch, copy, mapAsync): ${
      f(mmGpu.roundtrip_ms, 3)
    } ms`,
  );
}
if (mmGpu.idle_map_ms !== undefined) {
  lines.push(
    `- WebGPU mapAsync alone, no GPU work pending (the runtime's own wait): ${f(mmGpu.idle_map_ms, 3)} ms`,
  );
}
if (mmGpu.error) lines.push(`- WGSL: error ${mmGpu.error}`);
const lenetMacs = 2293000; // 2.29 M MAC/image = 4.6 MFLOP
const lo = infer.lenet?.["ours-cpu"];
if (lo && !lo.error) {
  lines.push(
    `- ours-cpu lenet: ${f((2 * lenetMacs) / (lo.b1.median * 1e6))} GFLOP/s at batch 1, ${
      f((2 * lenetMacs * lo.b64.img_s) / 1e9)
    } GFLOP/s at batch 64, counted as direct convolution (4.6 MFLOP/image); Winograd F(2×2,5×5) does ~2.8× fewer multiplies in conv2, so this can exceed the matmul ceiling`,
  );
}
const md = lines.join("\n") + "\n";
console.log(md);
await Deno.writeTextFile(outPath, md);
// aligned tables, and `deno fmt --check` (CI) stays clean after a bench run
await spawn([
  Deno.execPath(),
  "fmt",
  "--quiet",
  "--config",
  `${root}deno.json`,
  outPath,
]);
log(`wrote ${outPath}`);
