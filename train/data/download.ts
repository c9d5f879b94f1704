// Named datasets fetched into a cache on first use: the official files are
// downloaded to $XDG_CACHE_HOME/tinycnn/<dataset> (or ~/.cache/tinycnn/…),
// resumable (a `.part` file continued with an HTTP Range request), with
// progress, a size bound and a checksum checked before the file is moved into
// place. Invariants: a file is only ever visible under its final name after
// its checksum matched (sha256 of the decompressed bytes, so a mirror that
// re-compresses still verifies, or md5 of the file as served); a mismatch
// deletes the partial file and throws; nothing is fetched when a verified
// copy exists.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { maybeGunzip } from "./idx.ts";

export interface RemoteFile {
  /** file name in the cache and at the end of the URL */
  name: string;
  /** hex sha256 of the decompressed content */
  sha256?: string;
  /** hex md5 of the file as served */
  md5?: string;
  /** upper bound on the served size */
  maxBytes: number;
}

export interface RemoteDataset {
  /** base URL the file names are appended to */
  base: string;
  files: RemoteFile[];
}

const MIB = 2 ** 20;

/** The official files of the downloadable datasets (checksums: the published md5s; sha256 of the IDX content). */
export const REMOTE: Record<string, RemoteDataset> = {
  "fashion-mnist": {
    // the copy Keras downloads (tf.keras.datasets.fashion_mnist), over https; the sha256 checks the content
    base: "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    files: [
      {
        name: "train-images-idx3-ubyte.gz",
        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        maxBytes: 40 * MIB,
      },
      {
        name: "train-labels-idx1-ubyte.gz",
        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        maxBytes: MIB,
      },
      {
        name: "t10k-images-idx3-ubyte.gz",
        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        maxBytes: 10 * MIB,
      },
      {
        name: "t10k-labels-idx1-ubyte.gz",
        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        maxBytes: MIB,
      },
    ],
  },
  "mnist-full": {
    base: "https://ossci-datasets.s3.amazonaws.com/mnist/",
    files: [
      { name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873", maxBytes: 40 * MIB },
      { name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432", maxBytes: MIB },
      { name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3", maxBytes: 10 * MIB },
      { name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c", maxBytes: MIB },
    ],
  },
};

/** $XDG_CACHE_HOME/tinycnn/<name>, or ~/.cache/tinycnn/<name>. */
export function cacheDir(name: string): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return join(xdg || join(home, ".cache"), "tinycnn", name);
}

async function size(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return -1;
  }
}

const hex = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest("hex");

async function verify(f: RemoteFile, path: string): Promise<void> {
  const bytes = await Deno.readFile(path);
  if (f.md5 && hex("md5", bytes) !== f.md5) {
    throw new TypeError(`${path}: md5 ${hex("md5", bytes)} does not match the published ${f.md5}`);
  }
  if (f.sha256) {
    const got = hex("sha256", await maybeGunzip(bytes, path));
    if (got !== f.sha256) throw new TypeError(`${path}: content sha256 ${got} does not match ${f.sha256}`);
  }
}

/** How downloads of named datasets are made. */
export interface FetchOptions {
  /** replaces the dataset's base URL (a mirror; tests use a 127.0.0.1 server) */
  base?: string;
  /** called with progress lines ("name: 3.1 / 26.4 MiB") */
  progress?: (line: string) => void;
}

/** Download one file to `dir/name.part` (continuing a partial one) and return the part path. */
async function download(
  f: RemoteFile,
  url: string,
  part: string,
  progress: (s: string) => void,
): Promise<void> {
  let have = Math.max(0, await size(part));
  const res = await fetch(url, have > 0 ? { headers: { range: `bytes=${have}-` } } : {});
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new TypeError(`${url}: HTTP ${res.status}, expected 200 or 206`);
  }
  if (res.status === 200) have = 0; // the server ignored the range: start again
  const len = Number(res.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(len) ? have + len : NaN;
  if (total > f.maxBytes) {
    await res.body?.cancel();
    throw new RangeError(`${url}: ${total} bytes, expected at most ${f.maxBytes}`);
  }
  const file = await Deno.open(part, { create: true, write: true, append: have > 0, truncate: have === 0 });
  let got = have, shown = 0;
  const mib = (b: number) => (b / MIB).toFixed(1);
  try {
    if (have > 0) progress(`${f.name}: resuming at ${mib(have)} MiB`);
    for await (const chunk of res.body!) {
      got += chunk.length;
      if (got > f.maxBytes) throw new RangeError(`${url}: more than ${f.maxBytes} bytes`);
      await file.write(chunk);
      if (got - shown >= MIB) {
        shown = got;
        progress(`${f.name}: ${mib(got)}${Number.isFinite(total) ? ` / ${mib(total)}` : ""} MiB`);
      }
    }
  } finally {
    file.close();
  }
  if (Number.isFinite(total) && got !== total) {
    throw new TypeError(`${url}: connection ended at ${got} of ${total} bytes; run again to resume`);
  }
  progress(`${f.name}: ${mib(got)} MiB downloaded`);
}

/**
 * Make sure every file of a remote dataset is in `dir`, verified; returns `dir`.
 * A verified copy is marked by `<name>.ok` and never fetched again.
 */
export async function ensureDownloaded(
  ds: RemoteDataset,
  dir: string,
  opts: FetchOptions = {},
): Promise<string> {
  const progress = opts.progress ?? (() => {});
  await Deno.mkdir(dir, { recursive: true });
  for (const f of ds.files) {
    const path = join(dir, f.name), part = `${path}.part`;
    if ((await size(`${path}.ok`)) >= 0 && (await size(path)) >= 0) continue;
    const url = new URL(f.name, opts.base ?? ds.base).href;
    await download(f, url, part, progress);
    try {
      await verify(f, part);
    } catch (e) {
      await Deno.remove(part).catch(() => {});
      throw e;
    }
    await Deno.rename(part, path);
    await Deno.writeTextFile(`${path}.ok`, (f.sha256 ?? f.md5) + "\n");
  }
  return dir;
}
