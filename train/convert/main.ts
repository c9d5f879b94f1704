// CLI of `deno task convert`: ONNX → .tcnn (PyTorch / Keras models onto the
// small runtime) and .tcnn → ONNX (our models into every other runtime).
//   deno task convert model.onnx --out model.tcnn [--quantize f32|f16|int8]
//     [--labels labels.txt] [--input-shape 1,28,28] [--normalize MEAN,STD | M1,M2,M3,S1,S2,S3]
//     [--input-range 3,32,32:3,512,512]   (a fully convolutional model: the sizes it also runs at)
//   deno task convert model.tcnn --out model.onnx
// Exit status: 0 written, 1 conversion failure (message names the node, its
// op type and what is unsupported, or how far the result disagrees with
// onnxruntime-web: check_ort.ts, skipped by --no-check), 2 bad flags.
// Invariants: the output is written atomically and only after the converted
// model loaded back through the runtime and matched onnxruntime; an existing
// file is not overwritten without --force.

import { parseArgs } from "node:util";
import { writeAtomic } from "../checkpoint.ts";
import { exists } from "../fs_util.ts";
import { decodeModel, encodeModel, loadModel } from "../../mod.ts";
import type { ModelDesc } from "../../runtime/format/model_desc.ts";
import { type MappingReport, onnxBytesToModel } from "./from_onnx.ts";
import { modelToOnnx } from "./to_onnx.ts";
import { checkAgainstOrt } from "./check_ort.ts";

const USAGE =
  `usage: deno task convert IN --out OUT [--quantize f32|f16|int8] [--labels FILE] [--input-shape C,H,W]
                         [--normalize MEAN,STD] [--input-range C,H,W:C,H,W] [--force] [--no-check] [--report]
  IN.onnx → OUT.tcnn (a CNN exported from PyTorch/Keras), or IN.tcnn → OUT.onnx`;

class UsageError extends Error {}

/** Largest model file read (protobuf decoding holds it whole): 2 GiB, ONNX's own protobuf limit. */
const MAX_INPUT_BYTES = 2 ** 31;

/** The converted file's bytes and a one-line summary. */
export async function convert(argv: string[]): Promise<{ out: string; bytes: Uint8Array; summary: string }> {
  let a;
  try {
    a = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        quantize: { type: "string" },
        labels: { type: "string" },
        "input-shape": { type: "string" },
        normalize: { type: "string" },
        "input-range": { type: "string" },
        force: { type: "boolean" },
        "no-check": { type: "boolean" },
        report: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [input, ...extra] = a.positionals;
  const out = a.values.out;
  if (!input || extra.length || !out) throw new UsageError("give one input file and --out FILE");
  if (!a.values.force && await exists(out)) {
    throw new UsageError(`${out} exists (use --force to overwrite it)`);
  }
  const size = (await Deno.stat(input)).size;
  if (size > MAX_INPUT_BYTES) {
    throw new RangeError(
      `${input} is ${size} bytes, over the ${MAX_INPUT_BYTES}-byte limit of this converter`,
    );
  }
  const src = await Deno.readFile(input);
  if (input.endsWith(".tcnn")) {
    if (!out.endsWith(".onnx")) throw new UsageError("a .tcnn converts to --out FILE.onnx");
    const { desc } = decodeModel(src);
    const bytes = modelToOnnx(desc);
    return { out, bytes, summary: `${input} → ${out}: ${desc.layers.length} layers, ${bytes.length} bytes` };
  }
  if (!out.endsWith(".tcnn")) throw new UsageError("an .onnx converts to --out FILE.tcnn");
  const dtype = (a.values.quantize ?? "f32") as "f32" | "f16" | "int8";
  if (!["f32", "f16", "int8"].includes(dtype)) {
    throw new UsageError(`--quantize must be f32, f16 or int8, got ${dtype}`);
  }
  const shape = a.values["input-shape"]?.split(",").map(Number);
  if (shape && shape.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new UsageError(
      `--input-shape must be positive integers like 3,224,224, got ${a.values["input-shape"]}`,
    );
  }
  const report: MappingReport | undefined = a.values.report ? new Map() : undefined;
  const desc: ModelDesc = onnxBytesToModel(src, { inputShape: shape, report });
  if (a.values.labels) {
    desc.labels = (await Deno.readTextFile(a.values.labels)).split(/\r?\n/).map((s) => s.trim()).filter(
      Boolean,
    );
  }
  if (a.values.normalize) {
    const v = a.values.normalize.split(",").map(Number);
    const c = desc.inputShape[0];
    if (v.some((x) => !Number.isFinite(x)) || (v.length !== 2 && v.length !== 2 * c)) {
      throw new UsageError(
        `--normalize takes MEAN,STD or ${c} means then ${c} stds, got ${a.values.normalize}`,
      );
    }
    desc.normalization = v.length === 2
      ? { mean: Array(c).fill(v[0]), std: Array(c).fill(v[1]) }
      : { mean: v.slice(0, c), std: v.slice(c) };
  }
  const range = a.values["input-range"];
  if (range) {
    const [min, max] = range.split(":").map((p) => p.split(",").map(Number));
    if (!min || !max || [...min, ...max].some((v) => !Number.isInteger(v) || v < 1)) {
      throw new UsageError(`--input-range takes MIN:MAX shapes like 3,32,32:3,512,512, got ${range}`);
    }
    desc.inputRange = { min, max }; // validated by the encoder (ModelFormatError naming what depends on the size)
  }
  const bytes = encodeModel(desc, { dtype });
  // it must load (format rules) before anything is written; a model over the runtime's default compute or
  // memory budget still converts, with a note on how to load it
  const m = await loadModel(bytes, {
    backend: "cpu",
    maxMacs: Number.MAX_VALUE,
    maxActivationBytes: Number.MAX_VALUE,
  });
  const cost = m.summary().totalMacs;
  m.dispose();
  let over = "";
  try {
    (await loadModel(bytes, { backend: "cpu" })).dispose();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    over = `; note: ${e.message} — load it with a larger { maxMacs, maxActivationBytes }`;
  }
  // never a wrong answer: the conversion against onnxruntime-web on a seeded batch (ConversionMismatchError)
  let checked = "; not checked (--no-check)";
  if (!a.values["no-check"]) {
    const c = await checkAgainstOrt(src, desc);
    checked = c.worst === null
      ? `; not checked: ${c.why}`
      : `; matches onnxruntime-web within ${c.worst.toExponential(1)} (batch ${c.batch})`;
  }
  const kinds = [...new Set(desc.layers.map((l) => l.type))].join(", ");
  return {
    out,
    bytes,
    summary: `${
      report ? formatReport(report) : ""
    }${input} → ${out}: ${desc.layers.length} layers (${kinds}), input (${
      desc.inputShape.join(",")
    }), ${cost} MACs/sample, ${dtype}, ${bytes.length} bytes${checked}${over}`,
  };
}

/** The --report table: one line per ONNX op, most frequent first, with how its nodes mapped. */
export function formatReport(report: MappingReport): string {
  const rows = [...report].sort((p, q) => q[1].nodes - p[1].nodes || (p[0] < q[0] ? -1 : 1));
  const w = Math.max(8, ...rows.map(([op]) => op.length));
  const lines = rows.map(([op, r]) => {
    const how = [
      ...Object.entries(r.layers).map(([t, k]) => `${k} → ${t}`),
      ...(r.merged ? [`${r.merged} merged into the layer before`] : []),
      ...(r.folded ? [`${r.folded} folded (constant)`] : []),
      ...(r.views ? [`${r.views} view/alias (no layer)`] : []),
    ];
    return `${op.padEnd(w)} ${String(r.nodes).padStart(5)}  ${how.join(", ")}`;
  });
  return `${"ONNX op".padEnd(w)} nodes  mapped as\n${lines.join("\n")}\n`;
}

if (import.meta.main) {
  try {
    const r = await convert(Deno.args);
    await writeAtomic(r.out, r.bytes);
    console.log(r.summary);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n${USAGE}`);
      Deno.exit(2);
    }
    console.error(`${(e as Error).name}: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
