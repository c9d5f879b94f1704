// CPU training backend profile: steps/s of the `small` architecture at
// batch 64 (Adam, seeded random 28×28 inputs — speed does not depend on the
// pixel values), extrapolated to one 60k-sample Fashion-MNIST epoch. Prints
// the load averages next to the numbers (the machine is shared) and the
// process CPU time per step (user + system, node:process cpuUsage), which is
// far less sensitive to other processes than wall time; epoch estimates use
// the median CPU time per step.
// Usage: deno run -A bench/train_cpu_profile.ts [--arch small] [--batch 64] [--steps 10]

import process from "node:process";
import { archConfig, loadArch } from "../train/archs.ts";
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
const be = createCpuBackend(archConfig(spec, 1));
const r = new Rng(7);
const x = new Float32Array(batch * 784).map(() => r.next());
const y = Int32Array.from({ length: batch }, () => r.int(10));
await be.step(x, y, batch, 1e-3); // warm-up (JIT, buffers)
const times: number[] = [], cpu: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now(), c = process.cpuUsage();
  await be.step(x, y, batch, 1e-3);
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
  times.push(performance.now() - t);
}
be.dispose();
const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
const wall = med(times), c = med(cpu);
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(
  `${arch} batch ${batch}: CPU ${c.toFixed(1)} ms/step (wall median ${wall.toFixed(1)}, min ` +
    `${Math.min(...times).toFixed(1)}) → ${(1000 / c).toFixed(2)} steps/s → ` +
    `${(60000 / batch * c / 1000).toFixed(1)} s/epoch [load avg ${load}]`,
);
