// Cold-start probe: a fresh process imports the runtime, loads a .tcnn file
// and runs one CPU inference on a zero input. The harness times the whole
// process from outside and compares it with a bare `deno eval 0`.
// Usage: deno run --allow-read bench/cold/ours_cold.ts <model.tcnn>

import { loadModel } from "../../mod.ts";

const bytes = await Deno.readFile(Deno.args[0]);
const m = await loadModel(bytes, { backend: "cpu" });
const y = await m.predict(
  new Float32Array(m.inputShape.reduce((a, b) => a * b, 1)),
);
if (!(y.length > 0)) throw new Error("no output");
