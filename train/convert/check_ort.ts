// The converter's own check (`deno task convert`, unless --no-check): the
// converted model and onnxruntime-web (the npm package; train/ only, never
// the runtime) run the original ONNX file on one seeded random batch, and
// the conversion is refused when they disagree beyond 1e-4 of the output's
// largest magnitude. The check runs the f32 encoding (what the conversion
// itself did); --quantize's rounding is on top of it, by design.
// Invariants: the input batch is seeded (the same file checks the same way
// every time); a model onnxruntime cannot run is reported as unchecked,
// never as checked.

import * as ort from "onnxruntime-web";
import { encodeModel, loadModel } from "../../mod.ts";
import type { ModelDesc } from "../../runtime/format/model_desc.ts";
import { Rng } from "../rng.ts";
import { onnx } from "./onnx_proto.ts";
import { scaleError } from "./scale_error.ts";

/** The largest disagreement a conversion may have with onnxruntime, relative to the output's scale. */
export const CHECK_TOLERANCE = 1e-4;

/** What the check found: the worst error (null: onnxruntime could not run the file, `why` says why). */
export interface OrtCheck {
  worst: number | null;
  batch: number;
  why?: string;
}

/** The converted model disagrees with onnxruntime: where and by how much. */
export class ConversionMismatchError extends Error {
  override name = "ConversionMismatchError";
}

/**
 * Run `onnxBytes` in onnxruntime-web and `desc` on our CPU engine on one seeded batch; throws
 * ConversionMismatchError beyond CHECK_TOLERANCE.
 *
 * @example
 * ```ts ignore
 * import { checkAgainstOrt } from "./check_ort.ts";
 * const r = await checkAgainstOrt(onnxBytes, desc); // { worst: 3e-7, batch: 2 }
 * ```
 */
export async function checkAgainstOrt(onnxBytes: Uint8Array, desc: ModelDesc, seed = 1): Promise<OrtCheck> {
  const g = onnx.ModelProto.decode(onnxBytes).graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const input = (g.input ?? []).find((i) => !inits.has(i.name))!;
  const first = input.type?.tensorType?.shape?.dim?.[0];
  const batch = first?.dimValue != null ? Number(first.dimValue) : 2;
  const per = desc.inputShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: batch * per }, () => 2 * rng.next() - 1);
  let want: Float32Array;
  try {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = "error";
    const s = await ort.InferenceSession.create(onnxBytes, { executionProviders: ["wasm"] });
    const r = await s.run({ [input.name!]: new ort.Tensor("float32", x, [batch, ...desc.inputShape]) });
    want = r[s.outputNames[0]].data as Float32Array;
    await s.release();
  } catch (e) {
    return {
      worst: null,
      batch,
      why: `onnxruntime-web could not run it: ${String((e as Error).message).slice(0, 200)}`,
    };
  }
  const m = await loadModel(encodeModel(desc), {
    backend: "cpu",
    maxMacs: Number.MAX_VALUE,
    maxActivationBytes: Number.MAX_VALUE,
  });
  const got = await m.predict(x, { batch });
  m.dispose();
  if (got.length !== want.length) {
    throw new ConversionMismatchError(
      `the converted model gives ${got.length} outputs, onnxruntime ${want.length}`,
    );
  }
  const { worst, at } = scaleError(got, want);
  if (!(worst <= CHECK_TOLERANCE)) {
    throw new ConversionMismatchError(
      `the converted model disagrees with onnxruntime-web by ${
        worst.toExponential(2)
      } of the output's scale ` +
        `(limit ${CHECK_TOLERANCE}; output ${at}: ours ${got[at]}, onnxruntime ${want[at]}); ` +
        `nothing was written (--no-check writes it anyway)`,
    );
  }
  return { worst, batch };
}
