// The import graph of the repository's own TypeScript, read from the source:
// every static import/export-from and dynamic import with a literal
// specifier, comments excluded (a JSDoc @example's imports are not edges).
// Invariant: relative specifiers are resolved to absolute paths; others
// (npm:, node:, jsr:, bare import-map names) are kept as written.

/** Every .ts file under `dir`, recursively (node_modules skipped). */
export async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name === "node_modules") continue;
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* tsFiles(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

/** `src` without its comments (block and line; `://` in URLs kept). */
export function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/** The specifiers `file` imports: [as written, resolved path or the specifier itself]. */
export async function importsOf(file: string): Promise<[spec: string, target: string][]> {
  const src = stripComments(await Deno.readTextFile(file));
  const out: [string, string][] = [];
  for (
    const m of src.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']/g)
  ) {
    const spec = m[1] ?? m[2];
    out.push([spec, spec.startsWith(".") ? new URL(spec, `file://${file}`).pathname : spec]);
  }
  return out;
}
