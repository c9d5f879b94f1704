// Cold-start profile (issue 5 target: import + load + first CPU inference ≤
// bare `deno eval 0` + 15 ms). For each variant it spawns ≥ 11 fresh
// `deno run bench/cold/probe.ts` processes, interleaved round-robin with bare
// `deno eval 0` runs so load drift hits all alike, and prints medians of: bare
// process wall time, probe wall time, the probe's in-process phases (boot,
// import, read, decode, setup, first inference) and total − bare.
// Variants: lenet f32 (bench/models.ts, 1.7 MB, the worst case), an edge-like
// int8 model (~100 KB: conv3×3 16/32/64 same + ReLU + maxpool2 ×3, dense
// 576→120→10) made with encodeModel, and weights/fashion-mnist.tcnn when present.
// Usage: deno run -A bench/cold_profile.ts [--reps 11] [--only lenet-f32,edge-int8]
//   [--json out.json] [--base DIR]
// --base DIR: also run DIR/bench/cold/probe.ts (an older checkout, e.g. from
// `git archive`, with this probe copied in), interleaved with ours, for a
// back-to-back before/after table (rows "base:<variant>").
// Last, bench/cold/jit_floor.ts: the same arithmetic cold with no library.
// Invariant: medians only, nothing asserted; the load average is printed with
// the table because this machine is shared.

import { BENCH_MODELS, makeModel } from "./models.ts";
import { encodeModel } from "../runtime/format/encode.ts";
import { EDGE_LAYERS } from "./cold/edge_model.ts";

const argv = Deno.args;
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const reps = Math.max(11, Number(flag("--reps") ?? 11));
const only = flag("--only")?.split(",");
const jsonOut = flag("--json");
const base = flag("--base");
const root = new URL("..", import.meta.url).pathname;
const deno = Deno.execPath();

const dir = await Deno.makeTempDir({ prefix: "tcnn_cold_" });
type Variant = { name: string; path: string; bytes: number; probe: string; wasm?: boolean };
const variants: Variant[] = [];
async function add(name: string, bytes: Uint8Array, wasm = false) {
  if (only && !only.includes(name)) return;
  const path = `${dir}/${name}.tcnn`;
  await Deno.writeFile(path, bytes);
  if (base) {
    variants.push({
      name: `base:${name}`,
      path,
      bytes: bytes.length,
      probe: `${base}/bench/cold/probe.ts`,
    });
  }
  variants.push({ name, path, bytes: bytes.length, probe: `${root}bench/cold/probe.ts`, wasm });
}
await add("lenet-f32", encodeModel(BENCH_MODELS.lenet()));
await add(
  "edge-int8",
  encodeModel(makeModel(EDGE_LAYERS, 4321), { dtype: "int8" }),
);
try {
  const shipped = await Deno.readFile(`${root}weights/fashion-mnist.tcnn`);
  await add("shipped", shipped);
  await add("shipped-wasm", shipped, true);
} catch { /* not landed yet */ }

async function spawn(args: string[]): Promise<{ ms: number; out: string }> {
  const t = performance.now();
  const r = await new Deno.Command(deno, {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t;
  if (!r.success) {
    throw new Error(
      `${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr)}`,
    );
  }
  return { ms, out: new TextDecoder().decode(r.stdout) };
}
const probe = (v: Variant) => ["run", "--allow-read", v.probe, v.path, ...(v.wasm ? ["wasm"] : [])];

// warm the module cache (transpile + V8 code cache) and the OS file cache
await spawn(["eval", "0"]);
for (const v of variants) for (let i = 0; i < 2; i++) await spawn(probe(v));

const KEYS = ["start", "import", "read", "decode", "setup", "infer"] as const;
const bare: number[] = [];
const runs: Record<
  string,
  { wall: number[]; phase: Record<string, number[]> }
> = {};
for (const v of variants) {
  runs[v.name] = {
    wall: [],
    phase: Object.fromEntries(KEYS.map((k) => [k, []])),
  };
}
const load0 = Deno.loadavg();
for (let r = 0; r < reps; r++) {
  bare.push((await spawn(["eval", "0"])).ms);
  for (const v of variants) {
    const { ms, out } = await spawn(probe(v));
    const j = JSON.parse(out.trim().split("\n").pop()!);
    runs[v.name].wall.push(ms);
    for (const k of KEYS) runs[v.name].phase[k].push(j[k]);
  }
}
const load1 = Deno.loadavg();
await Deno.remove(dir, { recursive: true });

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f = (x: number) => x.toFixed(1);
const bareMed = median(bare);
const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
const loads = `${la(load0)} → ${la(load1)}`;
console.log(
  `cold start, medians of ${reps} fresh processes; load average ${loads}`,
);
console.log(`bare deno eval 0: ${f(bareMed)} ms`);
console.log(
  `| variant | bytes | boot | import | read | decode | setup | 1st infer | total | total − bare |`,
);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
const result: Record<string, unknown> = {
  reps,
  load: [load0, load1],
  bare: bareMed,
  variants: {},
};
for (const v of variants) {
  const r = runs[v.name];
  const m = Object.fromEntries(KEYS.map((k) => [k, median(r.phase[k])]));
  const wall = median(r.wall);
  const cells = KEYS.map((k) => f(m[k])).join(" | ");
  (result.variants as Record<string, unknown>)[v.name] = {
    bytes: v.bytes,
    wall,
    ...m,
  };
  console.log(
    `| ${v.name} | ${v.bytes} | ${cells} | ${f(wall)} | ${f(wall - bareMed)} |`,
  );
}
// the floor any pure-JS runtime pays: the same arithmetic, cold, with no library
const floor = { macs: [] as number[], bytes: [] as number[] };
for (let r = 0; r < reps; r++) {
  const j = JSON.parse(
    (await spawn(["run", "bench/cold/jit_floor.ts"])).out.trim(),
  );
  floor.macs.push(j.macs);
  floor.bytes.push(j.bytes);
}
result.jitFloor = { macs: median(floor.macs), bytes: median(floor.bytes) };
console.log(
  `cold-JIT floor, no library (bench/cold/jit_floor.ts): 1.8 M multiply-adds in a naive loop ${
    f(median(floor.macs))
  } ms, one pass over 97 KB ${f(median(floor.bytes))} ms`,
);
if (jsonOut) {
  await Deno.writeTextFile(jsonOut, JSON.stringify(result, null, 2) + "\n");
}
