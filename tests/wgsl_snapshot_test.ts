// Snapshots of generated WGSL (deno task wgsl prints the same text): a few
// representative layers' forward and backward kernels are compared with the
// committed tests/snapshots/wgsl.json (one JSON string per shader line, so a
// generator change shows up as a line diff). UPDATE_SNAPSHOTS=1 rewrites it. Also checks the
// claim of the uniform design: shapes live in the uniform record, so the same
// layer variant (same channels: register blocks follow them) at other sizes
// and batch sizes compiles to identical source.

import { assertEquals, assertNotEquals } from "@std/assert";
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

Deno.test("wgsl: a layer variant compiles to the same source at every size and batch (shapes are uniforms)", () => {
  const cases: [TrainLayerSpec, number[], number[]][] = [
    [{ type: "conv2d", filters: 16, kernel: 3 }, [8, 12, 12], [8, 30, 20]],
    [{ type: "conv1d", filters: 8, kernel: 5, dilation: 2 }, [4, 40], [4, 100]],
    [{ type: "dense", units: 32 }, [50], [300]],
    [{ type: "avgpool2d", size: 3, stride: 2, padding: "same" }, [3, 9, 9], [5, 17, 13]],
    [{ type: "batchnorm" }, [8, 6, 6], [8, 11, 3]],
    [{ type: "dropout", rate: 0.3 }, [10], [7, 7]],
    [{ type: "tanh" }, [10], [3, 4, 4]],
  ];
  for (const [spec, a, b] of cases) {
    const sa = layerShaders(spec, a, 4), sb = layerShaders(spec, b, 9);
    assertEquals(sb.map((s) => s.label), sa.map((s) => s.label), JSON.stringify(spec));
    sa.forEach((s, k) => {
      assertEquals(sb[k].code, s.code, `${JSON.stringify(spec)} ${s.label}: source depends on the shape`);
    });
    assertNotEquals(sb.map((s) => s.uniforms), sa.map((s) => s.uniforms), "the uniforms carry the shape");
  }
});
