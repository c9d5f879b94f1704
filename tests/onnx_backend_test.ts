// Conversion conformance: onnx/onnx's own backend test cases (pytorch-converted
// and pytorch-operator, upgraded to opset 13, vendored under
// tests/fixtures/onnx-backend by its vendor.py, Apache-2.0 with NOTICE). Each
// case either converts and matches ONNX's expected output within 1e-4
// relative on every backend (cpu, wasm, and webgpu where there is an adapter),
// or is refused with UnsupportedOnnxError; never another error, never a wrong
// answer. Every case listed as "match" in expected.json must still match (a
// case that starts matching is reported, so that the list can grow).
// Out of scope, and said so: cases whose data are not float32.
// UPDATE_ONNX_EXPECTED=1 rewrites expected.json from this run's outcomes.

import { assert, assertEquals } from "@std/assert";
import { encodeModel, loadModel } from "../mod.ts";
import { onnxBytesToModel, UnsupportedOnnxError } from "../train/convert/from_onnx.ts";
import { onnx, tensorValues } from "../train/convert/onnx_proto.ts";
import { NO_WEBGPU } from "./helpers/webgpu.ts";

const DIR = new URL("./fixtures/onnx-backend/", import.meta.url);
const UPDATE = Deno.env.get("UPDATE_ONNX_EXPECTED") === "1";
const EXPECTED: Record<string, string> = UPDATE
  ? {}
  : JSON.parse(await Deno.readTextFile(new URL("expected.json", DIR)));
const FLOAT = 1;

/** Every vendored case, as "<suite>/<case>". */
function cases(): string[] {
  const out: string[] = [];
  for (const suite of ["pytorch-converted", "pytorch-operator"]) {
    for (const e of Deno.readDirSync(new URL(`${suite}/`, DIR))) {
      if (e.isDirectory) out.push(`${suite}/${e.name}`);
    }
  }
  return out.sort();
}

const tensor = (c: string, f: string) =>
  onnx.TensorProto.decode(Deno.readFileSync(new URL(`${c}/${f}`, DIR)));

/** Worst |got − want| / (1e-3 + |want|); NaN where ONNX expects NaN (sqrt of a negative), and equal infinities, agree. */
function worstRel(got: Float32Array, want: Float64Array): number {
  let w = 0;
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i]) || got[i] === want[i]) continue;
    const e = Math.abs(got[i] - want[i]) / (1e-3 + Math.abs(want[i]));
    w = Number.isNaN(e) ? Infinity : Math.max(w, e);
  }
  return w;
}

/** One case's outcome, with what was measured or why it was refused. */
async function run(c: string, backends: readonly ("cpu" | "wasm" | "webgpu")[]): Promise<[string, string]> {
  const xp = tensor(c, "input_0.pb"), yp = tensor(c, "output_0.pb");
  if (xp.dataType !== FLOAT || yp.dataType !== FLOAT) return ["out of scope", `data type ${xp.dataType}`];
  let desc;
  try {
    desc = onnxBytesToModel(Deno.readFileSync(new URL(`${c}/model.onnx`, DIR)));
  } catch (e) {
    if (e instanceof UnsupportedOnnxError) return ["refused", e.message];
    throw new Error(`${c}: ${(e as Error).name} instead of a match or an UnsupportedOnnxError: ${e}`);
  }
  const x = tensorValues(xp, "input"), y = tensorValues(yp, "output");
  const errs: string[] = [];
  for (const backend of backends) {
    const m = await loadModel(encodeModel(desc), { backend });
    const got = await m.predict(Float32Array.from(x.data), { batch: x.dims[0] });
    m.dispose();
    assertEquals(got.length, y.data.length, `${c} on ${backend}: output length`);
    const w = worstRel(got, y.data);
    assert(w < 1e-4, `${c} on ${backend}: a wrong answer, worst relative error ${w}`);
    errs.push(`${backend} ${w.toExponential(1)}`);
  }
  return ["match", errs.join(", ")];
}

Deno.test("onnx backend cases (onnx/onnx, opset 13): each matches on every backend or is refused by name", async () => {
  const backends = NO_WEBGPU ? ["cpu", "wasm"] as const : ["cpu", "wasm", "webgpu"] as const;
  const all = cases();
  if (!UPDATE) {
    assertEquals(
      all.filter((c) => !(c in EXPECTED)),
      [],
      "every vendored case has an entry in expected.json",
    );
  }
  const tally: Record<string, number> = {};
  const outcomes: Record<string, string> = {};
  const newMatches: string[] = [];
  for (const c of all) {
    const [outcome, detail] = await run(c, backends);
    tally[outcome] = (tally[outcome] ?? 0) + 1;
    outcomes[c] = outcome;
    console.log(`${c}: ${outcome} (${detail.slice(0, 160)})`);
    if (EXPECTED[c] === "match") assertEquals(outcome, "match", `${c} matched before: ${detail}`);
    else if (outcome === "match") newMatches.push(c);
  }
  console.log(`onnx backend cases: ${JSON.stringify(tally)} of ${all.length}`);
  if (newMatches.length) console.log(`now matching, add to expected.json: ${newMatches.join(", ")}`);
  if (UPDATE) {
    await Deno.writeTextFile(new URL("expected.json", DIR), JSON.stringify(outcomes, null, 2) + "\n");
  }
});
