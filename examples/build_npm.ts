// Builds the npm package into dist/npm/ (`deno task npm`): ESM JavaScript of
// the two entries — `tinycnn` (runtime/cdn.ts: WebGPU + CPU) and
// `tinycnn/cpu` (runtime/cdn_cpu.ts: CPU only) — bundled by esbuild with the
// shared code split into one chunk, .d.ts declarations emitted by tsc
// (npm typescript, with @webgpu/types for the GPU types), package.json with an
// exports map, README and LICENSE. Invariants: the package's one dependency
// is @webgpu/types (declarations only, no code: its .d.ts reference it, so a
// strict consumer with skipLibCheck false compiles with nothing else
// installed), at deno.json's version; the package's version is deno.json's;
// nothing from train/ or npm is in its JavaScript.
// Usage: deno run -A examples/build_npm.ts [OUTDIR]

import * as esbuild from "esbuild";
import { wgslPlugin } from "./build_bundle.ts";

const root = new URL("../", import.meta.url);
const TSC = "npm:typescript@5.9.3/tsc";

export interface NpmBuild {
  dir: string;
  version: string;
  files: string[];
}

async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (r.code !== 0) {
    const d = new TextDecoder();
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${d.decode(r.stdout)}${d.decode(r.stderr)}`);
  }
}

async function list(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${base}`)) {
    const p = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await list(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/** Build the package into `dir` (emptied first). */
export async function buildNpm(outdir: string = new URL("dist/npm", root).pathname): Promise<NpmBuild> {
  const dir = new URL(outdir, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "");
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const version = config.version as string;
  const webgpuTypes = String(config.imports["@webgpu/types"]).replace(/^npm:@webgpu\/types@/, "");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: root.pathname,
      entryPoints: { index: "runtime/cdn.ts", cpu: "runtime/cdn_cpu.ts" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      sourcemap: true,
      chunkNames: "chunks/[name]-[hash]",
      outdir: dir,
      logLevel: "silent",
      plugins: [wgslPlugin],
    });
  } finally {
    await esbuild.stop();
  }
  // declarations: tsc over the entries' sources, .ts imports rewritten to .js
  const types = `${dir}/types`;
  const tsconfig = {
    compilerOptions: {
      target: "es2022",
      module: "es2022",
      moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"],
      declaration: true,
      emitDeclarationOnly: true,
      allowImportingTsExtensions: true,
      rewriteRelativeImportExtensions: true,
      strict: true,
      skipLibCheck: true,
      typeRoots: [],
      types: [],
      rootDir: root.pathname,
      outDir: types,
    },
    files: [
      new URL("runtime/cdn.ts", root).pathname,
      new URL("runtime/cdn_cpu.ts", root).pathname,
      `${dir}/.webgpu-types.d.ts`,
    ],
  };
  // @webgpu/types as a triple-slash reference (the runtime's GPU types)
  const wt = await typesPath();
  await Deno.writeTextFile(`${dir}/.webgpu-types.d.ts`, `/// <reference path=${JSON.stringify(wt)} />\n`);
  await Deno.writeTextFile(`${dir}/tsconfig.json`, JSON.stringify(tsconfig, null, 1));
  await run(Deno.execPath(), ["run", "-A", TSC, "-p", `${dir}/tsconfig.json`], root.pathname);
  await Deno.remove(`${dir}/tsconfig.json`);
  await Deno.remove(`${dir}/.webgpu-types.d.ts`);
  // tsc keeps ".ts" in declaration imports: point them at the emitted ".js"/".d.ts" pairs
  for (const f of await list(types)) {
    const p = `${types}/${f}`;
    const text = await Deno.readTextFile(p);
    await Deno.writeTextFile(
      p,
      text.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2"),
    );
  }
  const webgpuRef = '/// <reference types="@webgpu/types" />\n';
  await Deno.writeTextFile(`${dir}/index.d.ts`, `${webgpuRef}export * from "./types/runtime/cdn.js";\n`);
  await Deno.writeTextFile(`${dir}/cpu.d.ts`, `${webgpuRef}export * from "./types/runtime/cdn_cpu.js";\n`);
  const pkg = {
    name: "tinycnn",
    version,
    description:
      "Small CNNs for the edge: a dependency-free runtime for .tcnn models on WebGPU or a pure-JS CPU backend (browsers, Node, Bun, Deno, Cloudflare Workers)",
    license: "MIT",
    type: "module",
    sideEffects: false,
    engines: { node: ">=20.16" },
    exports: {
      ".": { types: "./index.d.ts", import: "./index.js", default: "./index.js" },
      "./cpu": { types: "./cpu.d.ts", import: "./cpu.js", default: "./cpu.js" },
      "./package.json": "./package.json",
    },
    main: "./index.js",
    types: "./index.d.ts",
    files: ["*.js", "*.js.map", "*.d.ts", "*.wasm", "chunks/", "types/", "README.md", "LICENSE"],
    // types only (the GPU interfaces the declarations name); never loaded at run time
    dependencies: { "@webgpu/types": webgpuTypes },
    keywords: ["cnn", "neural-network", "webgpu", "inference", "edge", "cloudflare-workers", "deno"],
  };
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  // the wasm kernels beside whichever output holds runtime/wasm/engine.ts (an entry or a shared chunk)
  for (const to of [dir, `${dir}/chunks`]) {
    await Deno.mkdir(to, { recursive: true });
    await Deno.copyFile(new URL("runtime/wasm/tinycnn.wasm", root), `${to}/tinycnn.wasm`);
  }
  await Deno.copyFile(new URL("LICENSE", root), `${dir}/LICENSE`);
  await Deno.copyFile(new URL("README.md", root), `${dir}/README.md`);
  return { dir, version, files: await list(dir) };
}

/** index.d.ts of @webgpu/types, installed into node_modules from the import map. */
async function typesPath(): Promise<string> {
  const path = new URL("node_modules/@webgpu/types/dist/index.d.ts", root).pathname;
  try {
    await Deno.stat(path);
  } catch {
    await run(Deno.execPath(), ["install", "--quiet"], root.pathname);
  }
  await Deno.stat(path);
  return path;
}

if (import.meta.main) {
  const b = await buildNpm(Deno.args[0]);
  console.log(`${b.dir}: tinycnn@${b.version}, ${b.files.length} files`);
}
