// The runtime must run unchanged in Deno, browsers, Node, Bun and workerd:
// runtime/ and mod.ts import only relative runtime files and never use Deno.*,
// node: or npm: (comments excluded).
import { assertEquals } from "@std/assert";
import { importsOf, stripComments, tsFiles } from "./helpers/imports.ts";

Deno.test("runtime/ and mod.ts import nothing but relative runtime files and web standards", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const files = [`${root}mod.ts`, `${root}cpu.ts`];
  for await (const f of tsFiles(`${root}runtime`)) files.push(f);
  const problems: string[] = [];
  for (const f of files) {
    for (const [spec, resolved] of await importsOf(f)) {
      if (
        !spec.startsWith(".") || !(resolved.startsWith(`${root}runtime/`) || resolved === `${root}mod.ts`)
      ) {
        problems.push(`${f}: imports ${spec}`);
      }
    }
    const src = stripComments(await Deno.readTextFile(f));
    for (const bad of [/\bDeno\./, /["']node:/, /["']npm:/, /["']jsr:/]) {
      if (bad.test(src)) problems.push(`${f}: uses ${bad}`);
    }
  }
  assertEquals(problems, []);
});

/** The layer of a repository file: its top-level folder (mod.ts and cpu.ts belong to runtime). */
function layerOf(root: string, path: string): string {
  const rel = path.slice(root.length);
  return rel === "mod.ts" || rel === "cpu.ts" ? "runtime" : rel.split("/")[0];
}

/**
 * What each layer may import besides itself: bench → train → runtime, never the reverse. bench, at the top,
 * also uses the build scripts of examples/ and the process/browser helpers of tests/helpers/.
 */
const MAY_IMPORT: Record<string, string[]> = {
  runtime: [],
  train: ["runtime"],
  bench: ["train", "runtime", "examples", "tests"],
};

/** The strongly connected components of more than one file (or a file importing itself): Tarjan's, iterative. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [], found: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [v, k] = top;
      if (k === 0) {
        index.set(v, next), low.set(v, next++), stack.push(v), onStack.add(v);
      }
      const out = graph.get(v) ?? [];
      if (k < out.length) {
        top[1]++;
        const w = out[k];
        if (!graph.has(w)) continue;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!, onStack.delete(w), scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || out.includes(v)) found.push(scc.sort());
      }
    }
  }
  return found;
}

Deno.test("the import graph of runtime/, train/ and bench/ has no cycle and layers bench → train → runtime", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const files = [`${root}mod.ts`, `${root}cpu.ts`];
  for (const dir of ["runtime", "train", "bench"]) {
    for await (const f of tsFiles(`${root}${dir}`)) files.push(f);
  }
  const graph = new Map<string, string[]>();
  const wrongWay: string[] = [];
  for (const f of files) {
    const targets = (await importsOf(f)).filter(([spec]) => spec.startsWith(".")).map(([, t]) => t);
    graph.set(f, targets);
    const from = layerOf(root, f);
    for (const t of targets) {
      const to = layerOf(root, t);
      if (to !== from && !MAY_IMPORT[from].includes(to)) {
        wrongWay.push(`${f.slice(root.length)} (${from}) imports ${t.slice(root.length)} (${to})`);
      }
    }
  }
  assertEquals(wrongWay, [], "imports against the layering");
  const rel = cycles(graph).map((c) => c.map((f) => f.slice(root.length)));
  assertEquals(rel, [], "import cycles");
  // the check itself finds a cycle when there is one
  assertEquals(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])), [["a", "b", "c"]]);
});
