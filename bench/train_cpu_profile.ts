// CPU training backend profile: steps/s of the `small` architecture at
// batch 64 (Adam, seeded random 28×28 inputs — speed does not depend on the
// pixel values), extrapolated to one 60k-sample Fashion-MNIST epoch. Prints
// the 1-minute load average next to the numbers (the machine is shared).
// Usage: deno run -A bench/train_cpu_profile.ts [--arch small] [--batch 64] [--steps 10]

import { loadArch } from "../train/archs.ts";
import { createCpuBackend } from "../train/cpu/cpu_backend.ts";
import { Rng } from "../train/rng.ts";

function flag(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : def;
}

const arch = flag("arch", "small");
const batch = Number(flag("batch", "64"));
const steps = Number(flag("steps", "10"));
const spec = await loadArch(arch, [1, 28, 28], 10);
const be = createCpuBackend({
  inputShape: spec.inputShape,
  layers: spec.layers,
  loss: "softmax_xent",
  optimizer: { type: "adam" },
  seed: 1,
});
const r = new Rng(7);
const x = new Float32Array(batch * 784).map(() => r.next());
const y = Int32Array.from({ length: batch }, () => r.int(10));
await be.step(x, y, batch, 1e-3); // warm-up (JIT, buffers)
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  await be.step(x, y, batch, 1e-3);
  times.push(performance.now() - t);
}
be.dispose();
times.sort((a, b) => a - b);
const med = times[times.length >> 1];
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(
  `${arch} batch ${batch}: median ${med.toFixed(1)} ms/step (min ${times[0].toFixed(1)}), ` +
    `${(1000 / med).toFixed(2)} steps/s → ${(60000 / batch * med / 1000).toFixed(1)} s/epoch ` +
    `[load avg ${load}]`,
);
