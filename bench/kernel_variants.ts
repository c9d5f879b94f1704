// The numbered variants of our fast CPU kernels, measured against each other
// (as llm.c's dev/cuda keeps kernel1…kernelN of one op side by side): every
// variant that can run a shape — conv: winograd3x3, winograd5x5, im2col,
// direct; convT: gemm, scatter — is checked against the float64 reference
// (train/ops/conv/reference.ts, transpose_reference.ts) and timed (median of
// timed calls after a warm-up, batch 8, one thread). The table marks the
// variant the runtime's chooser picks (convVariant / convTVariants[0]) and
// each variant's time as a ratio to the fastest, so a chooser rule that has
// gone stale shows as a pick whose ratio is above 1.
// Usage: deno run -A bench/kernel_variants.ts [--quick] [--out bench/kernel_variants.md]
// Invariant: nothing asserted; a variant off the reference by more than 1e-4 (relative) is flagged.

import { parseArgs } from "node:util";
import { type LayerSpec, resolveLayer } from "../runtime/format/spec.ts";
import type { ConvGeometry } from "../runtime/ops/conv/geometry.ts";
import {
  convCpu,
  type ConvVariant,
  convVariant,
  convVariants,
  prepareConv,
} from "../runtime/ops/conv/cpu.ts";
import { convTCpu, type ConvTVariant, convTVariants } from "../runtime/ops/conv/transpose_cpu.ts";
import { Scratch } from "../runtime/cpu/scratch.ts";
import { convForward64 } from "../train/ops/conv/reference.ts";
import { scaleError } from "../train/convert/scale_error.ts";
import { convTransposeForward64 } from "../train/ops/conv/transpose_reference.ts";
import { rng } from "./models.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const BATCH = 8, REPS = args.quick ? 5 : 15;

/** Shapes of the reference models and the op families the chooser tells apart. */
const CASES: [string, LayerSpec, number[]][] = [
  ["3×3 same, 16 → 16 ch, 28²", {
    type: "conv2d",
    filters: 16,
    kernel: 3,
    padding: "same",
  }, [16, 28, 28]],
  ["3×3 same, 3 → 16 ch, 32² (RGB stem)", {
    type: "conv2d",
    filters: 16,
    kernel: 3,
    padding: "same",
  }, [3, 32, 32]],
  ["3×3 valid, 1 → 8 ch, 28² (gray stem)", {
    type: "conv2d",
    filters: 8,
    kernel: 3,
  }, [1, 28, 28]],
  ["5×5 same, 16 → 32 ch, 14²", {
    type: "conv2d",
    filters: 32,
    kernel: 5,
    padding: "same",
  }, [16, 14, 14]],
  ["3×3 stride 2, 16 → 32 ch, 28²", {
    type: "conv2d",
    filters: 32,
    kernel: 3,
    stride: 2,
    padding: "same",
  }, [
    16,
    28,
    28,
  ]],
  ["1×1, 32 → 64 ch, 14²", { type: "conv2d", filters: 64, kernel: 1 }, [
    32,
    14,
    14,
  ]],
  ["3×3 depthwise, 32 ch, 14²", {
    type: "conv2d",
    filters: 32,
    kernel: 3,
    groups: 32,
    padding: "same",
  }, [
    32,
    14,
    14,
  ]],
  ["conv1d k5, 16 → 16 ch, 128", {
    type: "conv1d",
    filters: 16,
    kernel: 5,
    padding: "same",
  }, [16, 128]],
  ["convT 2×2 stride 2, 16 → 8 ch, 14²", {
    type: "conv2dtranspose",
    filters: 8,
    kernel: 2,
    stride: 2,
  }, [16, 14, 14]],
  ["convT 3×3 depthwise stride 2, 8 ch, 14²", {
    type: "conv2dtranspose",
    filters: 8,
    kernel: 3,
    stride: 2,
    groups: 8,
  }, [8, 14, 14]],
];

/** Median milliseconds of `fn` over REPS calls after two warm-up calls. */
function median(fn: () => void): number {
  fn(), fn();
  const t: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[REPS >> 1];
}

const rows: string[] = [];
for (const [name, spec, inShape] of CASES) {
  const l = resolveLayer(spec, inShape);
  if (l.op !== "conv" && l.op !== "convT") {
    throw new Error(`${name}: not a conv`);
  }
  const g: ConvGeometry = l;
  const r = rng(7);
  const w = Float32Array.from({
    length: l.op === "conv"
      ? g.outC * (g.inC / g.groups) * g.kh * g.kw
      : g.inC * (g.outC / g.groups) * g.kh * g.kw,
  }, () => r() - 0.5);
  const b = Float32Array.from({ length: g.outC }, () => r() - 0.5);
  const x = Float32Array.from(
    { length: BATCH * g.inC * g.inH * g.inW },
    () => r() - 0.5,
  );
  const y = new Float32Array(BATCH * g.outC * g.outH * g.outW);
  const [w64, b64, x64] = [w, b, x].map((a) => Float64Array.from(a));
  const ref = l.op === "conv"
    ? convForward64(g, w64, b64, x64, BATCH)
    : convTransposeForward64(g, w64, b64, x64, BATCH);
  const scratch = new Scratch();
  const results: { variant: string; ms: number; err: number }[] = [];
  if (l.op === "conv") {
    for (const v of convVariants(g) as ConvVariant[]) {
      const prep = prepareConv(g, w, v);
      const ms = median(() => convCpu(g, prep, w, b, x, BATCH, y, false, scratch));
      results.push({ variant: v, ms, err: scaleError(y, ref).worst });
    }
  } else {
    for (const v of convTVariants(g) as ConvTVariant[]) {
      const ms = median(() => convTCpu(g, w, b, x, BATCH, y, false, v, scratch));
      results.push({ variant: v, ms, err: scaleError(y, ref).worst });
    }
  }
  const pick = l.op === "conv" ? convVariant(g) : convTVariants(g)[0];
  const best = Math.min(...results.map((q) => q.ms));
  for (const q of results) {
    const flag = q.err > 1e-4 ? " **off the reference**" : "";
    rows.push(
      `| ${name} | ${q.variant}${q.variant === pick ? " (picked)" : ""} | ${q.ms.toFixed(3)} | ${
        (q.ms / best).toFixed(2)
      }× | ${q.err.toExponential(1)}${flag} |`,
    );
  }
  console.error(
    `${name}: ${results.map((q) => `${q.variant} ${q.ms.toFixed(2)} ms`).join(", ")}`,
  );
}

const md = `# CPU kernel variants, measured against each other

\`deno run -A bench/kernel_variants.ts\` on ${
  new Date().toISOString().slice(0, 10)
}, Deno ${Deno.version.deno},
batch ${BATCH}, median of ${REPS}; load average ${
  Deno.loadavg().map((v) => v.toFixed(2)).join(" ")
}. "picked" is the variant the runtime runs; the ratio is to the fastest variant of that shape; the error is
max |Δ| / max |reference| against the float64 reference.

| shape | variant | ms | vs fastest | error |
| --- | --- | ---: | ---: | ---: |
${rows.join("\n")}
`;
if (args.out) await Deno.writeTextFile(args.out, md);
console.log(md);
