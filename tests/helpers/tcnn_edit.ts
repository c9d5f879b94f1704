// Test helper: build malformed .tcnn files by editing a valid one. It splits
// a file into prelude / header JSON / data section, lets a test change any of
// them, and re-assembles the file with a correct header length, zero padding
// and CRC-32, so each malformed vector reaches the check it targets instead
// of failing the checksum first.
import { crc32 } from "../../runtime/format/crc32.ts";

export interface Parts {
  major: number;
  minor: number;
  header: Record<string, unknown> & { tensors: Record<string, unknown>[]; layers: Record<string, unknown>[] };
  data: Uint8Array;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

export function split(bytes: Uint8Array): Parts {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const H = dv.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + H)));
  const D = align8(12 + H);
  return {
    major: dv.getUint16(4, true),
    minor: dv.getUint16(6, true),
    header,
    data: bytes.slice(D, bytes.length - 4),
  };
}

/** Assemble prelude + raw header bytes + padding + data + CRC (header length and CRC always correct). */
export function assemble(headerBytes: Uint8Array, data: Uint8Array, major = 1, minor = 0): Uint8Array {
  const D = align8(12 + headerBytes.length);
  const out = new Uint8Array(D + data.length + 4);
  const dv = new DataView(out.buffer);
  out.set([0x54, 0x43, 0x4e, 0x4e]);
  dv.setUint16(4, major, true);
  dv.setUint16(6, minor, true);
  dv.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  out.set(data, D);
  return fixCrc(out);
}

/** Re-write the trailing CRC-32 so it matches the bytes before it (in place). */
export function fixCrc(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

/** Parse a valid file, let `edit` change its parts, re-assemble it. */
export function edit(bytes: Uint8Array, f: (p: Parts) => void): Uint8Array {
  const p = split(bytes);
  f(p);
  return assemble(new TextEncoder().encode(JSON.stringify(p.header)), p.data, p.major, p.minor);
}

/** Byte offset of the data section of a (valid) file. */
export function dataStart(bytes: Uint8Array): number {
  const H = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  return align8(12 + H);
}
