// Builds the browser/CDN bundle: esbuild bundles runtime/cdn.ts (the
// inference API of mod.ts: no encoder, no quantizers) into
// dist/tinycnn.min.js (ESM, minified, es2022) + dist/tinycnn.min.js.map and
// dist/tinycnn.meta.json (esbuild metafile), and the wasm kernels beside it
// (dist/tinycnn.wasm, fetched by the engine from the bundle's own URL). Invariant: the bundle's inputs
// are runtime/ files only — never train/, node_modules or npm: code
// (tests/bundle_test.ts enforces it).
// Usage: deno run -A examples/build_bundle.ts [OUTDIR]   (default dist/)

import * as esbuild from "esbuild";
import { minifyWgslTemplates } from "./minify_wgsl.ts";

const root = new URL("..", import.meta.url);
/** Entry of the bundle: the inference API of mod.ts (no encoder/quantizer). */
export const ENTRY = "runtime/cdn.ts";

export interface BundleResult {
  file: string;
  /** minified size in bytes */
  bytes: number;
  /** gzip size in bytes (CompressionStream, default level) */
  gzipBytes: number;
  /** the wasm kernels written beside the bundle (OUTDIR/tinycnn.wasm): bytes and gzip bytes */
  wasmBytes: number;
  wasmGzipBytes: number;
  /** bundle inputs (everything esbuild read), relative to the repository root */
  inputs: string[];
  /** bytes each input contributes to the minified output (0: tree-shaken away), largest first */
  inputBytes: [string, number][];
}

/** The files holding WGSL generators: every op's runtime/ops/<family>/wgsl.ts and the shared runtime/webgpu/kernel.ts. */
export const WGSL_SOURCES = /[\\/]runtime[\\/](ops[\\/]\w+[\\/]wgsl|webgpu[\\/]kernel)\.ts$/;

/** The WGSL generators' template literals lose comments and needless whitespace (minify_wgsl.ts). */
export const wgslPlugin: esbuild.Plugin = {
  name: "minify-wgsl",
  setup(build) {
    build.onLoad({ filter: WGSL_SOURCES }, async (args) => ({
      contents: minifyWgslTemplates(await Deno.readTextFile(args.path)),
      loader: "ts",
    }));
  },
};

async function gzipSize(b: Uint8Array): Promise<number> {
  const s = new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(s).arrayBuffer()).byteLength;
}

/** The CPU-only entry (no WebGPU code reachable): dist/tinycnn-cpu.min.js. */
export const CPU_ENTRY = "runtime/cdn_cpu.ts";

/**
 * Bundle runtime/cdn.ts into OUTDIR/tinycnn.min.js (+ .map, + .meta.json), or
 * with `cpu` the CPU-only runtime/cdn_cpu.ts into OUTDIR/tinycnn-cpu.min.js.
 */
export async function buildBundle(
  outdir: string = new URL("dist", root).pathname,
  cpu = false,
): Promise<BundleResult> {
  await Deno.mkdir(outdir, { recursive: true });
  const name = cpu ? "tinycnn-cpu" : "tinycnn";
  const file = `${outdir}/${name}.min.js`;
  try {
    const r = await esbuild.build({
      absWorkingDir: new URL(".", root).pathname,
      entryPoints: [cpu ? CPU_ENTRY : ENTRY],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      minify: true,
      sourcemap: "linked",
      metafile: true,
      legalComments: "none",
      outfile: file,
      logLevel: "silent",
      plugins: [wgslPlugin],
    });
    await Deno.writeTextFile(`${outdir}/${name}.meta.json`, JSON.stringify(r.metafile, null, 1));
    // the wasm kernels travel beside the bundle: the engine fetches ./tinycnn.wasm from the bundle's URL
    const wasm = await Deno.readFile(new URL("runtime/wasm/tinycnn.wasm", root));
    await Deno.writeFile(`${outdir}/tinycnn.wasm`, wasm);
    const code = await Deno.readFile(file);
    return {
      file,
      bytes: code.length,
      gzipBytes: await gzipSize(code),
      wasmBytes: wasm.length,
      wasmGzipBytes: await gzipSize(wasm),
      inputs: Object.keys(r.metafile.inputs),
      inputBytes: Object.entries(
        r.metafile.outputs[Object.keys(r.metafile.outputs).find((o) => o.endsWith(".js"))!].inputs,
      )
        .map(([f, i]): [string, number] => [f, i.bytesInOutput])
        .sort((a, b) => b[1] - a[1]),
    };
  } finally {
    await esbuild.stop();
  }
}

if (import.meta.main) {
  for (const cpu of [false, true]) {
    const b = await buildBundle(Deno.args[0], cpu);
    console.log(
      `${b.file}: ${(b.bytes / 1024).toFixed(1)} KiB minified, ${
        (b.gzipBytes / 1024).toFixed(1)
      } KiB gzipped, ` +
        `${b.inputs.length} inputs`,
    );
  }
}
