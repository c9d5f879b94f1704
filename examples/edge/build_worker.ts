// Builds the edge handler for workerd / Cloudflare Workers: esbuild bundles
// examples/edge/handler.ts (ESM, minified) behind a small entry (WORKER_ENTRY)
// into OUTDIR/worker.js, copies the model to OUTDIR/model.tcnn and
// config.capnp beside them. The entry imports the model as a data module and
// loads + warms it at global scope (warm.ts), so the isolate's start pays the
// decode and the cold kernels, not its first request. Invariants: the
// bundle contains only the handler and the CPU-only runtime (the handler's
// import of mod.ts resolves to cpu.ts: Workers have no WebGPU, so none of its
// code is shipped; no train/, no npm code); the model travels once, as a data
// module, never fetched at run time; the wasm kernels travel as a wasm module
// (tinycnn.wasm; wrangler rule `{ type = "CompiledWasm", globs = ["**\/*.wasm"] }`),
// which Workers compile at deploy (they refuse to compile bytes at run time).
// Usage: deno run -A examples/edge/build_worker.ts [MODEL.tcnn] [OUTDIR]

import * as esbuild from "esbuild";

const here = new URL(".", import.meta.url);

/** Resolve the handler's `mod.ts` to the CPU-only entry `cpu.ts`. */
const cpuOnly: esbuild.Plugin = {
  name: "tinycnn-cpu-only",
  setup(b) {
    b.onResolve({ filter: /(^|\/)mod\.ts$/ }, (a) => {
      const target = new URL(a.path, `file://${a.resolveDir}/`);
      return target.href === new URL("../../mod.ts", import.meta.url).href
        ? { path: new URL("../../cpu.ts", import.meta.url).pathname }
        : undefined;
    });
  },
};

/**
 * The worker's entry: the model is a data module (workerd `data` module; wrangler rule
 * `{ type = "Data", globs = ["**\/*.tcnn"] }`), loaded and warmed at global scope. The same
 * ArrayBuffer is the handler's MODEL (its per-request fallback when the warm-up failed): the
 * isolate holds one copy of the model, not a module and a binding.
 */
export const WORKER_ENTRY = `import model from "./model.tcnn";
import kernels from "./tinycnn.wasm";
import { warmAtStart } from "./warm.ts";
import handler from "./handler.ts";
await warmAtStart(model, "auto", kernels);
export default { fetch: (request, env) => handler.fetch(request, { ...env, MODEL: model, WASM: kernels }) };
`;

export interface WorkerBuild {
  outdir: string;
  workerBytes: number;
  inputs: string[];
}

/**
 * Bundle the worker and lay out OUTDIR for `workerd serve OUTDIR/config.capnp`;
 * `text` adds text bindings (e.g. TOKEN, CORS_ORIGINS) to the config.
 */
export async function buildWorker(
  model: Uint8Array,
  outdir: string,
  text: Record<string, string> = {},
): Promise<WorkerBuild> {
  await Deno.mkdir(outdir, { recursive: true });
  try {
    const r = await esbuild.build({
      stdin: {
        contents: WORKER_ENTRY,
        resolveDir: here.pathname,
        sourcefile: "worker_entry.js",
        loader: "js",
      },
      external: ["./model.tcnn", "./tinycnn.wasm"],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      minify: true,
      metafile: true,
      outfile: `${outdir}/worker.js`,
      logLevel: "silent",
      plugins: [cpuOnly],
    });
    await Deno.writeFile(`${outdir}/model.tcnn`, model);
    await Deno.copyFile(
      new URL("../../runtime/wasm/tinycnn.wasm", import.meta.url),
      `${outdir}/tinycnn.wasm`,
    );
    let config = await Deno.readTextFile(new URL("config.capnp", here));
    const bindings = Object.entries(text).map(([k, v]) =>
      `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`
    );
    config = config.replace("bindings = [],", `bindings = [${bindings.join(", ")}],`);
    await Deno.writeTextFile(`${outdir}/config.capnp`, config);
    const inputs = Object.keys(r.metafile.inputs);
    return { outdir, workerBytes: (await Deno.stat(`${outdir}/worker.js`)).size, inputs };
  } finally {
    await esbuild.stop();
  }
}

if (import.meta.main) {
  const modelPath = Deno.args[0] ?? new URL("../../weights/fashion-mnist.tcnn", import.meta.url).pathname;
  const outdir = Deno.args[1] ?? new URL("../../dist/edge", import.meta.url).pathname;
  const model = await Deno.readFile(modelPath).catch((e) => {
    throw new Error(`cannot read model ${modelPath} (${e.name}); pass a .tcnn path or train one first`);
  });
  const b = await buildWorker(model, outdir);
  console.log(`${outdir}/worker.js ${b.workerBytes} bytes, model ${model.length} bytes`);
  console.log(`run: workerd serve ${outdir}/config.capnp`);
}
