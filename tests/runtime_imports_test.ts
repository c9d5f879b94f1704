// The runtime must run unchanged in Deno, browsers, Node, Bun and workerd:
// runtime/ and mod.ts import only relative runtime files and never use Deno.*,
// node: or npm: (comments excluded).
import { assertEquals } from "@std/assert";

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

Deno.test("runtime/ and mod.ts import nothing but relative runtime files and web standards", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const files = [`${root}mod.ts`, `${root}cpu.ts`];
  for await (const f of walk(`${root}runtime`)) files.push(f);
  const problems: string[] = [];
  for (const f of files) {
    const src = (await Deno.readTextFile(f)).replace(/\/\*[\s\S]*?\*\//g, "").replace(
      /(^|[^:])\/\/.*$/gm,
      "$1",
    );
    for (
      const m of src.matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']/g)
    ) {
      const spec = m[1] ?? m[2];
      const resolved = new URL(spec, `file://${f}`).pathname;
      if (
        !spec.startsWith(".") || !(resolved.startsWith(`${root}runtime/`) || resolved === `${root}mod.ts`)
      ) {
        problems.push(`${f}: imports ${spec}`);
      }
    }
    for (const bad of [/\bDeno\./, /["']node:/, /["']npm:/, /["']jsr:/]) {
      if (bad.test(src)) problems.push(`${f}: uses ${bad}`);
    }
  }
  assertEquals(problems, []);
});
