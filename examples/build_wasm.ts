// Builds the wasm kernels: AssemblyScript (npm `assemblyscript`, a build-time
// tool only) compiles runtime/wasm/kernels.as.ts and the op folders'
// *.as.ts into runtime/wasm/tinycnn.wasm (SIMD128, no GC runtime, no
// imports). The .wasm is committed so that the package needs no build step;
// `--check` rebuilds it in memory and fails when it differs from the committed
// file (CI runs that), so the binary always comes from this source.
// Usage: deno task build:wasm [--check]

import asc from "assemblyscript/asc";

const root = new URL("..", import.meta.url);
/** The committed kernel binary. */
export const WASM_FILE = new URL("runtime/wasm/tinycnn.wasm", root);

/** Compile the kernels; returns the .wasm bytes. */
export async function buildWasm(): Promise<Uint8Array> {
  let out: Uint8Array | null = null;
  const errors: string[] = [];
  const { error } = await asc.main([
    "runtime/wasm/kernels.as.ts",
    "--outFile",
    "tinycnn.wasm",
    "-O3",
    "--converge",
    "--runtime",
    "stub",
    "--noAssert",
    "--enable",
    "simd",
    "--initialMemory",
    "1",
  ], {
    readFile: async (name: string, dir: string) => {
      try {
        return await Deno.readTextFile(new URL(`${dir}/${name}`.replace(/^\.\//, ""), root));
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith(".wasm") && typeof contents !== "string") out = contents;
    },
    listFiles: () => [],
    stderr: { write: (s: string) => (errors.push(s), true) },
    stdout: { write: () => true },
  });
  if (error || !out) throw new Error(`asc failed: ${error}\n${errors.join("")}`);
  return out;
}

if (import.meta.main) {
  const bytes = await buildWasm();
  if (Deno.args.includes("--check")) {
    const committed = await Deno.readFile(WASM_FILE).catch(() => new Uint8Array());
    const same = committed.length === bytes.length && committed.every((b, i) => b === bytes[i]);
    if (!same) {
      console.error(
        `runtime/wasm/tinycnn.wasm (${committed.length} B) differs from its source's build (${bytes.length} B): run deno task build:wasm`,
      );
      Deno.exit(1);
    }
    console.log(`runtime/wasm/tinycnn.wasm matches its source (${bytes.length} B)`);
  } else {
    await Deno.writeFile(WASM_FILE, bytes);
    console.log(`wrote runtime/wasm/tinycnn.wasm (${bytes.length} B)`);
  }
}
