// The edge handler bundled by esbuild and run by a real workerd (npm
// `workerd`) with the model as a data module, loaded and warmed at global scope
// (examples/edge/warm.ts): every answer equals in-process
// mod.ts classify, every bad input is a 4xx JSON (tests/helpers/edge_suite.ts).
// The workerd process is always stopped (try/finally).

import { assert } from "@std/assert";
import { loadModel } from "../mod.ts";
import { buildWorker } from "../examples/edge/build_worker.ts";
import { fashionTestImages } from "./helpers/fashion.ts";
import { startWorkerd } from "./helpers/procs.ts";
import { edgeSuite } from "./helpers/edge_suite.ts";

Deno.test("edge handler under workerd", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-workerd-" });
  const bytes = await Deno.readFile(new URL("../weights/fashion-mnist.tcnn", import.meta.url));
  const build = await buildWorker(bytes, dir);
  const bad = build.inputs.filter((p) => /(^|\/)(train|node_modules|webgpu)\/|npm:|(^|\/)load\.ts$/.test(p));
  assert(bad.length === 0, `worker bundle pulls in ${bad.join(", ")}`);
  assert(build.inputs.some((p) => p.endsWith("examples/edge/warm.ts")), "the worker entry warms the model");
  const js = await Deno.readTextFile(`${dir}/worker.js`);
  assert(/import [\w$]+ ?from ?"\.\/model\.tcnn"/.test(js), "worker.js imports the model as a data module");
  assert(
    /import [\w$]+ ?from ?"\.\/tinycnn\.wasm"/.test(js),
    "worker.js imports the kernels as a wasm module",
  );
  const model = await loadModel(bytes, { backend: "cpu" });
  const server = await startWorkerd(`${dir}/config.capnp`, { probe: "/healthz" });
  try {
    // the model and the PNG decoder warmed at global scope (a stored blank PNG: no stream needed there;
    // workerd refuses DecompressionStream there, so inflating a compressed PNG first runs in a request)
    const warm = { model: true, png: true, inflate: false };
    // workerd refuses to compile wasm bytes: the entry hands loadModel the imported WebAssembly.Module
    await edgeSuite(t, server.url, model, await fashionTestImages(6), "wasm", warm);
  } finally {
    await server.stop();
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
