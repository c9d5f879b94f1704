// Inference latency of the CDN bundle inside headless Chromium (Debian
// /usr/bin/chromium via npm playwright-core, WebGPU on SwiftShader), for the
// bench models lenet / small: batch-1 median / p90 and batch-64 img/s, on the
// page's WebGPU and CPU backends. Why: in Deno every WebGPU readback waits at
// least one 10 ms poll sleep (mapAsync in ext/webgpu/buffer.rs), so Deno
// batch-1 numbers measure that floor; a browser has no such sleep, so this
// shows what the same kernels cost per call where the runtime allows it.
// Also prints the browser's own floor: write + 1 trivial dispatch + copy + map
// (gpuRoundTripMs from matmul_gpu.ts, the probe the Deno bench uses).
// Usage: deno run -A bench/browser_infer.ts [--reps 200]
// Invariants: 127.0.0.1 only; browser and server always closed; nothing
// asserted; prints one JSON line per (model, backend) and a small table.

import { launchChromium } from "../tests/helpers/chromium.ts";
import { buildBundle } from "../examples/build_bundle.ts";
import { encodeModel } from "../runtime/format/encode.ts";
import { BENCH_MODELS } from "./models.ts";
import { gpuRoundTripMs, medianMs } from "./matmul_gpu.ts";

const i = Deno.args.indexOf("--reps");
const REPS = i >= 0 ? Math.max(20, Number(Deno.args[i + 1])) : 200;

const dir = await Deno.makeTempDir({ prefix: "tinycnn-bbench-" });
await buildBundle(dir);
const models: Record<string, Uint8Array> = {};
for (const name of ["lenet", "small"]) {
  models[name] = encodeModel(BENCH_MODELS[name]());
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>tinycnn browser bench</title>`;
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/") {
      return new Response(PAGE, {
        headers: { "content-type": "text/html" },
      });
    }
    if (path === "/tinycnn.min.js") {
      return new Response(await Deno.readFile(`${dir}/tinycnn.min.js`), {
        headers: { "content-type": "text/javascript" },
      });
    }
    const m = /^\/(\w+)\.tcnn$/.exec(path);
    if (m && models[m[1]]) {
      return new Response(
        models[m[1]] as Uint8Array<ArrayBuffer>,
      );
    }
    return new Response("not found", { status: 404 });
  },
);

// page code as a string: this file is type-checked without the DOM lib
const measure = (model: string, backend: string) =>
  `(async () => {
  const { loadModel } = await import("/tinycnn.min.js");
  const bytes = new Uint8Array(await (await fetch("/${model}.tcnn")).arrayBuffer());
  const m = await loadModel(bytes, { backend: "${backend}" });
  const per = m.inputShape.reduce((a, b) => a * b, 1);
  const x1 = new Float32Array(per).map((_, i) => (i % 29) / 29);
  const x64 = new Float32Array(64 * per).map((_, i) => (i % 31) / 31);
  for (let i = 0; i < 10; i++) await m.predict(x1, { batch: 1 });
  const t = [];
  for (let i = 0; i < ${REPS}; i++) {
    const a = performance.now();
    await m.predict(x1, { batch: 1 });
    t.push(performance.now() - a);
  }
  t.sort((a, b) => a - b);
  await m.predict(x64, { batch: 64 });
  const tb = [];
  for (let i = 0; i < 10; i++) {
    const a = performance.now();
    await m.predict(x64, { batch: 64 });
    tb.push(performance.now() - a);
  }
  tb.sort((a, b) => a - b);
  const live = m.backend;
  m.dispose();
  return { live, b1: { median: t[t.length >> 1], p90: t[Math.floor(t.length * 0.9)] },
    b64_img_s: 64000 / tb[tb.length >> 1] };
})()`;

// the same floor probe as the Deno bench (matmul_gpu.ts), run in the page
// (with the timing helper it calls)
const floor = `(async () => {
  const medianMs = ${medianMs.toString()};
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return null;
  const device = await adapter.requestDevice();
  const ms = await (${gpuRoundTripMs.toString()})(device, 50);
  device.destroy();
  return ms;
})()`;

const browser = await launchChromium({ webgpu: true });
const ctx = browser.ctx;
const rows: string[] = [];
try {
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${server.addr.port}/`);
  const floorMs = await page.evaluate(floor) as number | null;
  console.log(
    JSON.stringify({ lib: "chromium-webgpu-floor", median_ms: floorMs }),
  );
  for (const model of Object.keys(models)) {
    for (const backend of ["webgpu", "cpu"]) {
      const r = await page.evaluate(measure(model, backend)) as {
        live: string;
        b1: { median: number; p90: number };
        b64_img_s: number;
      };
      console.log(
        JSON.stringify({ lib: `ours-${backend}-chromium`, model, ...r }),
      );
      rows.push(
        `| ${model} | ${r.live} | ${r.b1.median.toFixed(3)} | ${r.b1.p90.toFixed(3)} | ${
          r.b64_img_s.toFixed(0)
        } |`,
      );
    }
  }
  console.log(
    `\nChromium ${ctx.browser()?.version() ?? ""}; WebGPU floor per call ${floorMs?.toFixed(3)} ms`,
  );
  console.log(
    "| model | backend | b1 median ms | b1 p90 ms | b64 img/s |\n|---|---|---:|---:|---:|",
  );
  console.log(rows.join("\n"));
} finally {
  await browser.close();
  await server.shutdown();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
