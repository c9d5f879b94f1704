// Cold-start phase probe: one fresh process that imports the runtime, reads a
// .tcnn file, decodes it, builds the CPU executor and runs one batch-1
// inference on a zero input, timing each phase with performance.now() (ms
// since the process's time origin). Prints one JSON line on stdout:
// {start, import, read, decode, setup, infer, end}; `start` is the time the
// probe's first line ran (runtime boot), the others are phase durations.
// Usage: deno run --allow-read bench/cold/probe.ts <model.tcnn> [wasm]
// With `wasm`: loadModel(bytes, { backend: "wasm" }) instead (decode, the
// kernels' compile and instantiate, the arena: all in "decode", setup 0).
// Invariant: uses only the public decode path and CpuExecutor, exactly what
// loadModel(bytes, { backend: "cpu" }) runs, so the phases add up to it.

const t0 = performance.now();
const mod = await import("../../mod.ts");
const { resolveLayers } = await import("../../runtime/format/spec.ts");
const { CpuExecutor } = await import("../../runtime/cpu/forward.ts");
const t1 = performance.now();
const bytes = await Deno.readFile(Deno.args[0]);
const t2 = performance.now();
let t3: number, t4: number, y: Float32Array;
if (Deno.args[1] === "wasm") {
  // loadModel on the wasm kernels: decode, compile and instantiate tinycnn.wasm, lay out the arena (one phase)
  const m = await mod.loadModel(bytes, { backend: "wasm" });
  t3 = t4 = performance.now();
  y = await m.predict(new Float32Array(m.inputShape.reduce((a: number, b: number) => a * b, 1)));
} else {
  const { desc } = mod.decodeModel(bytes);
  t3 = performance.now();
  const layers = resolveLayers(desc.layers, desc.inputShape);
  const exec = new CpuExecutor(layers, desc.params);
  t4 = performance.now();
  y = exec.run(new Float32Array(desc.inputShape.reduce((a: number, b: number) => a * b, 1)), 1);
}
const t5 = performance.now();
if (!(y.length > 0)) throw new Error("no output");
console.log(JSON.stringify({
  start: t0,
  import: t1 - t0,
  read: t2 - t1,
  decode: t3 - t2,
  setup: t4 - t3,
  infer: t5 - t4,
  end: t5,
}));
