// Load test of the edge handler in both real runtimes: `deno serve` and
// workerd (esbuild bundle, model as a data binding), on 127.0.0.1 only.
// Bounded by request count AND wall time per runtime; C concurrent clients
// POST Fashion-MNIST test PNGs to /v1/classify; reports req/s and p50/p99
// latency; exits non-zero if any request failed (non-200 or network error).
// Usage: deno run -A bench/loadtest.ts [--requests 2000] [--seconds 20]
//          [--concurrency 8] [--model weights/fashion-mnist.tcnn] [--only deno|workerd]
//          [--deno-backend cpu|auto|webgpu]   (default cpu, as on Deno Deploy; workerd is always cpu)
// Without a trained model file it uses the deterministic test fixture (said so).

import workerdPkg from "workerd";
import { buildWorker } from "../examples/edge/build_worker.ts";
import { fixtureModelBytes } from "../tests/helpers/fixture_model.ts";
import { fashionTestImages } from "../tests/helpers/fashion.ts";
import { freePort, type Server, startServer } from "../tests/helpers/procs.ts";

const WORKERD = (workerdPkg as unknown as { default?: string }).default ??
  (workerdPkg as unknown as string);

function flag(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] ? Deno.args[i + 1] : def;
}

function posInt(name: string, def: number): number {
  const v = Number(flag(name, String(def)));
  if (!Number.isInteger(v) || v <= 0) {
    throw new RangeError(`--${name} must be a positive integer, got ${v}`);
  }
  return v;
}

const REQUESTS = posInt("requests", 2000);
const SECONDS = posInt("seconds", 20);
const CONCURRENCY = posInt("concurrency", 8);
const ONLY = flag("only", "");
const DENO_BACKEND = flag("deno-backend", "cpu");
const DEFAULT_MODEL = new URL("../weights/fashion-mnist.tcnn", import.meta.url).pathname;

interface Result {
  runtime: string;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  firstError?: string;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function hammer(
  name: string,
  base: string,
  pngs: Uint8Array[],
): Promise<Result> {
  const health = await (await fetch(base + "/healthz")).json();
  const runtime = `${name} (${health.backend})`;
  const url = base + "/v1/classify";
  const send = async (i: number) => {
    const r = await fetch(url, {
      method: "POST",
      body: pngs[i % pngs.length] as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "image/png" },
    });
    const body = await r.text();
    if (r.status !== 200) {
      throw new Error(`HTTP ${r.status}: ${body.slice(0, 200)}`);
    }
  };
  for (let i = 0; i < 20; i++) await send(i); // warm-up: model load, JIT
  const lat: number[] = [];
  let next = 0, failed = 0, firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const worker = async () => {
    while (next < REQUESTS && performance.now() < deadline) {
      const i = next++;
      const s = performance.now();
      try {
        await send(i);
        lat.push(performance.now() - s);
      } catch (e) {
        failed++;
        firstError ??= String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    runtime,
    ok: lat.length,
    failed,
    seconds,
    rps: lat.length / seconds,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    firstError,
  };
}

async function main(): Promise<void> {
  const modelPath = flag("model", DEFAULT_MODEL);
  let model: Uint8Array;
  let modelName = modelPath;
  try {
    model = await Deno.readFile(modelPath);
  } catch {
    if (Deno.args.includes("--model")) {
      throw new Error(`cannot read --model ${modelPath}`);
    }
    model = fixtureModelBytes();
    modelName = "test fixture (no weights/fashion-mnist.tcnn yet)";
  }
  const pngs = (await fashionTestImages(64)).map((im) => im.png);
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-loadtest-" });
  console.log(
    `model: ${modelName} (${model.length} bytes); ${REQUESTS} requests or ${SECONDS} s per runtime, ` +
      `concurrency ${CONCURRENCY}, 28×28 PNG bodies, 127.0.0.1`,
  );
  const results: Result[] = [];
  let server: Server | null = null;
  try {
    await Deno.writeFile(`${dir}/model.tcnn`, model);
    if (ONLY !== "workerd") {
      const port = freePort();
      server = await startServer(
        Deno.execPath(),
        [
          "serve",
          "--quiet",
          "-A",
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          new URL("../examples/edge/handler.ts", import.meta.url).pathname,
        ],
        port,
        {
          env: {
            TINYCNN_MODEL: `${dir}/model.tcnn`,
            TINYCNN_BACKEND: DENO_BACKEND,
            NO_COLOR: "1",
          },
          probe: "/healthz",
        },
      );
      results.push(await hammer("deno serve", server.url, pngs));
      await server.stop();
      server = null;
    }
    if (ONLY !== "deno") {
      await buildWorker(model, `${dir}/worker`);
      const port = freePort();
      server = await startServer(
        WORKERD,
        [
          "serve",
          `${dir}/worker/config.capnp`,
          "--socket-addr",
          `http=127.0.0.1:${port}`,
        ],
        port,
        { probe: "/healthz" },
      );
      results.push(await hammer("workerd", server.url, pngs));
      await server.stop();
      server = null;
    }
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    "runtime                requests  failed  seconds    req/s   p50 ms   p99 ms",
  );
  for (const r of results) {
    console.log(
      `${r.runtime.padEnd(22)} ${String(r.ok).padStart(8)} ${String(r.failed).padStart(7)} ${
        r.seconds.toFixed(1).padStart(8)
      } ${r.rps.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}`,
    );
  }
  const bad = results.filter((r) => r.failed > 0);
  if (bad.length > 0) {
    throw new Error(
      `requests failed: ${bad.map((r) => `${r.runtime}: ${r.failed} (${r.firstError})`).join("; ")}`,
    );
  }
}

if (import.meta.main) await main();
