// Small file-system helpers of the training side (Deno APIs).

/** Whether `path` exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `path` as a record of a run may show it: relative to the working directory when it lies inside it, else
 * only its file name behind "…/" — never an absolute path of the training machine.
 *
 * @example
 * ```ts
 * import { portablePath } from "./fs_util.ts";
 * if (portablePath(`${Deno.cwd()}/weights/a.tcnn`) !== "weights/a.tcnn") throw new Error();
 * if (portablePath("/root/runs/x/m.tcnn", "/work") !== "…/m.tcnn") throw new Error();
 * if (portablePath("weights/a.tcnn") !== "weights/a.tcnn") throw new Error();
 * ```
 */
export function portablePath(path: string, cwd: string = Deno.cwd()): string {
  if (!path.startsWith("/")) return path;
  const base = cwd.endsWith("/") ? cwd : `${cwd}/`;
  if (path.startsWith(base)) return path.slice(base.length);
  return `…/${path.slice(path.lastIndexOf("/") + 1)}`;
}

/** Every argument of a command line with its absolute paths (`/x`, `--flag=/x`) made portable. */
export function portableArgs(argv: readonly string[], cwd: string = Deno.cwd()): string[] {
  return argv.map((a) => {
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    return eq > 0 ? `${a.slice(0, eq + 1)}${portablePath(a.slice(eq + 1), cwd)}` : portablePath(a, cwd);
  });
}
