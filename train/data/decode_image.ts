// Decodes one training image file (PNG of any kind through npm pngjs, JPEG
// baseline and progressive through npm jpeg-js) to 8-bit RGBA. Invariants:
// the side limit is checked from the PNG header before decoding and bounded
// by jpeg-js's resolution/memory limits for JPEG; every failure is a
// TypeError/RangeError naming the file. Training-only: the runtime keeps its
// own dependency-free PNG decoder.

import pngjs from "pngjs";
import jpeg from "jpeg-js";
import { Buffer } from "node:buffer";

/** The part of npm pngjs used here (typed locally: @types/pngjs would pull in all of @types/node). */
export interface PngJs {
  sync: {
    read(
      buf: Buffer,
      opts?: { skipRescale?: boolean },
    ): { width: number; height: number; data: Buffer | Uint16Array };
  };
}

/** npm pngjs's PNG class, typed. */
export const PNG: PngJs = (pngjs as unknown as { PNG: PngJs }).PNG;

/** Largest accepted image side, as in the runtime. */
export const MAX_SIDE = 4096;

export interface DecodedImage {
  /** interleaved RGBA, 4·width·height bytes */
  rgba: Uint8Array;
  width: number;
  height: number;
  /** every pixel has R = G = B */
  gray: boolean;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `path` names a file this decoder reads (by extension). */
export function isImageFile(path: string): boolean {
  return /\.(png|jpe?g)$/i.test(path);
}

function checkSides(w: number, h: number, path: string) {
  if (!(w >= 1 && h >= 1 && w <= MAX_SIDE && h <= MAX_SIDE)) {
    throw new RangeError(`${path}: image is ${w}x${h}, expected sides of 1..${MAX_SIDE} pixels`);
  }
}

function isGray(rgba: Uint8Array): boolean {
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) return false;
  }
  return true;
}

/** Decode PNG or JPEG bytes (by content, not extension) to RGBA. */
export function decodeImage(bytes: Uint8Array, path: string): DecodedImage {
  let rgba: Uint8Array, width: number, height: number;
  if (bytes.length >= 24 && PNG_SIG.every((b, i) => bytes[i] === b)) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkSides(dv.getUint32(16), dv.getUint32(20), path);
    let png;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new TypeError(`${path}: cannot decode PNG (${(e as Error).message})`);
    }
    ({ width, height } = png);
    const data = png.data as Buffer;
    rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    let j;
    try {
      j = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: (MAX_SIDE * MAX_SIDE) / 1e6,
        maxMemoryUsageInMB: 512,
      });
    } catch (e) {
      throw new TypeError(`${path}: cannot decode JPEG (${e instanceof Error ? e.message : e})`);
    }
    ({ width, height } = j);
    rgba = j.data;
  } else {
    throw new TypeError(
      `${path}: not a PNG or JPEG file (first bytes ${
        Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ")
      })`,
    );
  }
  checkSides(width, height, path);
  if (rgba.length !== width * height * 4) {
    throw new TypeError(`${path}: decoder returned ${rgba.length} bytes for ${width}x${height} RGBA`);
  }
  return { rgba, width, height, gray: isGray(rgba) };
}
