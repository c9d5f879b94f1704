// Cold-start phase probe: one fresh process that imports the runtime, reads a
// .tcnn file, decodes it, builds the CPU executor and runs one batch-1
// inference on a zero input, timing each phase with performance.now() (ms
// since the process's time origin). Prints one JSON line on stdout:
// {start, import, read, decode, setup, infer, end}; `start` is the time the
// probe's first line ran (runtime boot), the others are phase durations.
// Usage: deno run --allow-read bench/cold/probe.ts <model.tcnn>
// Invariant: uses only the public decode path and CpuExecutor, exactly what
// loadModel(bytes, { backend: "cpu" }) runs, so the phases add up to it.

const t0 = performance.now();
const mod = await import("../../mod.ts");
const { resolveLayers } = await import("../../runtime/format/spec.ts");
const { CpuExecutor } = await import("../../runtime/cpu/forward.ts");
const t1 = performance.now();
const bytes = await Deno.readFile(Deno.args[0]);
const t2 = performance.now();
const { desc } = mod.decodeModel(bytes);
const t3 = performance.now();
const layers = resolveLayers(desc.layers, desc.inputShape);
const exec = new CpuExecutor(layers, desc.params);
const t4 = performance.now();
const y = exec.run(
  new Float32Array(desc.inputShape.reduce((a: number, b: number) => a * b, 1)),
  1,
);
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
