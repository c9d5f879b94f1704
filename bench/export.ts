// Writes each benchmark model in every form the peers read: `.onnx`, a
// `.json` manifest + `.bin` weights (for TensorFlow.js / ConvNetJS drivers),
// and `.tcnn` (ours, when runtime/format/mod.ts exists). Invariant: all forms
// come from the same ModelDesc, so weights are identical byte for byte.

import type { ModelDesc } from "../runtime/format/model_desc.ts";
import { resolveLayers } from "../runtime/format/spec.ts";
import { modelToOnnx as encodeOnnx } from "../train/convert/to_onnx.ts";

export interface PeerManifest {
  name: string;
  inputShape: number[];
  outputSize: number;
  /** resolved layers with geometry and where their params sit in the .bin (float offsets) */
  layers: Record<string, unknown>[];
}

export function peerManifest(
  name: string,
  desc: ModelDesc,
): { manifest: PeerManifest; bin: Float32Array } {
  const layers = resolveLayers(desc.layers, desc.inputShape);
  const total = desc.params.flat().reduce((a, t) => a + t.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  const out = layers.map((l, i) => {
    const { spec: _s, ...geo } = l;
    const params = (desc.params[i] ?? []).map((t) => {
      bin.set(t, off);
      const r = { offset: off, length: t.length };
      off += t.length;
      return r;
    });
    return { ...geo, type: l.spec.type, params };
  });
  const last = layers[layers.length - 1].outShape.reduce((a, b) => a * b, 1);
  return {
    manifest: {
      name,
      inputShape: desc.inputShape,
      outputSize: last,
      layers: out,
    },
    bin,
  };
}

/** Write `<dir>/<name>.{json,bin,onnx[,tcnn]}`; returns the paths. */
export async function exportModel(
  dir: string,
  name: string,
  desc: ModelDesc,
  encodeTcnn?: (d: ModelDesc) => Uint8Array,
): Promise<Record<string, string>> {
  await Deno.mkdir(dir, { recursive: true });
  const { manifest, bin } = peerManifest(name, desc);
  const base = `${dir}/${name}`;
  await Deno.writeTextFile(`${base}.json`, JSON.stringify(manifest));
  await Deno.writeFile(`${base}.bin`, new Uint8Array(bin.buffer));
  await Deno.writeFile(`${base}.onnx`, encodeOnnx(desc));
  const paths: Record<string, string> = {
    json: `${base}.json`,
    bin: `${base}.bin`,
    onnx: `${base}.onnx`,
  };
  if (encodeTcnn) {
    await Deno.writeFile(`${base}.tcnn`, encodeTcnn(desc));
    paths.tcnn = `${base}.tcnn`;
  }
  return paths;
}
