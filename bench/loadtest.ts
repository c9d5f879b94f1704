// Load test of the edge handler in both real runtimes: `deno serve` and
// workerd (esbuild bundle, model as a data binding), on 127.0.0.1 only.
// Bounded by request count AND wall time per runtime; C concurrent clients
// POST Fashion-MNIST test PNGs to /v1/classify; reports req/s and p50/p99
// latency; exits non-zero if any request failed (non-200 or network error).
// --hostile P mixes P% hostile requests in (PNG bomb → 422, 1×16M PNG → 413,
// corrupt PNG → 422, topK=abc → 400), each of which must get exactly that
// status; the server's RSS is reported before and after (Linux /proc).
// Usage: deno run -A bench/loadtest.ts [--requests 2000] [--seconds 20]
//          [--concurrency 8] [--hostile 10] [--model weights/fashion-mnist.tcnn] [--only deno|workerd]
//          [--deno-backend cpu|auto|webgpu]   (default cpu, as on Deno Deploy; workerd is always cpu)
// Without a trained model file it uses the deterministic test fixture (said so).

import { buildWorker } from "../examples/edge/build_worker.ts";
import { fixtureModelBytes } from "../tests/helpers/fixture_model.ts";
import { fashionTestImages } from "../tests/helpers/fashion.ts";
import { type Server, startDenoServe, startWorkerd } from "../tests/helpers/procs.ts";
import { procMemory, zeroPng } from "../tests/helpers/attack_payloads.ts";

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
const HOSTILE = Number(flag("hostile", "10"));
if (!(HOSTILE >= 0 && HOSTILE <= 100)) {
  throw new RangeError(`--hostile must be a percentage 0..100, got ${HOSTILE}`);
}

/** A hostile request and the one status it must get. */
interface Hostile {
  name: string;
  body: Uint8Array;
  query: string;
  status: number;
}
const DEFAULT_MODEL = new URL("../weights/fashion-mnist.tcnn", import.meta.url).pathname;

interface Result {
  runtime: string;
  ok: number;
  /** hostile requests answered with their expected status */
  refused: number;
  failed: number;
  rssMiB: [number, number] | null;
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
  server: Server,
  pngs: Uint8Array[],
  hostile: Hostile[],
): Promise<Result> {
  const base = server.url;
  const health = await (await fetch(base + "/healthz")).json();
  const runtime = `${name} (${health.backend})`;
  const url = base + "/v1/classify";
  // request i is hostile when it falls in the first HOSTILE% of each block of 100
  const isHostile = (i: number) => hostile.length > 0 && (i % 100) < HOSTILE;
  const send = async (i: number): Promise<boolean> => {
    const h = isHostile(i) ? hostile[Math.floor(i / 100 + (i % 100)) % hostile.length] : null;
    const r = await fetch(url + (h?.query ?? ""), {
      method: "POST",
      body: (h?.body ?? pngs[i % pngs.length]) as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "image/png" },
    });
    const body = await r.text();
    const want = h?.status ?? 200;
    if (r.status !== want) {
      throw new Error(
        `${h ? h.name : "PNG"}: HTTP ${r.status}, expected ${want}: ${body.slice(0, 200)}`,
      );
    }
    return h !== null;
  };
  for (let i = 0; i < 20; i++) await send(100 * i + 99); // warm-up (benign): model load, JIT
  const rss0 = await procMemory(server.pid);
  const lat: number[] = [];
  let next = 0, failed = 0, refused = 0, firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const worker = async () => {
    while (next < REQUESTS && performance.now() < deadline) {
      const i = next++;
      const s = performance.now();
      try {
        if (await send(i)) refused++;
        else lat.push(performance.now() - s);
      } catch (e) {
        failed++;
        firstError ??= String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const rss1 = await procMemory(server.pid);
  lat.sort((a, b) => a - b);
  return {
    runtime,
    ok: lat.length,
    refused,
    failed,
    rssMiB: rss0 && rss1 ? [rss0.rss / 2 ** 20, rss1.rss / 2 ** 20] : null,
    seconds,
    rps: (lat.length + refused) / seconds,
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
  const corrupt = pngs[0].slice(0, pngs[0].length - 30);
  const hostile: Hostile[] = HOSTILE > 0
    ? [
      {
        name: "PNG bomb",
        body: await zeroPng(4096, 4096, 960),
        query: "",
        status: 422,
      },
      {
        name: "1×16M PNG",
        body: await zeroPng(1, 16_777_216, 1),
        query: "",
        status: 413,
      },
      { name: "corrupt PNG", body: corrupt, query: "", status: 422 },
      { name: "topK=abc", body: pngs[1], query: "?topK=abc", status: 400 },
    ]
    : [];
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-loadtest-" });
  console.log(
    `model: ${modelName} (${model.length} bytes); ${REQUESTS} requests or ${SECONDS} s per runtime, ` +
      `concurrency ${CONCURRENCY}, 28×28 PNG bodies, ${HOSTILE}% hostile (${
        hostile.map((h) => h.name).join(", ") || "none"
      }), 127.0.0.1`,
  );
  const results: Result[] = [];
  let server: Server | null = null;
  try {
    await Deno.writeFile(`${dir}/model.tcnn`, model);
    if (ONLY !== "workerd") {
      server = await startDenoServe(new URL("../examples/edge/handler.ts", import.meta.url).pathname, {
        env: { TINYCNN_MODEL: `${dir}/model.tcnn`, TINYCNN_BACKEND: DENO_BACKEND },
        probe: "/healthz",
      });
      results.push(await hammer("deno serve", server, pngs, hostile));
      await server.stop();
      server = null;
    }
    if (ONLY !== "deno") {
      await buildWorker(model, `${dir}/worker`);
      server = await startWorkerd(`${dir}/worker/config.capnp`, { probe: "/healthz" });
      results.push(await hammer("workerd", server, pngs, hostile));
      await server.stop();
      server = null;
    }
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    "runtime                 benign  hostile  failed  seconds    req/s   p50 ms   p99 ms   RSS MiB before → after",
  );
  for (const r of results) {
    const rss = r.rssMiB ? `${r.rssMiB[0].toFixed(0)} → ${r.rssMiB[1].toFixed(0)}` : "n/a";
    console.log(
      `${r.runtime.padEnd(22)} ${String(r.ok).padStart(7)} ${String(r.refused).padStart(8)} ${
        String(r.failed).padStart(7)
      } ${r.seconds.toFixed(1).padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${
        r.p99.toFixed(2).padStart(8)
      }   ${rss}`,
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
