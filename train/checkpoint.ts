// Training checkpoints: backend state + loop position + history in one
// binary file, written atomically (tmp file, fsync, rename) so a kill at any
// moment leaves either the old or the new checkpoint, never a torn one.
// Layout (little-endian):
//   0  "TCNNCKP1" (8 bytes)
//   8  u32 header length L
//   12 UTF-8 JSON header (L bytes), zero-padded to a multiple of 4
//   then f32 data of params, slots, running (in header order), then u32 order.
// Invariants: the reader checks every length against the file size before
// slicing; a bad file throws TypeError (not a checkpoint / wrong structure) or
// RangeError (truncated / sizes) naming the file. No RNG state is stored:
// shuffle and augmentation draws are derived from (seed, epoch, step), and the
// in-progress epoch's sample order is stored explicitly.

import type { BackendState } from "./backend.ts";

const MAGIC = "TCNNCKP1";

/** What one epoch measured. */
export interface EpochRecord {
  /** 1-based */
  epoch: number;
  /** mean training loss over the epoch's steps */
  trainLoss: number;
  /** training accuracy over the epoch's steps */
  trainAcc: number;
  /** validation loss after the epoch */
  valLoss: number;
  /** validation accuracy after the epoch */
  valAcc: number;
  /** learning rate of the epoch's last step */
  lr: number;
  /** wall time of the epoch */
  seconds: number;
}

export interface Checkpoint {
  state: BackendState;
  /** epoch in progress (0-based) */
  epoch: number;
  /** optimisation steps already done in that epoch */
  stepInEpoch: number;
  /** sample order of that epoch */
  order: Uint32Array;
  /** running training loss/correct sums of the epoch so far */
  epochLossSum: number;
  epochCorrect: number;
  epochSamples: number;
  history: EpochRecord[];
  /** best validation loss so far and its epoch, for early stopping */
  best: { valLoss: number; epoch: number } | null;
  /** epochs since the last improvement */
  badEpochs: number;
  /** run identity (arch, dataset, batch, seed …) checked on --resume */
  run: Record<string, unknown>;
}

interface Header {
  version: 1;
  params: number[][];
  slots: number[][][];
  running: number[][];
  step: number;
  orderLength: number;
  meta: Omit<Checkpoint, "state" | "order">;
}

/** Serialise a checkpoint to bytes. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const s = c.state;
  const { state: _s, order: _o, ...meta } = c;
  const header: Header = {
    version: 1,
    params: s.params.map((l) => l.map((t) => t.length)),
    slots: s.slots.map((l) => l.map((t) => t.map((u) => u.length))),
    running: s.running.map((l) => l.map((t) => t.length)),
    step: s.step,
    orderLength: c.order.length,
    meta,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const hLen = Math.ceil(json.length / 4) * 4;
  const tensors: Float32Array[] = [...s.params.flat(), ...s.slots.flat(2), ...s.running.flat()];
  const floats = tensors.reduce((a, t) => a + t.length, 0);
  const total = 12 + hLen + 4 * floats + 4 * c.order.length;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let o = 12 + hLen;
  for (const t of tensors) {
    out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), o);
    o += t.byteLength;
  }
  out.set(new Uint8Array(c.order.buffer, c.order.byteOffset, c.order.byteLength), o);
  return out;
}

function isIntArray(v: unknown, depth: number): boolean {
  if (!Array.isArray(v)) return false;
  return v.every((x) => depth === 1 ? Number.isInteger(x) && x >= 0 : isIntArray(x, depth - 1));
}

/** Parse checkpoint bytes; `name` is used in error messages. */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new TypeError(`${name}: not a tinycnn checkpoint (expected magic "${MAGIC}")`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jLen = dv.getUint32(8, true);
  const hLen = Math.ceil(jLen / 4) * 4;
  if (12 + hLen > bytes.length) {
    throw new RangeError(`${name}: truncated, header of ${jLen} bytes exceeds file size ${bytes.length}`);
  }
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jLen)));
  } catch (e) {
    throw new TypeError(`${name}: checkpoint header is not JSON (${(e as Error).message})`);
  }
  if (
    h?.version !== 1 || !isIntArray(h.params, 2) || !isIntArray(h.slots, 3) || !isIntArray(h.running, 2) ||
    !Number.isInteger(h.step) || !Number.isInteger(h.orderLength) || typeof h.meta !== "object"
  ) {
    throw new TypeError(`${name}: checkpoint header has the wrong structure`);
  }
  const floats = [...h.params.flat(), ...h.slots.flat(2), ...h.running.flat()].reduce((a, b) => a + b, 0);
  const want = 12 + hLen + 4 * floats + 4 * h.orderLength;
  if (bytes.length !== want) {
    throw new RangeError(`${name}: size ${bytes.length} bytes, header describes ${want}`);
  }
  // copy into a fresh aligned buffer so typed views are valid
  const data = bytes.slice(12 + hLen);
  let o = 0;
  const take = (n: number) => {
    const t = new Float32Array(data.buffer, o, n).slice();
    o += 4 * n;
    return t;
  };
  const params = h.params.map((l) => l.map(take));
  const slots = h.slots.map((l) => l.map((t) => t.map(take)));
  const running = h.running.map((l) => l.map(take));
  const order = new Uint32Array(data.buffer, o, h.orderLength).slice();
  return { ...h.meta, state: { params, slots, running, step: h.step }, order };
}

/** Write bytes to `path` atomically: tmp file in the same directory, fsync, rename. */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    let o = 0;
    while (o < bytes.length) o += await f.write(bytes.subarray(o));
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, path);
}

export async function saveCheckpoint(path: string, c: Checkpoint): Promise<void> {
  await writeAtomic(path, encodeCheckpoint(c));
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new TypeError(`${path}: cannot read checkpoint (${(e as Error).message})`);
  }
  return decodeCheckpoint(bytes, path);
}
