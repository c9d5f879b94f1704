// Snapshots of generated WGSL (deno task wgsl prints the same text): a few
// representative layers' forward and backward kernels are compared with the
// committed tests/snapshots/wgsl.json (one JSON string per shader line, so a
// generator change shows up as a line diff). UPDATE_SNAPSHOTS=1 rewrites it. Also checks the
// claim of the uniform design: the batch always lives in the uniform record,
// and so do the sizes of every kernel not specialised on its layer (the same
// variant at other sizes compiles to identical source).

import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { layerShaders } from "../train/print_wgsl.ts";
import type { TrainLayerSpec } from "../train/backend.ts";

const FILE = new URL("./snapshots/wgsl.json", import.meta.url);
const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

const CASES: [string, TrainLayerSpec, number[]][] = [
  ["conv2d_3x3", { type: "conv2d", filters: 8, kernel: 3, padding: "same" }, [4, 9, 9]],
  ["conv2d_stride2_depthwise", { type: "conv2d", filters: 6, kernel: 3, stride: 2, groups: 6 }, [6, 9, 9]],
  ["dense", { type: "dense", units: 10 }, [20]],
  ["maxpool2d", { type: "maxpool2d", size: 2 }, [4, 8, 8]],
  ["batchnorm", { type: "batchnorm" }, [4, 5, 5]],
  ["add_3_inputs", { type: "add", inputs: [0, 1, 2] }, [4, 5, 5]],
  ["concat", { type: "concat" }, [4, 5, 5]],
];

/** Every kernel of a case as lines: a header per kernel, then its source. */
const lines = (spec: TrainLayerSpec, shape: number[]) =>
  layerShaders(spec, shape, 2).flatMap((
    s,
  ) => [`// ===== ${s.pass}: ${s.label}`, ...s.code.trimEnd().split("\n")]);

Deno.test("wgsl snapshots: conv 3×3, strided depthwise conv, dense, max pool and batchnorm kernels", async () => {
  const got = Object.fromEntries(CASES.map(([name, spec, shape]) => [name, lines(spec, shape)]));
  if (update) await Deno.writeTextFile(FILE, JSON.stringify(got, null, 2) + "\n");
  const want = JSON.parse(await Deno.readTextFile(FILE));
  for (const [name, spec, shape] of CASES) {
    assertEquals(
      got[name],
      want[name],
      `generated WGSL of ${name} (${JSON.stringify(spec)} at ${
        shape.join("×")
      }) changed; review the diff and rerun with UPDATE_SNAPSHOTS=1`,
    );
  }
});

/** Kernels specialised on their layer's sizes (baked WGSL constants, measured to pay on llvmpipe); never on the batch. */
const SPECIALISED = new Set([
  "dense dX",
  "dense dW",
  "maxpool dX tiled",
  "maxpool dX tiled+relu",
  "conv dX unit",
  "conv dW lanes",
]);

Deno.test("wgsl: every kernel has the same source at every batch size, and unspecialised ones at every size", () => {
  const cases: [TrainLayerSpec, number[], number[]][] = [
    [{ type: "conv2d", filters: 16, kernel: 3 }, [8, 12, 12], [8, 30, 20]],
    [{ type: "conv2d", filters: 8, kernel: 7, stride: 2 }, [4, 20, 20], [4, 33, 27]],
    [{ type: "conv1d", filters: 8, kernel: 5, dilation: 2 }, [4, 40], [4, 100]],
    [{ type: "dense", units: 32 }, [50], [300]],
    [{ type: "maxpool2d", size: 2 }, [3, 8, 8], [3, 15, 9]],
    [{ type: "avgpool2d", size: 3, stride: 2, padding: "same" }, [3, 9, 9], [5, 17, 13]],
    [{ type: "batchnorm" }, [8, 6, 6], [8, 11, 3]],
    [{ type: "dropout", rate: 0.3 }, [10], [7, 7]],
    [{ type: "tanh" }, [10], [3, 4, 4]],
  ];
  let shared = 0, specialised = 0;
  for (const [spec, a, b] of cases) {
    const what = JSON.stringify(spec);
    const s4 = layerShaders(spec, a, 4), s9 = layerShaders(spec, a, 9), other = layerShaders(spec, b, 9);
    assertEquals(other.map((s) => s.label), s4.map((s) => s.label), what);
    s4.forEach((s, k) => {
      assertEquals(s9[k].code, s.code, `${what} ${s.label}: source depends on the batch`);
      if (SPECIALISED.has(s.label)) return void specialised++;
      shared++;
      assertEquals(other[k].code, s.code, `${what} ${s.label}: source depends on the shape`);
    });
    assertNotEquals(other.map((s) => s.uniforms), s4.map((s) => s.uniforms), "the uniforms carry the shape");
  }
  assert(shared >= 2 * specialised, `${shared} shape-independent kernels, ${specialised} specialised`);
});
