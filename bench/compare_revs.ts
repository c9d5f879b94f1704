// Before/after in ONE run: our inference (CPU, WebGPU; batch 1 and 64) and
// training throughput (CPU, WebGPU) plus the bundle sizes of two revisions,
// measured alternately in the same session so machine load hits both alike.
// The base revision is checked out into a temporary git worktree; the head is
// this working tree. Prints a markdown table with head/base ratios (< 1 =
// head faster for times, > 1 = head faster for throughput) and writes it to
// --out. Nothing here asserts a time.
// Usage: deno run -A bench/compare_revs.ts --base REV [--rounds 3]
//        [--out bench/compare.md]

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    rounds: { type: "string", default: "3" },
    out: { type: "string", default: "bench/compare.md" },
  },
});
if (!values.base) {
  console.error(
    "usage: deno run -A bench/compare_revs.ts --base REV [--rounds 3] [--out FILE]",
  );
  Deno.exit(2);
}
const rounds = Number(values.rounds);
const head = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const env = {
  DENO_WEBGPU_BACKEND: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "vulkan",
  XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp/xdg",
};
Deno.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });

const PIPED = { stdout: "piped", stderr: "piped" } as const;
async function run([bin, ...args]: string[], cwd: string): Promise<string> {
  const r = await new Deno.Command(bin, { args, cwd, env, ...PIPED }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!r.success) throw new Error(`${bin} ${args.join(" ")} in ${cwd}: ${text(r.stderr)}`);
  return text(r.stdout);
}
// deno-lint-ignore no-explicit-any
const lastJson = (s: string): any =>
  JSON.parse(s.trim().split("\n").reverse().find((l) => l.startsWith("{"))!);

const base = await Deno.makeTempDir({ prefix: "tinycnn-base-" });
await run(["git", "worktree", "add", "--detach", base, values.base], head);
const rev = (await run(["git", "rev-parse", "--short", values.base], head))
  .trim();
const headRev = (await run(["git", "rev-parse", "--short", "HEAD"], head))
  .trim();

type Row = {
  what: string;
  unit: string;
  lowerIsBetter: boolean;
  base: number[];
  head: number[];
};
const rows = new Map<string, Row>();
const add = (
  what: string,
  unit: string,
  lower: boolean,
  side: "base" | "head",
  v: number,
) => {
  let r = rows.get(what);
  if (!r) {
    rows.set(
      what,
      r = { what, unit, lowerIsBetter: lower, base: [], head: [] },
    );
  }
  r[side].push(v);
};
const DENO = Deno.execPath();
/** The last JSON line a bench script (run with WebGPU enabled) prints; `args` split on spaces. */
const script = async (dir: string, file: string, args: string) =>
  lastJson(await run([DENO, "run", "-A", "--unstable-webgpu", file, ...args.split(" ")], dir));
const MODELS = ["lenet", "small", `${head}/weights/fashion-mnist.tcnn`];

try {
  for (let round = 0; round < rounds; round++) {
    // alternate the order so neither side always runs first
    const sides: ["base" | "head", string][] = round % 2
      ? [["head", head], ["base", base]]
      : [["base", base], ["head", head]];
    for (const [side, dir] of sides) {
      for (const model of MODELS) {
        const name = model.includes("/") ? "edge" : model;
        for (const backend of ["cpu", "webgpu"]) {
          const j = await script(dir, "bench/ours_infer.ts", `--backend ${backend} --model ${model} --quick`);
          add(`${name} ${backend} b1`, "ms (median)", true, side, j.b1.median);
          add(`${name} ${backend} b64`, "img/s", false, side, j.b64.img_s);
        }
      }
      for (const backend of ["cpu", "webgpu"]) {
        const j = await script(dir, "bench/train_bench.ts", `--backend ${backend} --arch small --steps 6`);
        add(`train small ${backend} b64`, "samples/s", false, side, j.samples_s);
      }
      console.error(`[compare] round ${round + 1}/${rounds} ${side} done`);
    }
  }
  for (const [side, dir] of [["base", base], ["head", head]] as const) {
    const out = await Deno.makeTempDir({ prefix: "tinycnn-bundle-" });
    await run([DENO, "run", "-A", "examples/build_bundle.ts", out], dir);
    for (const file of ["tinycnn.min.js", "tinycnn-cpu.min.js"]) {
      const bytes = await Deno.readFile(`${out}/${file}`);
      const gz = await new Response(
        new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
      ).bytes();
      add(`bundle ${file}`, "bytes", true, side, bytes.length);
      add(`bundle ${file} gzipped`, "bytes", true, side, gz.length);
    }
    await Deno.remove(out, { recursive: true });
  }
} finally {
  await run(["git", "worktree", "remove", "--force", base], head).catch(
    () => {},
  );
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const lines = [
  `# Before/after: ${rev} (base) vs ${headRev} (head)`,
  "",
  `- date: ${
    new Date().toISOString()
  }; ${rounds} alternating rounds, median per side; WebGPU: ${env.DENO_WEBGPU_BACKEND}`,
  "- ratio = head / base: < 1 is faster for times, > 1 is faster for throughput",
  "",
  "| measurement | unit | base | head | head/base |",
  "| --- | --- | ---: | ---: | ---: |",
];
for (const r of rows.values()) {
  const b = median(r.base), h = median(r.head);
  lines.push(
    `| ${r.what} | ${r.unit} | ${b.toFixed(3)} | ${h.toFixed(3)} | ${(h / b).toFixed(3)} |`,
  );
}
const table = lines.join("\n") + "\n";
console.log(table);
await Deno.writeTextFile(values.out!, table);
