// The CDN bundle: examples/build_bundle.ts builds dist/tinycnn.min.js from
// runtime/cdn.ts (the inference API of mod.ts). Its inputs must be runtime
// files only — no train/, node_modules or npm: code — and no export-time code
// (encoder, quantizers); every export is the same object as mod.ts's; sizes
// and the largest inputs are reported (goal ≤ 30 KiB minified, ≤ 10 KiB
// gzipped — reported, not asserted); the bundle imported in Deno predicts
// exactly what mod.ts predicts on the CPU, and on WebGPU within 1e-4 (its
// WGSL is minified at build time: the WGSL token sequence of every template
// must be unchanged). With REQUIRE_WEBGPU=1 a missing adapter fails the GPU
// step; without it the step is skipped with a message.

import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import * as tinycnn from "../mod.ts";
import * as cdn from "../runtime/cdn.ts";
import { buildBundle, ENTRY, WGSL_SOURCES } from "../examples/build_bundle.ts";
import { findTemplates, minifyQuasi, minifyWgslTemplates } from "../examples/minify_wgsl.ts";
import { fixtureModelBytes } from "./helpers/fixture_model.ts";
import { fashionTestImages } from "./helpers/fashion.ts";
import { required } from "./helpers/system.ts";

Deno.test("bundle entry: a subset of mod.ts (same objects), without the encoder", () => {
  assertEquals(ENTRY, "runtime/cdn.ts");
  for (const [name, v] of Object.entries(cdn)) {
    assert((tinycnn as Record<string, unknown>)[name] === v, `${name} differs from mod.ts`);
  }
  for (const name of ["loadModel", "Model", "decodeModel", "decodePng", "ModelFormatError", "GpuError"]) {
    assert(name in cdn, `runtime/cdn.ts lacks ${name}`);
  }
  assert(!("encodeModel" in cdn));
});

/** WGSL tokens of a quasi: comments dropped, word runs, operator runs, single other chars. */
function wgslTokens(raw: string): string[] {
  const text = raw.replaceAll("\\n", "\n").replace(/\/\/[^\n]*/g, "");
  return text.match(/[\w.\\]+|[-+*/%<>=!&|^~]+|\S/g) ?? [];
}

Deno.test("bundle: minified WGSL templates keep their tokens, lines and interpolation edges", async () => {
  const runtime = new URL("../runtime/", import.meta.url).pathname;
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (WGSL_SOURCES.test(p)) sources.push(p);
    }
  };
  walk(runtime.replace(/\/$/, ""));
  let files = 0, saved = 0;
  for (const path of sources) {
    const e = { name: path.slice(runtime.length) };
    files++;
    const src = await Deno.readTextFile(path);
    const min = minifyWgslTemplates(src);
    saved += src.length - min.length;
    assertEquals(min.split("\n").length, src.split("\n").length, `${e.name}: line count changed`);
    const a = findTemplates(src), b = findTemplates(min);
    assertEquals(a.length, b.length, e.name);
    a.forEach((t, k) => {
      assertEquals(t.quasis.length, b[k].quasis.length, `${e.name} template ${k}`);
      t.quasis.forEach(([s0, e0], q) => {
        const orig = src.slice(s0, e0), got = min.slice(b[k].quasis[q][0], b[k].quasis[q][1]);
        const what = `${e.name} template ${k} quasi ${q}: ${JSON.stringify(orig.slice(0, 60))}`;
        assertEquals(wgslTokens(got), wgslTokens(orig), what);
        // whitespace next to an interpolation survives unless a separator makes it needless
        if (/^\s/.test(orig)) assert(/^(\s|[(){}[\];,])/.test(got), `${what}: leading space lost`);
        if (/\s$/.test(orig)) assert(/(\s|[(){}[\];,])$/.test(got), `${what}: trailing space lost`);
      });
    });
  }
  assert(files >= 3, `only ${files} WGSL generator files found`);
  console.log(`minify_wgsl: ${saved} bytes of WGSL whitespace and comments removed from ${files} files`);
  // tokens that would fuse keep their space; a comment that runs into an interpolation stays
  assertEquals(
    minifyQuasi("a - -b;  x = y >> 1;\n  let v: vec4<f32> = w;", false),
    "a- -b;x=y>>1;\nlet v:vec4<f32> =w;",
  );
  assertEquals(minifyQuasi("  // keep ", true), " // keep ");
  assertEquals(minifyQuasi("x; // drop\n", false), "x;\n");
});

Deno.test("bundle: runtime-only inputs, size report, same predictions as mod.ts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-bundle-" });
  try {
    const b = await buildBundle(dir);
    console.log(
      `bundle: ${b.bytes} bytes minified (${(b.bytes / 1024).toFixed(1)} KiB, goal ≤ 30), ` +
        `${b.gzipBytes} bytes gzipped (${
          (b.gzipBytes / 1024).toFixed(1)
        } KiB, goal ≤ 10), ${b.inputs.length} inputs`,
    );
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/tinycnn.meta.json`));
    const out = Object.values(
      meta.outputs as Record<string, { inputs: Record<string, { bytesInOutput: number }> }>,
    )
      .find((o) => Object.keys(o.inputs).length > 0)!;
    const top = Object.entries(out.inputs).sort((x, y) => y[1].bytesInOutput - x[1].bytesInOutput).slice(
      0,
      8,
    );
    console.log(`largest inputs: ${top.map(([f, i]) => `${f} ${i.bytesInOutput}`).join(", ")}`);

    const bad = b.inputs.filter((p) => !p.startsWith("runtime/"));
    assertEquals(bad, [], `bundle inputs outside runtime/: ${bad.join(", ")}`);
    assert(b.inputs.includes(ENTRY));
    const exportTime = b.inputBytes.filter(([p, n]) => n > 0 && /format\/encode|int8/.test(p));

    assertEquals(exportTime, [], `export-time code in the bundle: ${exportTime.join(", ")}`);
    const map = JSON.parse(await Deno.readTextFile(`${b.file}.map`));
    assertEquals(map.version, 3);
    const code = await Deno.readTextFile(b.file);
    assert(code.includes("//# sourceMappingURL=tinycnn.min.js.map"));
    for (const s of ["encode:", "int8 needs finite weights", "overflows f16"]) {
      assert(!code.includes(s), `export-time code in the bundle: found "${s}"`);
    }

    const bundled: typeof cdn = await import(new URL(`file://${b.file}`).href);
    for (const name of Object.keys(cdn)) assert(name in bundled, `bundle lacks export ${name}`);
    const bytes = fixtureModelBytes();
    const ref = await tinycnn.loadModel(bytes, { backend: "cpu" });
    const got = await bundled.loadModel(bytes, { backend: "cpu" });
    try {
      const images = await fashionTestImages(4);
      const x = new Float32Array(4 * 784);
      images.forEach((im, i) => im.pixels.forEach((v, j) => x[i * 784 + j] = v / 255));
      assertEquals(await got.predict(x, { batch: 4 }), await ref.predict(x, { batch: 4 }));
      for (const im of images) {
        assertEquals(await got.classify(im.png, { topK: 3 }), await ref.classify(im.png, { topK: 3 }));
      }
      assertEquals(got.summary(), ref.summary());
      // the bundle's (minified) WGSL on WebGPU
      let gpu: tinycnn.Model | null = null;
      try {
        gpu = await bundled.loadModel(bytes, { backend: "webgpu" });
      } catch (e) {
        if (!(e instanceof bundled.GpuError) || required("WEBGPU")) throw e;
        console.log(
          `bundle: no WebGPU (${e.message}), GPU step skipped (set REQUIRE_WEBGPU=1 to fail instead)`,
        );
      }
      if (gpu) {
        try {
          const y = await gpu.predict(x, { batch: 4 }), want = await ref.predict(x, { batch: 4 });
          const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
          assert(worst <= 1e-4, `bundle on WebGPU differs from mod.ts on the CPU by ${worst}`);
          assertEquals(gpu.backend, "webgpu");
        } finally {
          gpu.dispose();
        }
      }
      // typed errors survive bundling, with their messages
      let err: unknown;
      try {
        bundled.decodeModel(new Uint8Array(8));
      } catch (e) {
        err = e;
      }
      assert(err instanceof bundled.ModelFormatError, `got ${err}`);
      const fe = err as InstanceType<typeof bundled.ModelFormatError>;
      assertEquals(fe.offset, 0);
      assert(fe.message.includes("wrong magic"), fe.message);
    } finally {
      ref.dispose();
      got.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bundle: the CPU-only build (cpu.ts) holds no WebGPU code, answers like mod.ts, and stays within its size budget", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tinycnn-bundle-cpu-" });
  try {
    const [full, cpu] = [await buildBundle(dir), await buildBundle(dir, true)];
    console.log(
      `bundles: full ${full.bytes} B / ${full.gzipBytes} B gz, CPU-only ${cpu.bytes} B / ${cpu.gzipBytes} B gz ` +
        `(issue targets 18 KB / 10 KB gz); CPU-only largest: ${
          cpu.inputBytes.slice(0, 6).map(([f, n]) => `${f} ${n}`).join(", ")
        }`,
    );
    const gpuCode = cpu.inputs.filter((p) => /webgpu\/|(^|\/)load\.ts$/.test(p));
    assertEquals(gpuCode, [], `WebGPU code in the CPU-only bundle: ${gpuCode.join(", ")}`);
    // regression guards at this build's size + ~4% (the issue's 10 KB / 18 KB gz goals are not met yet);
    // raised from 22,000 / 28,000 when format 1.1's layers (transposed conv, upsampling, clip, hardswish,
    // causal padding) joined, and from 23,500 / 30,500 with graphs (links, add/concat/mul, the slot plan),
    // variable input sizes (inputRange, per-size executors), hardsigmoid, avgpool countPad and the GEMM
    // transposed conv: measured 27,110 / 34,539 B gz
    // 28,200 until the activation table (2026-12-07): each entry carries its WGSL strings, which the CPU build
    // ships unused (~0.3 KB gz); splitting them out is left for the wasm engine's per-backend entries
    // 28,500 / 35,900 until the per-op resolvers, the model-owned scratch and the byte-bounded size cache
    // (2026-12-07: measured 28,841 / 36,188 B gz); 29,000 / 36,400 until every message quoted user input
    // through runtime/quote.ts (bounded, escaped: measured 29,208 / 36,545 B gz); 29,600 / 37,000 until the
    // wasm engine's loader, arena executor and per-op wasm entries (measured 31,217 / 38,572 B gz; the
    // kernels themselves are the separate tinycnn.wasm beside the bundle, budget 40 KB gz); 32,000 / 39,500
    // until the ONNX unary family (softsign … affine, erf, logsoftmax: ten table entries and their WGSL,
    // measured 32,338 / 39,681 B gz); 32,800 / 40,200 until the per-channel (scale, prelu) and pad ops
    // (measured 33,108 / 40,875 B gz: each op is its resolver, CPU kernel and WGSL, ~0.3 KB gz); 33,600 /
    // 41,400 until lrn (measured 33,420 / 41,401 B gz); 34,000 / 42,000 until shuffle, reciprocal and
    // instancenorm (measured 33,899 / 42,128 B gz); 34,500 / 42,800 until depth↔space and softmax's axis
    // (measured 34,537 / 43,172 B gz); 35,000 / 43,600 until dilated max pools and the channel slice
    // (measured 35,120 / 44,045 B gz; the session's 25 new ops and layer types cost 3.9 KB gz in all);
    // 35,600 / 44,600 until the PNG decoder ran in turns of the event loop and resized Adam7 spans without
    // holding the image (measured 35,719 / 44,633 B gz)
    assert(cpu.gzipBytes <= 36_200, `CPU-only bundle is ${cpu.gzipBytes} B gz, budget 36,200`);
    assert(full.gzipBytes <= 45_100, `full bundle is ${full.gzipBytes} B gz, budget 45,100`);
    assert(cpu.wasmGzipBytes <= 40_000, `tinycnn.wasm is ${cpu.wasmGzipBytes} B gz, budget 40,000`);
    console.log(`tinycnn.wasm beside the bundle: ${cpu.wasmBytes} B / ${cpu.wasmGzipBytes} B gz`);
    const bundled: typeof cdn = await import(new URL(`file://${cpu.file}`).href);
    for (const name of Object.keys(cdn)) assert(name in bundled, `CPU-only bundle lacks export ${name}`);
    const bytes = fixtureModelBytes();
    const ref = await tinycnn.loadModel(bytes, { backend: "cpu" });
    const got = await bundled.loadModel(bytes, { backend: "cpu" });
    // the bundle finds tinycnn.wasm beside itself: auto runs on it
    const wasm = await bundled.loadModel(bytes);
    try {
      assertEquals(got.backend, "cpu");
      assertEquals(wasm.backend, "wasm", JSON.stringify(wasm.summary().cpuEngine));
      const [im] = await fashionTestImages(1);
      const want = await ref.classify(im.png, { topK: 3 });
      assertEquals(await got.classify(im.png, { topK: 3 }), want);
      const w = await wasm.classify(im.png, { topK: 3 });
      assertEquals(w.map((p) => p.label), want.map((p) => p.label));
      w.forEach((p, i) => assertAlmostEquals(p.probability, want[i].probability, 1e-5));
      await assertRejects(
        () => bundled.loadModel(bytes, { backend: "webgpu" }),
        bundled.GpuError,
        "CPU-only build",
      );
    } finally {
      got.dispose();
      wasm.dispose();
      ref.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
