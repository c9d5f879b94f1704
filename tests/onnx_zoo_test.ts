// The classic ONNX Model Zoo CNNs from onnx/onnx's backend test data
// (tests/fixtures/onnx-backend/light: each float initializer replaced by a
// ConstantOfShape node). The test puts seeded random weights back (He-uniform
// weights; batchnorm scale and variance in [0.8, 1.2], means and biases in
// [−0.1, 0.1], so activations stay in range), converts the model and checks
// it against onnxruntime-node on one seeded 224² image: logits (the final
// Softmax dropped, so saturation hides nothing) within 1e-4 of their largest
// magnitude on the wasm engine, and on the TS CPU engine and WebGPU for the
// smaller nets. A model the converter does not cover yet
// must be refused with UnsupportedOnnxError.

import { assert, assertEquals } from "@std/assert";
import { encodeModel, loadModel } from "../mod.ts";
import { onnxBytesToModel, UnsupportedOnnxError } from "../train/convert/from_onnx.ts";
import { type NodeProto, onnx, tensorValues } from "../train/convert/onnx_proto.ts";
import { Rng } from "../train/rng.ts";
import { scaleError } from "../train/convert/scale_error.ts";
import { HAS_ORT, runOrt } from "./helpers/ort.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";

const DIR = new URL("./fixtures/onnx-backend/light/", import.meta.url);

/** Each model: whether it converts today, and the backends it runs on here beside wasm. */
const ZOO: Record<string, { converts: boolean; also: ("cpu" | "webgpu")[] }> = {
  squeezenet: { converts: true, also: ["cpu", "webgpu"] },
  resnet50: { converts: true, also: ["cpu"] },
  inception_v1: { converts: true, also: ["cpu"] },
  inception_v2: { converts: true, also: [] },
  densenet121: { converts: true, also: [] },
  bvlc_alexnet: { converts: true, also: [] },
  zfnet512: { converts: true, also: [] },
  vgg19: { converts: true, also: [] },
  shufflenet: { converts: true, also: [] },
};

/** The model with its ConstantOfShape nodes replaced by seeded random initializers; also its input's name and shape. */
function restore(bytes: Uint8Array, seed: number): { onnx: Uint8Array; input: string; shape: number[] } {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? "", t]));
  const nodes = g.node ?? [];
  // who reads a tensor, looking through the shape ops that only move it
  const readers = new Map<string, [NodeProto, number][]>();
  for (const n of nodes) {
    (n.input ?? []).forEach((i, k) => readers.set(i, [...(readers.get(i) ?? []), [n, k]]));
  }
  const role = (name: string): [string, number, NodeProto] => {
    for (let depth = 0; depth < 8; depth++) {
      const [n, k] = (readers.get(name) ?? [])[0] ?? [];
      if (!n) return ["", 0, {}];
      if (!["Unsqueeze", "Reshape", "Identity", "Squeeze"].includes(n.opType ?? "")) {
        return [n.opType ?? "", k!, n];
      }
      name = n.output![0];
    }
    return ["", 0, {}];
  };
  const rng = new Rng(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  const kept: NodeProto[] = [];
  for (const n of nodes) {
    if (n.opType !== "ConstantOfShape") {
      kept.push(n);
      continue;
    }
    const dims = [...tensorValues(inits.get(n.input![0])!, "shape").data];
    const count = dims.reduce((a, b) => a * b, 1);
    const [op, k, reader] = role(n.output![0]);
    const transB = (reader.attribute ?? []).find((a) => a.name === "transB")?.i;
    const fan = dims.length < 2 ? 1 : op === "Gemm" && !transB ? dims[0] : count / dims[0];
    const lim = Math.sqrt(6 / fan);
    const fill = dims.length >= 2 && (op === "Conv" || op === "Gemm" || op === "MatMul")
      ? () => u(-lim, lim)
      : op === "BatchNormalization" && (k === 1 || k === 4) || op === "Mul"
      ? () => u(0.8, 1.2)
      : () => u(-0.1, 0.1);
    const data = Float32Array.from({ length: count }, fill);
    g.initializer!.push(
      onnx.TensorProto.create({
        name: n.output![0],
        dims,
        dataType: 1,
        rawData: new Uint8Array(data.buffer),
      }),
    );
  }
  // compare logits, not probabilities: a softmax that saturates would hide any difference
  const last = kept[kept.length - 1];
  if (last?.opType === "Softmax") {
    kept.pop();
    g.output![0].name = last.input![0];
  }
  g.node = kept;
  const input = (g.input ?? []).find((i) =>
    !inits.has(i.name ?? "") &&
    !g.initializer!.some((t) => t.name === i.name)
  )!;
  const shape = input.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue ?? 1));
  // the restored weights are initializers now: drop the graph inputs that named them (IR 3 listed every
  // initializer as an input; IR ≥ 4 need not)
  g.input = [input];
  m.irVersion = 7;
  return { onnx: onnx.ModelProto.encode(m).finish(), input: input.name!, shape };
}

/** max |got − want| / max |want| (the logits' scale), after checking that the logits are not degenerate. */
function worstRel(got: Float32Array, want: Float32Array): number {
  assertEquals(got.length, want.length);
  let m = 0, lo = Infinity, hi = -Infinity;
  for (const v of want) (m = Math.max(m, Math.abs(v)), lo = Math.min(lo, v), hi = Math.max(hi, v));
  assert(hi - lo > 1e-3 * m && Number.isFinite(m) && m > 0, `degenerate logits in [${lo}, ${hi}]`);
  return scaleError(got, want).worst;
}

Deno.test({
  name:
    "onnx zoo (light models, weights restored): each converts and matches onnxruntime, or is refused by name",
  ignore: !HAS_ORT,
  sanitizeResources: false,
  async fn() {
    const cases = Object.keys(ZOO).map((name, i) => {
      const r = restore(Deno.readFileSync(new URL(`light_${name}.onnx`, DIR)), 7000 + i);
      const rng = new Rng(9000 + i);
      const x = Float32Array.from({ length: r.shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1);
      return { name, ...r, x };
    });
    const want = await runOrt(cases.filter((c) => ZOO[c.name].converts));
    for (const c of cases) {
      const t0 = performance.now();
      let desc;
      try {
        desc = onnxBytesToModel(c.onnx);
      } catch (e) {
        if (!(e instanceof UnsupportedOnnxError)) throw e;
        assert(!ZOO[c.name].converts, `${c.name} converted before: ${e.message}`);
        console.log(`${c.name}: refused (${e.message.slice(0, 120)})`);
        continue;
      }
      const convertMs = performance.now() - t0;
      const bytes = encodeModel(desc, { dtype: "f32" });
      const errs: string[] = [];
      for (
        const backend of [
          "wasm",
          ...ZOO[c.name].also.filter((b) => b !== "webgpu" || !NO_WEBGPU),
        ] as const
      ) {
        const m = await loadModel(bytes, {
          backend,
          maxBytes: 2 ** 31 - 1,
          maxMacs: 1e11,
          maxActivationBytes: 2 ** 30,
        });
        const w = worstRel(await m.predict(c.x), want[c.name]);
        m.dispose();
        assert(w < 1e-4, `${c.name} on ${backend}: onnxruntime vs ours, worst relative error ${w}`);
        errs.push(`${backend} ${w.toExponential(1)}`);
      }
      console.log(
        `${c.name}: ${desc.layers.length} layers, converted in ${convertMs.toFixed(0)} ms, .onnx ${
          (c.onnx.length / 2 ** 20).toFixed(1)
        } MiB → .tcnn ${(bytes.length / 2 ** 20).toFixed(1)} MiB; ${errs.join(", ")}`,
      );
    }
  },
});
