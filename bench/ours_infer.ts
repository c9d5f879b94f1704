// Inference driver for OUR runtime, same JSON contract as the peer drivers.
// Usage: deno run -A --unstable-webgpu bench/ours_infer.ts --backend cpu|wasm|webgpu|auto
//   --model lenet|small|<path.tcnn> [--quick] [--once]
// Goes through the public API (loadModel → predict) when runtime/format/mod.ts and
// the WebGPU executor exist; until then CPU falls back to CpuExecutor directly
// (reported as api:"direct").

import { BENCH_MODELS, makeInput } from "./models.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import type { ModelDesc } from "../runtime/format/model_desc.ts";
// @ts-ignore plain JS helper shared with the peer drivers
import { args, emit, timeIt } from "./peers/common.mjs";

const a = args() as Record<string, string | boolean>;
const backend = (a.backend ?? "cpu") as "cpu" | "wasm" | "webgpu" | "auto";
const model = String(a.model ?? "lenet");
const t0 = performance.now();

async function exists(p: string) {
  try {
    await Deno.stat(new URL(p, import.meta.url));
    return true;
  } catch {
    return false;
  }
}

async function setup(): Promise<
  { api: string; run: (n: number) => Promise<Float32Array> | Float32Array }
> {
  const haveFormat = await exists("../runtime/format/mod.ts");
  const haveGpu = await exists("../runtime/webgpu/executor.ts");
  const desc: ModelDesc | null = BENCH_MODELS[model]?.() ?? null;
  let bytes: Uint8Array | null = null;
  if (!desc) bytes = await Deno.readFile(model);
  const per = 28 * 28;
  const xs: Record<number, Float32Array> = {};
  if (haveFormat && (backend === "cpu" || backend === "wasm" || haveGpu)) {
    const fmt = await import("../runtime/format/mod.ts");
    if (!bytes) bytes = fmt.encodeModel(desc!);
    const mod = await import("../mod.ts");
    const m = await mod.loadModel(bytes!, { backend });
    // "auto" routes each call (summary().routing); the others must run where they were asked to
    if (backend !== "auto" && m.backend !== backend) {
      throw new Error(`asked for ${backend}, got ${m.backend}`);
    }
    const p = m.inputShape.reduce((x, y) => x * y, 1);
    xs[1] = makeInput(1, p);
    xs[64] = makeInput(64, p);
    return { api: "loadModel", run: (n) => m.predict(xs[n], { batch: n }) };
  }
  if (backend !== "cpu") {
    throw new Error(
      "runtime/webgpu/executor.ts or runtime/format/mod.ts not landed yet",
    );
  }
  if (!desc) {
    throw new Error("runtime/format/mod.ts not landed yet: cannot read .tcnn");
  }
  const { CpuExecutor } = await import("../runtime/cpu/forward.ts");
  const ex = new CpuExecutor(
    resolveLayers(desc.layers, desc.inputShape),
    desc.params,
  );
  xs[1] = makeInput(1, per);
  xs[64] = makeInput(64, per);
  return { api: "direct", run: (n) => ex.run(xs[n], n) };
}

try {
  const m = await setup();
  const first = await m.run(1);
  const load_ms = performance.now() - t0;
  const out = Array.from(first).slice(0, 10);
  const lib = `ours-${backend}`;
  if (a.once) emit({ lib, api: m.api, model, load_ms, out });
  else {
    const quick = !!a.quick;
    const gpu = backend === "webgpu" || backend === "auto"; // auto may run on the GPU: fewer iterations, as for webgpu
    const r = await timeIt(m.run, {
      iters: quick ? 40 : gpu ? 150 : 300,
      iters64: quick ? 3 : 15,
      warm: quick ? 5 : 30,
      budgetMs: quick ? 3000 : 12000,
    });
    emit({ lib, api: m.api, model, load_ms, out, ...r });
  }
} catch (e) {
  emit({
    lib: `ours-${backend}`,
    model,
    error: String((e as Error)?.stack ?? e).slice(0, 600),
  });
}
