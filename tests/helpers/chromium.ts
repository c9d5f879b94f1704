// Headless Debian Chromium through npm playwright-core, launched the one way
// the browser tests and the browser bench need: a fresh user-data dir,
// `--headless=new --no-sandbox`, no background networking, WebGPU
// (SwiftShader) when asked. close() shuts the browser and removes the dir.

import { type BrowserContext, chromium } from "playwright-core";
import { CHROMIUM } from "./system.ts";

/** A persistent Chromium context on a temporary profile. */
export interface Chromium {
  ctx: BrowserContext;
  close(): Promise<void>;
}

/** Launch Chromium (`webgpu`: --enable-unsafe-webgpu). */
export async function launchChromium(
  opts: { webgpu?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<Chromium> {
  const userDir = await Deno.makeTempDir({ prefix: "tinycnn-chromium-" });
  const args = [
    "--headless=new",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    ...(opts.webgpu ? ["--enable-unsafe-webgpu"] : []),
  ];
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    ...(opts.viewport ? { viewport: opts.viewport } : {}),
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      await Deno.remove(userDir, { recursive: true }).catch(() => {});
    },
  };
}
