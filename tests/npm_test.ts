// The npm package (`deno task npm` → dist/npm): `npm pack`, installed from the
// tarball into a fresh Node project (with its one, types-only dependency), imported as `tinycnn` and
// `tinycnn/cpu` by Node to classify a PNG and raw pixels like mod.ts does; a
// TypeScript consumer compiles with tsc --strict against its .d.ts; the same
// folder served under a jsDelivr-like path (/npm/tinycnn@<version>/) is
// imported by URL in headless Chromium and classifies; Bun (npm `bun`) runs
// the Node script too. Ignored, saying why, without `node`/`npm` (Chromium
// step: without /usr/bin/chromium; Bun step: without `bun`).

import { assert, assertEquals } from "@std/assert";
import { buildNpm } from "../examples/build_npm.ts";
import { loadModel } from "../mod.ts";
import { fashionTestImages } from "./helpers/fashion.ts";
import { chromiumOrIgnore, missingPart } from "./helpers/system.ts";
import { launchChromium } from "./helpers/chromium.ts";

const ROOT = new URL("../", import.meta.url);
const MODEL = new URL("weights/fashion-mnist.tcnn", ROOT).pathname;

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} (exit ${r.code}):\n${d.decode(r.stdout)}${d.decode(r.stderr)}`);
  }
  return d.decode(r.stdout);
}

const NPM = await sh("npm", ["--version"], ".").then((v) => v.trim(), () => "");
if (!NPM) console.log("npm package: ignored — no `node`/`npm` on PATH");
const HAS_CHROMIUM = chromiumOrIgnore("npm package in Chromium");
const BUN = await sh("bun", ["--version"], ".").then((v) => v.trim(), () => "");
if (!BUN) missingPart("npm package in Bun", "BUN", "no `bun` on PATH", "npm install -g bun");

Deno.test({
  name: "npm package: pack, install, use from Node and strict TypeScript, import by URL in Chromium",
  ignore: !NPM,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "tinycnn-npm-" });
  try {
    const pkg = await buildNpm(`${tmp}/pkg`);
    const tgz = (await sh("npm", ["pack", "--silent", "--pack-destination", tmp], pkg.dir)).trim().split("\n")
      .pop()!;
    const size = (await Deno.stat(`${tmp}/${tgz}`)).size;
    console.log(`npm pack: ${tgz}, ${size} bytes, ${pkg.files.length} files`);
    const app = `${tmp}/app`;
    await Deno.mkdir(app);
    await Deno.writeTextFile(
      `${app}/package.json`,
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    // the tarball and its one dependency, @webgpu/types (declarations only), from the npm cache or registry
    await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `${tmp}/${tgz}`], app);

    const [im] = await fashionTestImages(1);
    await Deno.writeFile(`${app}/shoe.png`, im.png);
    await Deno.writeFile(`${app}/shoe.raw`, im.pixels);
    const ref = await loadModel(MODEL, { backend: "cpu" });
    const want = await ref.classify(im.png, { topK: 3 });
    ref.dispose();
    /** The script's top-3 for the PNG and the raw pixels match mod.ts's, on the package's wasm kernels. */
    const classifiedLikeModTs = (
      host: string,
      out: Record<string, { label: string; probability: number }[]>,
    ) => {
      for (const k of ["png", "raw"] as const) {
        assertEquals(out[k].map((p) => p.label), want.map((p) => p.label), `${host} ${k}`);
        for (const [i, p] of want.entries()) {
          assert(Math.abs(out[k][i].probability - p.probability) < 1e-5, `${host} ${k}`);
        }
      }
      assertEquals(
        out.backends,
        ["wasm", "wasm"],
        `${host} has no WebGPU: auto runs on the package's wasm kernels`,
      );
    };

    await t.step("Node imports tinycnn and tinycnn/cpu and classifies a PNG and raw pixels", async () => {
      await Deno.writeTextFile(
        `${app}/run.mjs`,
        `import { loadModel } from "tinycnn";
import * as cpu from "tinycnn/cpu";
import { readFileSync } from "node:fs";
const png = readFileSync("shoe.png"), raw = readFileSync("shoe.raw");
const full = await loadModel(${JSON.stringify(MODEL)});
const lite = await cpu.loadModel(new URL("file://${MODEL}"));
const out = {
  png: await full.classify(new Uint8Array(png), { topK: 3 }),
  raw: await lite.classify({ data: new Uint8Array(raw), width: 28, height: 28, channels: 1 }, { topK: 3 }),
  backends: [full.backend, lite.backend],
};
console.log(JSON.stringify(out));`,
      );
      classifiedLikeModTs("Node", JSON.parse(await sh("node", ["run.mjs"], app)));
    });

    await t.step({
      name: "Bun runs the same script from the installed package",
      ignore: !BUN,
      fn: async () => {
        classifiedLikeModTs("Bun", JSON.parse(await sh("bun", ["run.mjs"], app)));
        console.log(`Bun ${BUN}: classified like mod.ts (PNG via tinycnn, raw pixels via tinycnn/cpu)`);
      },
    });

    await t.step(
      "a strict TypeScript consumer (skipLibCheck false) compiles with nothing else installed",
      async () => {
        // the package's declarations are all it needs: @webgpu/types came with it as its dependency
        await Deno.writeTextFile(
          `${app}/consumer.ts`,
          `import { loadModel, type Model, type Prediction, GpuError, ModelFormatError } from "tinycnn";
import { loadModel as loadCpu } from "tinycnn/cpu";
export async function top(bytes: Uint8Array): Promise<Prediction[]> {
  const m: Model = await loadModel(bytes, { backend: "auto", maxMacs: 1e9 });
  const c: Model = await loadCpu(bytes);
  const p = await m.classify(bytes, { topK: 1 });
  const s: "webgpu" | "wasm" | "cpu" = c.summary().backend;
  if (s === "cpu" && p[0].probability > 2) throw new GpuError("impossible");
  return p.length ? p : Promise.reject(new ModelFormatError("none", 0));
}
`,
        );
        await Deno.writeTextFile(
          `${app}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: {
              strict: true,
              noEmit: true,
              target: "es2022",
              module: "nodenext",
              moduleResolution: "nodenext",
              lib: ["es2022", "dom"],
              types: [],
              skipLibCheck: false,
            },
            files: ["consumer.ts"],
          }),
        );
        await sh(Deno.execPath(), ["run", "-A", "npm:typescript@5.9.3/tsc", "-p", "tsconfig.json"], app);
      },
    );

    await t.step({
      name: "imported by URL under /npm/tinycnn@<version>/ in headless Chromium, it classifies",
      ignore: !HAS_CHROMIUM,
      fn: async () => {
        const base = `/npm/tinycnn@${pkg.version}/`;
        const ac = new AbortController();
        const server = Deno.serve(
          { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
          async (req) => {
            const path = new URL(req.url).pathname;
            if (path === "/") {
              return new Response("<!doctype html><title>t</title>", {
                headers: { "content-type": "text/html" },
              });
            }
            if (path === "/model.tcnn") return new Response(await Deno.readFile(MODEL));
            if (!path.startsWith(base) || path.includes("..")) return new Response("no", { status: 404 });
            try {
              const body = await Deno.readFile(`${pkg.dir}/${path.slice(base.length)}`);
              const type = path.endsWith(".js") ? "text/javascript" : "application/octet-stream";
              return new Response(body, { headers: { "content-type": type } });
            } catch {
              return new Response("no", { status: 404 });
            }
          },
        );
        const browser = await launchChromium();
        try {
          const page = await browser.ctx.newPage();
          await page.goto(`http://127.0.0.1:${server.addr.port}/`);
          const got = await page.evaluate(async ([url, px]: [string, number[]]) => {
            const { loadModel } = await import(url);
            const m = await loadModel("/model.tcnn", { backend: "cpu" });
            return await m.classify({ data: new Uint8Array(px), width: 28, height: 28, channels: 1 }, {
              topK: 3,
            });
          }, [`${base}index.js`, Array.from(im.pixels)] as [string, number[]]);
          assertEquals(got.map((p: { label: string }) => p.label), want.map((p) => p.label));
        } finally {
          await browser.close();
          ac.abort();
          await server.finished;
        }
      },
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
