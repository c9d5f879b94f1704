// `deno task wgsl <layer> <C,H,W|C,L|F> [key=value ...] [--batch N]`: print
// the whole WGSL of every kernel one training layer runs (the runtime's
// forward, then each backward kernel) with its uniform values, so a shader
// can be read as the GPU gets it instead of through its generator.
// layerShaders() is the same list as data, for the snapshot test.
// Example: deno task wgsl conv2d 3,32,32 filters=16 kernel=3 stride=2
// (a join: deno task wgsl add 16,8,8 inputs=3 — that many inputs of the shape)
// Invariant: the kernels are produced by the very binders the WebGPU backend
// uses (layerForward / layerBackward) with a recording KernelBinder, so what
// is printed is what runs; nothing here touches a GPU.

import type { TrainLayerSpec } from "./backend.ts";
import { resolveTrainLayer, trainParamShapes } from "./layers.ts";
import { type LayerSpec, resolveJoin } from "../runtime/format/spec.ts";
import { JOIN_OPS } from "../runtime/graph.ts";
import type { KernelBinder, PreparedKernel } from "./webgpu/gpu_context.ts";
import { DEFAULT_LIMITS, type Kernel } from "./webgpu/training_kernel.ts";
import { layerForward } from "./webgpu/layer_forward.ts";
import { layerBackward } from "./webgpu/layer_backward.ts";
import { quote } from "../runtime/quote.ts";

/** One generated kernel: which pass, its label, WGSL source and uniform words (total, row, fields…). */
export interface Shader {
  pass: "forward" | "backward";
  label: string;
  code: string;
  uniforms: number[];
}

/**
 * The kernels of one training layer (`spec` at per-sample `inShape`, `batch` samples), forward then backward.
 *
 * @example
 * ```ts
 * import { layerShaders } from "./print_wgsl.ts";
 * const s = layerShaders({ type: "dense", units: 3 }, [5], 2);
 * if (s[0].pass !== "forward" || !s.some((k) => k.label === "dense dW")) throw new Error();
 * ```
 */
export function layerShaders(spec: TrainLayerSpec, inShape: number[], batch = 1): Shader[] {
  // a join reads `inputs` (default 2) copies of inShape
  const ins = (spec as { inputs?: unknown }).inputs;
  const n = !JOIN_OPS.includes(spec.type) ? 1 : Array.isArray(ins) ? ins.length : Number(ins ?? 2);
  const l = n > 1 || JOIN_OPS.includes(spec.type)
    ? resolveJoin(
      { type: spec.type } as LayerSpec,
      Array(n).fill(inShape),
      Array.from({ length: n }, (_, k) => k),
    )
    : resolveTrainLayer(spec, inShape);
  const out: Shader[] = [];
  let pass: Shader["pass"] = "forward";
  const recorder: KernelBinder = {
    device: { limits: DEFAULT_LIMITS as unknown as GPUSupportedLimits },
    prepare(k: Kernel): PreparedKernel {
      const words = Array.from(new Uint32Array(k.uniforms));
      out.push({ pass, label: k.label, code: k.code, uniforms: words });
      return { label: k.label, groups: k.dispatch.groups } as PreparedKernel;
    },
  };
  const buf = {} as GPUBuffer; // recorded kernels are never bound
  const grads = trainParamShapes(l).map(() => buf); // one (never bound) buffer per parameter tensor
  layerForward(recorder, l, 0, batch, true, {
    x: n > 1 ? Array(n).fill(buf) : buf,
    y: buf,
    params: grads,
    stats: buf,
    running: buf,
    stepU: buf,
  });
  pass = "backward";
  layerBackward(recorder, l, 0, batch, {
    x: buf,
    y: buf,
    dy: buf,
    dx: buf,
    dxs: Array(n).fill(buf),
    params: grads,
    grads,
    stats: buf,
    stepU: buf,
    scratch: () => buf,
  });
  return out;
}

/** `key=value` words as a layer spec of `type` (numbers and JSON values parsed, e.g. kernel=3 stride=[2,1]). */
export function parseLayerArgs(type: string, words: string[]): TrainLayerSpec {
  const spec: Record<string, unknown> = { type };
  for (const w of words) {
    const m = /^(\w+)=(.+)$/.exec(w);
    if (!m) throw new TypeError(`expected key=value, got ${quote(w)}`);
    let v: unknown = m[2];
    try {
      v = JSON.parse(m[2]);
    } catch { /* a plain string such as padding=same */ }
    spec[m[1]] = v;
  }
  return spec as unknown as TrainLayerSpec;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const bi = args.indexOf("--batch");
  const batch = bi >= 0 ? Number(args.splice(bi, 2)[1]) : 1;
  const [type, shape, ...rest] = args;
  if (!type || !shape) {
    console.error("usage: deno task wgsl <layer type> <C,H,W|C,L|F> [key=value ...] [--batch N]");
    console.error("example: deno task wgsl conv2d 3,32,32 filters=16 kernel=3 stride=2");
    Deno.exit(2);
  }
  try {
    const shaders = layerShaders(parseLayerArgs(type, rest), shape.split(",").map(Number), batch);
    for (const s of shaders) {
      console.log(`// ===== ${s.pass}: ${s.label} — uniform words [${s.uniforms.join(", ")}]`);
      console.log(s.code);
    }
  } catch (e) {
    console.error(`${(e as Error).name}: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
