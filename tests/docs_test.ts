// The generated documents are what bench/perf_doc.ts makes of the results
// files: docs/PERFORMANCE.md and the README's headline block hold no figure
// typed by hand, and a results file changed without `deno task docs:perf`
// fails here.

import { assert, assertEquals } from "@std/assert";
import { performanceDoc, readmeWithHeadline } from "../bench/perf_doc.ts";

const ROOT = new URL("../", import.meta.url);

/** `text` as `deno fmt` writes markdown with the repository's settings. */
async function fmt(text: string): Promise<string> {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await p.output();
  assert(out.success, "deno fmt failed");
  return new TextDecoder().decode(out.stdout);
}

Deno.test("docs/PERFORMANCE.md is generated from the bench results files", async () => {
  const have = await Deno.readTextFile(new URL("docs/PERFORMANCE.md", ROOT));
  assertEquals(have, await fmt(await performanceDoc()), "run `deno task docs:perf`");
  assert(have.includes("## Inference"), "the inference results are in it");
});

Deno.test("the README's headline tables are generated from bench/results.md and the shipped models", async () => {
  const have = await Deno.readTextFile(new URL("README.md", ROOT));
  assertEquals(have, await fmt(await readmeWithHeadline(have)), "run `deno task docs:perf`");
  assert(have.split("\n").length <= 201, `README.md has ${have.split("\n").length - 1} lines (at most 200)`);
});
