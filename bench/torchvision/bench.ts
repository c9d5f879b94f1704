// Real architectures through `deno task convert`: torchvision squeezenet1_1,
// mobilenet_v2 and resnet18 (random weights, exported by export.py into
// bench/.cache/torchvision/) are converted to .tcnn, checked against
// PyTorch's output on the CPU and WebGPU (f32, and int8 as shipped), and
// timed at batch 1 against onnxruntime-node (CPU, 1 thread) and
// onnxruntime-web (wasm, 1 thread) on the same ONNX file, in the same run.
// Prints a markdown table (bench/torchvision.md holds the last one).
// Usage: /usr/bin/python3 bench/torchvision/export.py &&
//        deno run -A --unstable-webgpu bench/torchvision/bench.ts [--reps N]

import { onnxBytesToModel } from "../../train/convert/from_onnx.ts";
import { encodeModel, loadModel } from "../../mod.ts";

const DIR = new URL("../.cache/torchvision/", import.meta.url);
const repsAt = Deno.args.indexOf("--reps");
const REPS = repsAt >= 0 ? Number(Deno.args[repsAt + 1]) : 5;
const NAMES = ["squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small", "resnet18"];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function time(f: () => Promise<unknown>): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t = performance.now();
    await f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

function relErr(got: Float32Array, want: Float32Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < got.length; i++) {
    (d = Math.max(d, Math.abs(got[i] - want[i])), s = Math.max(s, Math.abs(want[i])));
  }
  return d / s; // max |Δ| relative to the largest |output|
}

/** ORT-node and ORT-web (wasm) batch-1 latency of an ONNX file, from a Node child process. */
async function ortTimes(
  file: string,
  input: string,
): Promise<{ node: number; web: number; version: string }> {
  const nm = new URL("../node_modules/", import.meta.url).pathname;
  const script = `
    const fs = require("fs");
    (async () => {
      const b = fs.readFileSync(${JSON.stringify(input)});
      const x = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
      const out = {};
      for (const lib of ["onnxruntime-node", "onnxruntime-web"]) {
        const ort = lib === "onnxruntime-node" ? require(${JSON.stringify(nm)} + lib) : await import(${
    JSON.stringify(nm)
  } + "onnxruntime-web/dist/ort.node.min.mjs");
        if (lib === "onnxruntime-web") { ort.env.wasm.numThreads = 1; }
        const s = await ort.InferenceSession.create(${JSON.stringify(file)}, {
          executionProviders: [lib === "onnxruntime-node" ? "cpu" : "wasm"], intraOpNumThreads: 1, interOpNumThreads: 1,
        });
        const feed = { input: new ort.Tensor("float32", x, [1, 3, 224, 224]) };
        await s.run(feed);
        const ts = [];
        for (let k = 0; k < ${REPS}; k++) { const t = performance.now(); await s.run(feed); ts.push(performance.now() - t); }
        ts.sort((a, b) => a - b);
        out[lib] = ts[ts.length >> 1];
      }
      out.version = require(${JSON.stringify(nm)} + "onnxruntime-node/package.json").version;
      console.log(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const p = await new Deno.Command("node", {
    args: ["-e", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!p.success) throw new Error(new TextDecoder().decode(p.stderr));
  const r = JSON.parse(new TextDecoder().decode(p.stdout));
  return {
    node: r["onnxruntime-node"],
    web: r["onnxruntime-web"],
    version: r.version,
  };
}

const rows = [
  "| model | layers (ops) | params | .tcnn f32 / int8 | max rel. error vs PyTorch: CPU / WebGPU / int8 CPU | tinycnn CPU ms | tinycnn WebGPU ms | ORT-node ms | ORT-web wasm ms |",
  "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
];
let ortVersion = "";
for (const name of NAMES) {
  const onnxFile = new URL(`${name}.onnx`, DIR).pathname,
    inFile = new URL(`${name}.input.bin`, DIR).pathname;
  const desc = onnxBytesToModel(await Deno.readFile(onnxFile));
  const x = new Float32Array((await Deno.readFile(inFile)).buffer);
  const want = new Float32Array(
    (await Deno.readFile(new URL(`${name}.output.bin`, DIR))).buffer,
  );
  const f32 = encodeModel(desc), i8 = encodeModel(desc, { dtype: "int8" });
  const cpu = await loadModel(f32, { backend: "cpu" });
  const gpu = await loadModel(f32, { backend: "webgpu" }).catch(() => null);
  const q = await loadModel(i8, { backend: "cpu" });
  const eCpu = relErr(await cpu.predict(x), want);
  const eGpu = gpu ? relErr(await gpu.predict(x), want) : NaN;
  const eI8 = relErr(await q.predict(x), want);
  const tCpu = await time(() => cpu.predict(x));
  const tGpu = gpu ? await time(() => gpu.predict(x)) : NaN;
  const ort = await ortTimes(onnxFile, inFile);
  ortVersion = ort.version;
  const s = cpu.summary();
  const ops = [...new Set(desc.layers.map((l) => l.type))].join(", ");
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  rows.push(
    `| ${name} | ${desc.layers.length} (${ops}) | ${s.totalParams.toLocaleString("en")} | ${
      mb(f32.length)
    } / ${mb(i8.length)} | ${eCpu.toExponential(1)} / ${eGpu.toExponential(1)} / ${eI8.toExponential(1)} | ${
      tCpu.toFixed(0)
    } | ${tGpu.toFixed(0)} | ${ort.node.toFixed(0)} | ${ort.web.toFixed(0)} |`,
  );
  cpu.dispose();
  gpu?.dispose();
  q.dispose();
}
console.log(
  `batch 1, 3×224×224, median of ${REPS} after a warm-up; onnxruntime ${ortVersion} (1 thread)\n`,
);
console.log(rows.join("\n"));
