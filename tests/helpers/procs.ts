// Test helper: start a server process on 127.0.0.1, wait until it answers,
// and always stop it (SIGTERM, then SIGKILL) — use with try/finally or
// `await using`. Output is captured and shown if startup fails.

import workerdPkg from "workerd";

export interface Server {
  url: string;
  port: number;
  /** the server process */
  pid: number;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound once, then released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function drain(s: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const dec = new TextDecoder();
  for await (const c of s) {
    sink.push(dec.decode(c));
    if (sink.length > 200) sink.splice(0, sink.length - 200);
  }
}

/**
 * Spawn `cmd args`, then poll `GET url+probe` until it answers (any status)
 * or `timeoutMs` passes. Throws with the process output when it never does.
 */
export async function startServer(
  cmd: string,
  args: string[],
  port: number,
  opts: { env?: Record<string, string>; cwd?: string; probe?: string; timeoutMs?: number } = {},
): Promise<Server> {
  const child = new Deno.Command(cmd, {
    args,
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const drains = Promise.all([drain(child.stdout, log), drain(child.stderr, log)]).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const t = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 3000);
      await status;
      clearTimeout(t);
    }
    await drains;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    while (true) {
      if (exited) throw new Error(`${cmd} exited early (${(await status).code})`);
      try {
        const r = await fetch(url + (opts.probe ?? "/"), { signal: AbortSignal.timeout(5000) });
        await r.body?.cancel();
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`${cmd} did not answer on ${url}: ${e}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- output ---\n${log.join("")}`);
  }
  return { url, port, pid: child.pid, stop, [Symbol.asyncDispose]: stop };
}

/** The workerd binary shipped by npm `workerd`. */
export const WORKERD: string = (workerdPkg as unknown as { default?: string }).default ??
  (workerdPkg as unknown as string);

/** `deno serve` of `handler` on 127.0.0.1:port (a free port when omitted), waited for like startServer. */
export function startDenoServe(
  handler: string,
  opts: { port?: number; env?: Record<string, string>; probe?: string } = {},
): Promise<Server> {
  const port = opts.port ?? freePort();
  const args = ["serve", "--quiet", "-A", "--host", "127.0.0.1", "--port", String(port), handler];
  return startServer(Deno.execPath(), args, port, { env: { NO_COLOR: "1", ...opts.env }, probe: opts.probe });
}

/** `workerd serve config` on 127.0.0.1:port (a free port when omitted), waited for like startServer. */
export function startWorkerd(config: string, opts: { port?: number; probe?: string } = {}): Promise<Server> {
  const port = opts.port ?? freePort();
  return startServer(WORKERD, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], port, {
    probe: opts.probe,
  });
}
