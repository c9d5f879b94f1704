// The README works as written: every file it names exists, every `deno task`
// it names is defined, every `deno task train` line parses and never writes
// over a shipped model, every TypeScript snippet type-checks, and the
// snippets that do not start a server run and print.

import { assert, assertEquals } from "@std/assert";
import { parseCli } from "../train/cli_args.ts";
import { resolveDataDefaults } from "../train/defaults.ts";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));
const TASKS = Object.keys(JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks);

/** Shell lines of the sh blocks, with `\` continuations joined and comments dropped. */
function shellLines(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) => b.replace(/\\\n\s*/g, " ").split("\n")).map((l) =>
    l.replace(/\s+#.*$/, "").trim()
  )
    .filter(Boolean);
}

Deno.test("README: every repository file it names exists", async () => {
  const paths = new Set<string>();
  const re = /(?<![\w/.-])((?:examples|weights|docs|bench|tests|runtime|train|\.ci)\/[\w./-]*\.\w+)/g;
  for (const m of README.matchAll(re)) paths.add(m[1]);
  for (const m of README.matchAll(/\]\(([\w./-]+)\)/g)) if (!m[1].startsWith("http")) paths.add(m[1]);
  const missing: string[] = [];
  for (const p of paths) {
    // outputs the README tells the user to create are not expected to exist
    if (/^weights\/my-|mnist-small|^dist\//.test(p)) continue;
    try {
      await Deno.stat(new URL(p, ROOT));
    } catch {
      missing.push(p);
    }
  }
  assertEquals(missing, [], `README names missing files: ${missing.join(", ")}`);
  assert(paths.size > 10, `found only ${paths.size} paths`);
});

Deno.test("README: every `deno task` it names exists; train lines parse and never overwrite a shipped model", async () => {
  // the shipped models are the rows of the README's table (a user's own run may add files to weights/)
  const shipped = new Set([...README.matchAll(/^\| `([\w.-]+\.tcnn)`/gm)].map((m) => m[1]));
  assert(shipped.size >= 3, `found ${shipped.size} shipped models in the README table`);
  for (const f of shipped) await Deno.stat(new URL(`weights/${f}`, ROOT));
  let trains = 0;
  for (const line of shellLines()) {
    const m = /(?:npx -y deno@[\d.]+|deno) task ([\w:-]+)(.*)$/.exec(line);
    if (!m) continue;
    assert(TASKS.includes(m[1]), `README uses "deno task ${m[1]}", deno.json has ${TASKS.join(", ")}`);
    if (m[1] !== "train") continue;
    trains++;
    const args = m[2].trim().split(/\s+/).filter(Boolean);
    const cli = parseCli(args); // throws UsageError on a bad flag
    if (cli.help) continue;
    const out = resolveDataDefaults(cli, 1000, false, cli.dataset ?? cli.data ?? "data").out;
    const name = out.replace(/^weights\//, "");
    assert(
      !(out.startsWith("weights/") && shipped.has(name)),
      `README line would overwrite a shipped model: ${line}`,
    );
  }
  assert(trains >= 4, `found ${trains} train lines`);
});

/** Type-check `doc`'s TypeScript snippets, then run each one that starts no server (from `doc`'s folder, cwd the root). */
async function checkSnippets(doc: string, text: string, atLeast: number): Promise<void> {
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc-only", doc],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) =>
    !/Deno\.serve/.test(b)
  );
  assert(blocks.length >= atLeast, `${doc}: ${blocks.length} snippets`);
  const dir = doc.includes("/") ? doc.slice(0, doc.lastIndexOf("/") + 1) : "";
  for (const [i, code] of blocks.entries()) {
    const file = new URL(`${dir}.readme_snippet_${i}.ts`, ROOT);
    await Deno.writeTextFile(file, code);
    try {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unstable-webgpu", file.pathname],
        cwd: ROOT,
        env: { TINYCNN_README_TEST: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(r.stdout), err = new TextDecoder().decode(r.stderr);
      assertEquals(r.code, 0, `${doc} snippet ${i} failed:\n${code}\n${err}`);
      assert(out.trim().length > 0, `${doc} snippet ${i} printed nothing`);
    } finally {
      await Deno.remove(file);
    }
  }
}

Deno.test("README: TypeScript snippets type-check, and those without a server run", async () => {
  await checkSnippets("README.md", README, 3);
});

Deno.test("docs/GUIDE.md: its snippets type-check and run, and every relative link resolves", async () => {
  const guide = await Deno.readTextFile(new URL("docs/GUIDE.md", ROOT));
  await checkSnippets("docs/GUIDE.md", guide, 2);
  for (const doc of ["docs/GUIDE.md", "docs/TRAINING.md", "docs/PERFORMANCE.md"]) {
    const text = await Deno.readTextFile(new URL(doc, ROOT));
    const missing: string[] = [];
    for (const m of text.matchAll(/\]\(([\w./-]+)(?:#[\w-]*)?\)/g)) {
      if (m[1].startsWith("http")) continue;
      try {
        await Deno.stat(new URL(m[1], new URL(doc, ROOT)));
      } catch {
        missing.push(m[1]);
      }
    }
    assertEquals(missing, [], `${doc} links to missing files`);
  }
});
