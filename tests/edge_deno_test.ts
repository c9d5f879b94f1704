// The edge handler under a real `deno serve` process on 127.0.0.1, on the CPU
// backend (as on Deno Deploy) and on "auto" (WebGPU when Deno has an adapter): every
// answer equals in-process mod.ts classify, every bad input is a 4xx JSON
// (tests/helpers/edge_suite.ts); also a missing model fails clearly (503).
// Servers are always stopped (try/finally).

import { assertEquals, assertStringIncludes } from "@std/assert";
import { loadModel } from "../mod.ts";
import { fashionTestImages } from "./helpers/fashion.ts";
import { startDenoServe } from "./helpers/procs.ts";
import { edgeSuite } from "./helpers/edge_suite.ts";
import { required } from "./helpers/system.ts";

const HANDLER = new URL("../examples/edge/handler.ts", import.meta.url).pathname;

for (const backend of ["cpu", "auto"] as const) {
  Deno.test(`edge handler under deno serve (TINYCNN_BACKEND=${backend})`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "tinycnn-edge-" });
    const modelPath = `${dir}/model.tcnn`;
    const bytes = await Deno.readFile(new URL("../weights/fashion-mnist.tcnn", import.meta.url));
    await Deno.writeFile(modelPath, bytes);
    const model = await loadModel(bytes, { backend: "cpu" });
    const server = await startDenoServe(HANDLER, {
      env: { TINYCNN_MODEL: modelPath, TINYCNN_BACKEND: backend },
      probe: "/healthz",
    });
    try {
      // "auto" must find the adapter when the suite requires WebGPU
      const want = backend === "cpu" ? "cpu" : required("WEBGPU") ? "webgpu" : undefined;
      const warm = { model: true, png: true, inflate: true };
      await edgeSuite(t, server.url, model, await fashionTestImages(6), want, warm);
    } finally {
      await server.stop();
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("edge handler under deno serve: missing model answers 503 with the reason", async () => {
  const server = await startDenoServe(HANDLER, {
    env: { TINYCNN_MODEL: "/nonexistent/model.tcnn" },
    probe: "/nope",
  });
  try {
    for (const path of ["/healthz", "/v1/model"]) {
      const r = await fetch(server.url + path);
      assertEquals(r.status, 503);
      assertStringIncludes((await r.json()).error, "/nonexistent/model.tcnn");
    }
  } finally {
    await server.stop();
  }
});
