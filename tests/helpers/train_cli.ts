// Test helpers for the training CLI: run `train/main.ts` in a fresh Deno
// process and collect its exit code and output; run a block in a temporary
// directory that is always removed.

const MAIN = new URL("../../train/main.ts", import.meta.url).pathname;

/** The CLI's exit code, stdout and stderr for `args`. */
export async function runTrain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-webgpu", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Run `fn` in a new temporary directory, removed afterwards whatever happens. */
export async function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
