// Per-layer CPU time of our executor kernels on a bench model (development
// aid, not part of the report): median ms per layer at batch 1 and 64.
// Usage: deno run bench/profile_cpu.ts lenet|small

import { BENCH_MODELS, makeInput } from "./models.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import { forwardLayer } from "../runtime/cpu/forward.ts";

const name = Deno.args[0] ?? "lenet";
const d = BENCH_MODELS[name]();
const L = resolveLayers(d.layers, d.inputShape);
for (const N of [1, 64]) {
  let x = makeInput(N, 784);
  const rows: string[] = [];
  let total = 0;
  for (let i = 0; i < L.length; i++) {
    const out = new Float32Array(N * L[i].outShape.reduce((a, b) => a * b, 1));
    const reps = N === 1 ? 200 : 10;
    for (let r = 0; r < 5; r++) forwardLayer(L[i], d.params[i], x, N, out);
    const t: number[] = [];
    for (let r = 0; r < reps; r++) {
      const s = performance.now();
      forwardLayer(L[i], d.params[i], x, N, out);
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    const med = t[t.length >> 1];
    total += med;
    rows.push(`${i} ${L[i].spec.type.padEnd(10)} ${med.toFixed(4)} ms`);
    x = out;
  }
  console.log(
    `${name} batch ${N}: total ${total.toFixed(3)} ms (includes per-call weight packing)\n  ${
      rows.join("\n  ")
    }`,
  );
}
