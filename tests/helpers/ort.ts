// onnxruntime-node (the bench peers' install, bench/node_modules) as the
// reference runtime of the converter tests: one Node process runs every
// model given on its input batch and returns each model's first output.
// HAS_ORT is false (and one line says why, or REQUIRE_ORT fails) without it.

import { missingPart } from "./system.ts";

const ORT = new URL("../../bench/node_modules/onnxruntime-node", import.meta.url);

/** Whether onnxruntime-node is installed (missingPart has said why not). */
export const HAS_ORT: boolean = await Deno.stat(new URL(`${ORT.href}/package.json`)).then(() => true, () => {
  missingPart(
    "onnxruntime-node",
    "ORT",
    "no bench/node_modules/onnxruntime-node",
    "npm ci --prefix bench --ignore-scripts",
  );
  return false;
});

/** One model for onnxruntime: its bytes, its input's name, the input batch and its full shape (N first). */
export interface OrtCase {
  name: string;
  onnx: Uint8Array;
  input: string;
  x: Float32Array;
  shape: number[];
}

/** Each case's first output, computed by onnxruntime-node (CPU execution provider). */
export async function runOrt(cases: OrtCase[]): Promise<Record<string, Float32Array>> {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-ort-" });
  try {
    const list = cases.map((c, i) => ({ name: c.name, file: `${dir}/${i}`, input: c.input, shape: c.shape }));
    for (const [i, c] of cases.entries()) {
      await Deno.writeFile(`${dir}/${i}.onnx`, c.onnx);
      await Deno.writeFile(`${dir}/${i}.bin`, new Uint8Array(c.x.buffer, c.x.byteOffset, c.x.byteLength));
    }
    const script = `
      const ort = require(${JSON.stringify(ORT.pathname)});
      const fs = require("fs");
      (async () => {
        for (const c of ${JSON.stringify(list)}) {
          const s = await ort.InferenceSession.create(c.file + ".onnx");
          const b = fs.readFileSync(c.file + ".bin");
          const x = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
          const r = await s.run({ [c.input]: new ort.Tensor("float32", x, c.shape) });
          const y = r[s.outputNames[0]].data;
          fs.writeFileSync(c.file + ".out", Buffer.from(y.buffer, y.byteOffset, y.byteLength));
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const p = await new Deno.Command("node", { args: ["-e", script], stdout: "piped", stderr: "piped" })
      .output();
    if (!p.success) {
      throw new Error(`onnxruntime-node failed: ${new TextDecoder().decode(p.stderr).slice(0, 2000)}`);
    }
    const out: Record<string, Float32Array> = {};
    for (const [i, c] of cases.entries()) {
      out[c.name] = new Float32Array((await Deno.readFile(`${dir}/${i}.out`)).buffer);
    }
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
