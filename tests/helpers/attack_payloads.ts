// Test helper: hostile request bodies for the edge attack suite — PNG
// decompression bombs, extreme aspect ratios, a valid 4096² RGBA PNG — and a
// raw-TCP client for what fetch() will not send (chunked bodies of 1-byte
// chunks, the `OPTIONS *` request target). Loopback only.

import { crc32 } from "../../runtime/format/crc32.ts";
import { encodePng } from "./png_encode.ts";

/** A PNG chunk (length, type, body, CRC). */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const c = new Uint8Array(12 + body.length);
  const dv = new DataView(c.buffer);
  dv.setUint32(0, body.length);
  c.set(new TextEncoder().encode(type), 4);
  c.set(body, 8);
  dv.setUint32(8 + body.length, crc32(c, 4, 8 + body.length));
  return c;
}

/** A gray 8-bit PNG of `w`×`h` whose IDAT holds `zeroMiB` MiB of deflated zeros (a bomb when that is more than h·(w+1)). */
export async function zeroPng(w: number, h: number, zeroMiB: number): Promise<Uint8Array> {
  const cs = new CompressionStream("deflate");
  const wr = cs.writable.getWriter();
  const zeros = new Uint8Array(1 << 20);
  const writing = (async () => {
    for (let i = 0; i < zeroMiB; i++) await wr.write(zeros);
    await wr.close();
  })();
  const z = new Uint8Array(await new Response(cs.readable).arrayBuffer());
  await writing;
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr[8] = 8;
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", z),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}

/** A valid 4096×4096 RGBA PNG (a horizontal ramp; ~80 KB), Adam7-interlaced when asked. */
export async function rgba4096(interlace = false): Promise<Uint8Array> {
  const w = 4096, h = 4096, px = new Uint8Array(w * h * 4);
  for (let i = 0; i < px.length; i += 4) px.set([(i >> 14) & 255, 100, 50, 255], i);
  return await encodePng(px, w, h, 4, { filter: 1, interlace });
}

/** Send raw HTTP/1.1 bytes to 127.0.0.1:port and return the status code of the answer. */
export async function rawRequest(port: number, head: string, body: Uint8Array[] = []): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const enc = new TextEncoder();
    await conn.write(enc.encode(head));
    for (const b of body) await conn.write(b);
    const buf = new Uint8Array(4096);
    let text = "";
    while (!/\r\n/.test(text)) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    if (!m) throw new Error(`no HTTP status line in ${JSON.stringify(text.slice(0, 80))}`);
    return Number(m[1]);
  } finally {
    conn.close();
  }
}

/** A chunked-encoding body of `n` one-byte chunks, batched into writes of `batch` chunks. */
export function oneByteChunks(n: number, batch = 500): Uint8Array[] {
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i += batch) {
    out.push(enc.encode("1\r\nx\r\n".repeat(Math.min(batch, n - i))));
  }
  out.push(enc.encode("0\r\n\r\n"));
  return out;
}

/** Resident and peak resident memory of a process (Linux /proc), in bytes; null elsewhere. */
export async function procMemory(pid: number): Promise<{ rss: number; hwm: number } | null> {
  try {
    const s = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)![1]) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null;
  }
}

/**
 * Run `fn` while sampling the process's resident memory every 2 ms; returns
 * its result and how far RSS rose above its value just before (0 where /proc
 * is missing).
 */
export async function rssRiseDuring<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; rise: number }> {
  const before = (await procMemory(pid))?.rss ?? 0;
  let peak = before, running = true;
  const sampler = (async () => {
    while (running) {
      const m = await procMemory(pid);
      if (m) peak = Math.max(peak, m.rss);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  try {
    const result = await fn();
    return { result, rise: Math.max(0, peak - before) };
  } finally {
    running = false;
    await sampler;
    const m = await procMemory(pid);
    if (m) peak = Math.max(peak, m.rss);
  }
}
