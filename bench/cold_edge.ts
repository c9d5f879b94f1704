// First-request cost where edge platforms bill it: the CPU time (all threads,
// Linux /proc/PID/task/*/schedstat) and wall time a fresh server process spends answering its
// first classify request — with the model loaded and warmed when the isolate
// started (examples/edge/warm.ts) — next to the same for a bare handler that
// answers "ok", in workerd (the CPU-only Workers build) and `deno serve`; and
// the CPU the process spent from its start until it served (the isolate's
// start, where the warm-up runs: Workers limit it to 1 s, apart from the
// requests' CPU). Workers' free plan allows 10 ms of CPU per request.
// 127.0.0.1 only; each runtime is started `--runs` times (default 5) and the
// medians are reported.
// Usage: deno run -A bench/cold_edge.ts [--runs 5]

import { buildWorker } from "../examples/edge/build_worker.ts";
import { fashionTestImages } from "../tests/helpers/fashion.ts";
import { type Server, startDenoServe, startWorkerd } from "../tests/helpers/procs.ts";

const RUNS = Number(Deno.args[Deno.args.indexOf("--runs") + 1] ?? 5) || 5;
const MODEL = new URL("../weights/fashion-mnist.tcnn", import.meta.url);
/** CPU ms of each thread of the process (ns resolution: /proc/PID/task/TID/schedstat, first field). */
async function threadCpuMs(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const f = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/schedstat`)
      .catch(() => "0");
    out.set(t.name, Number(f.split(" ")[0]) / 1e6);
  }
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** The first request's body and content type: the PNG, or its pixels raw (no PNG decoder on the path). */
interface FirstRequest {
  body: Uint8Array;
  headers: Record<string, string>;
}

async function measure(
  start: () => Promise<Server>,
  req: FirstRequest,
) {
  const cpu: number[] = [],
    wall: number[] = [],
    startCpu: number[] = [],
    busiest: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await start();
    try {
      await new Promise((res) => setTimeout(res, 50)); // let start-up work settle
      const c0 = await threadCpuMs(s.pid), t0 = performance.now();
      startCpu.push(sum(c0));
      const r = await fetch(`${s.url}/v1/classify`, {
        method: "POST",
        body: req.body as Uint8Array<ArrayBuffer>,
        headers: req.headers,
      });
      await r.body?.cancel();
      wall.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, 50)); // let the threads finish their share
      const c1 = await threadCpuMs(s.pid);
      cpu.push(sum(c1) - sum(c0));
      // the busiest thread's share: the request's JavaScript ran on one thread; the sum also holds V8's
      // background compiler and GC and the I/O threads
      busiest.push(
        Math.max(...[...c1].map(([t, ms]) => ms - (c0.get(t) ?? 0))),
      );
    } finally {
      await s.stop();
    }
  }
  return {
    cpuMs: median(cpu),
    busiestMs: median(busiest),
    wallMs: median(wall),
    startCpuMs: median(startCpu),
  };
}

const [im] = await fashionTestImages(1);
const png: FirstRequest = { body: im.png, headers: { "content-type": "image/png" } };
const raw: FirstRequest = {
  body: im.pixels,
  headers: {
    "content-type": "application/octet-stream",
    "x-width": "28",
    "x-height": "28",
    "x-channels": "1",
  },
};
const dir = await Deno.makeTempDir({ prefix: "tinycnn-cold-edge-" });
try {
  await buildWorker(await Deno.readFile(MODEL), `${dir}/worker`);
  // a bare worker that answers every request with "ok"
  await Deno.mkdir(`${dir}/bare`);
  await Deno.writeTextFile(
    `${dir}/bare/worker.js`,
    'export default { fetch() { return new Response("ok"); } };\n',
  );
  await Deno.writeTextFile(`${dir}/bare/model.tcnn`, "");
  await Deno.copyFile(`${dir}/worker/config.capnp`, `${dir}/bare/config.capnp`);
  await Deno.writeTextFile(
    `${dir}/bare.ts`,
    'export default { fetch: () => new Response("ok") };\n',
  );
  const workerd = (cfg: string) => () => startWorkerd(cfg, { probe: "/nothing" });
  const deno = (file: string) => () =>
    startDenoServe(file, {
      env: { TINYCNN_MODEL: MODEL.pathname, TINYCNN_BACKEND: "cpu" },
      probe: "/nothing",
    });
  const handler = new URL("../examples/edge/handler.ts", import.meta.url).pathname;
  const rows: [
    string,
    { cpuMs: number; busiestMs: number; wallMs: number; startCpuMs: number },
  ][] = [
    [
      "workerd: tinycnn worker",
      await measure(workerd(`${dir}/worker/config.capnp`), png),
    ],
    [
      "workerd: tinycnn, raw pixels",
      await measure(workerd(`${dir}/worker/config.capnp`), raw),
    ],
    [
      "workerd: bare worker",
      await measure(workerd(`${dir}/bare/config.capnp`), png),
    ],
    ["deno serve: tinycnn handler", await measure(deno(handler), png)],
    ["deno serve: bare handler", await measure(deno(`${dir}/bare.ts`), png)],
  ];
  console.log(
    `first request after a fresh start, medians of ${RUNS} (CPU: all threads, /proc schedstat):`,
  );
  for (const [name, r] of rows) {
    console.log(
      `  ${name.padEnd(30)} first request: CPU ${r.cpuMs.toFixed(1)} ms (busiest thread ${
        r.busiestMs.toFixed(1)
      }), wall ${r.wallMs.toFixed(1)} ms; ` +
        `process start to ready: CPU ${r.startCpuMs.toFixed(0)} ms`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
