// Image-folder datasets (the torchvision ImageFolder / Keras
// image_dataset_from_directory layout): DIR/train/<class>/*.png|jpg|jpeg with
// DIR/test/<class>/… (optional DIR/val/), or DIR/<class>/… split by a seeded
// stratified test fraction. Invariants: class names are the sorted folder
// names of the training split; every image becomes u8 (C,H,W) through the
// runtime's own channel conversion and resize (image.ts), so training sees
// what classify() will compute; channels are 1 when every image is gray,
// else 3, unless forced; the size is --size or the most common training size.
// Bad data (empty or single class, undecodable file, a test class unknown to
// training, no clear common size) throws naming the file or folder, before
// anything is written.

import { join } from "node:path";
import { imageToInput } from "../../runtime/input/image.ts";
import { type DecodedImage, decodeImage, isImageFile } from "./decode_image.ts";
import { checkClassNames, MAX_CLASSES, type SampleSet } from "./sets.ts";

export interface ImageFolderOptions {
  /** target (H, W); default the most common size of the training images */
  size?: [number, number];
  /** 1 or 3; default 1 when every image is gray, else 3 */
  channels?: 1 | 3;
}

/** One split's files, per class name. */
export type ClassFiles = Map<string, string[]>;

/** Decoded images of all splits are capped at this many bytes before resizing (use --size to stream). */
const MAX_DECODED_BYTES = 2 ** 30;

async function listDir(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) out.push(e);
  } catch (e) {
    throw new TypeError(`${dir}: cannot read directory (${(e as Error).message})`);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The class folders of `dir` and their image files (sorted), or null when it has no class folder with images. */
export async function classFiles(dir: string): Promise<ClassFiles | null> {
  const classes: ClassFiles = new Map();
  let any = false;
  for (const e of await listDir(dir)) {
    if (!e.isDirectory) continue;
    const files = (await listDir(join(dir, e.name)))
      .filter((f) => f.isFile && isImageFile(f.name))
      .map((f) => join(dir, e.name, f.name));
    classes.set(e.name, files);
    if (files.length) any = true;
  }
  return any ? classes : null;
}

function checkClasses(split: ClassFiles, where: string) {
  for (const [name, files] of split) {
    if (!files.length) throw new TypeError(`${join(where, name)}: class folder has no .png/.jpg/.jpeg image`);
  }
  if (split.size < 2) {
    throw new TypeError(
      `${where}: found ${split.size} class folder, need at least 2 classes to train a classifier`,
    );
  }
  if (split.size > MAX_CLASSES) {
    throw new RangeError(`${where}: ${split.size} classes, at most ${MAX_CLASSES}`);
  }
  checkClassNames([...split.keys()], (i) => `${where}: class folder ${i + 1}`);
}

interface Loaded {
  img: DecodedImage;
  label: number;
}

async function decodeSplit(split: ClassFiles, classes: string[], where: string, budget: { bytes: number }) {
  const out: Loaded[] = [];
  for (const [name, files] of split) {
    const label = classes.indexOf(name);
    if (label < 0) {
      throw new TypeError(
        `${join(where, name)}: class "${name}" is not among the training classes (${classes.join(", ")})`,
      );
    }
    for (const f of files) {
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(f);
      } catch (e) {
        throw new TypeError(`${f}: cannot read (${(e as Error).message})`);
      }
      const img = decodeImage(bytes, f);
      budget.bytes += img.rgba.length;
      if (budget.bytes > MAX_DECODED_BYTES) {
        throw new RangeError(
          `${where}: decoded images exceed ${
            MAX_DECODED_BYTES / 2 ** 20
          } MiB at ${f}; use fewer or smaller images`,
        );
      }
      out.push({ img, label });
    }
  }
  return out;
}

/** The most common (H, W) of a list; throws when none is shared by at least half the images. */
export function commonSize(imgs: { width: number; height: number }[], where: string): [number, number] {
  const count = new Map<string, number>();
  for (const i of imgs) count.set(`${i.height}x${i.width}`, (count.get(`${i.height}x${i.width}`) ?? 0) + 1);
  const [best, n] = [...count].sort((a, b) => b[1] - a[1])[0];
  if (n * 2 < imgs.length) {
    throw new TypeError(
      `${where}: training images have ${count.size} different sizes and none is shared by half of them (most common ${best}: ${n} of ${imgs.length}); pass --size HxW to resize them all`,
    );
  }
  const [h, w] = best.split("x").map(Number);
  return [h, w];
}

async function toSet(items: Loaded[], c: number, h: number, w: number): Promise<SampleSet> {
  const per = c * h * w;
  const x = new Uint8Array(items.length * per);
  const labels = new Uint8Array(items.length);
  for (const [i, it] of items.entries()) {
    const f = await imageToInput({
      data: it.img.rgba,
      width: it.img.width,
      height: it.img.height,
      channels: 4,
    }, [
      c,
      h,
      w,
    ]);
    for (let k = 0; k < per; k++) x[i * per + k] = Math.round(Math.min(1, Math.max(0, f[k])) * 255);
    labels[i] = it.label;
  }
  return { x, labels, n: items.length };
}

export interface ImageFolderData {
  classes: string[];
  shape: [number, number, number];
  train: SampleSet;
  /** absent when the folder has no test/ split (the caller splits train) */
  test?: SampleSet;
  val?: SampleSet;
  notes: string[];
}

/** Read an image folder: `splits` maps "train"/"test"/"val" (or "all") to its class folders. */
export async function readImageFolder(
  dir: string,
  splits: Record<string, ClassFiles>,
  opts: ImageFolderOptions = {},
): Promise<ImageFolderData> {
  const trainKey = splits.train ? "train" : "all";
  const trainWhere = trainKey === "train" ? join(dir, "train") : dir;
  checkClasses(splits[trainKey], trainWhere);
  const classes = [...splits[trainKey].keys()];
  const budget = { bytes: 0 };
  const loaded: Record<string, Loaded[]> = {};
  for (const [k, split] of Object.entries(splits)) {
    loaded[k] = await decodeSplit(split, classes, k === "all" ? dir : join(dir, k), budget);
  }
  const all = Object.values(loaded).flat();
  const [h, w] = opts.size ?? commonSize(loaded[trainKey].map((l) => l.img), trainWhere);
  const c = opts.channels ?? (all.every((l) => l.img.gray) ? 1 : 3);
  const resized = all.filter((l) => l.img.height !== h || l.img.width !== w).length;
  const notes = [
    `image folder ${dir}: ${classes.length} classes (${classes.join(", ")}), ${
      Object.entries(loaded).map(([k, v]) => `${v.length} ${k}`).join(" / ")
    } images, input (${c},${h},${w})${resized ? `, ${resized} resized to ${h}x${w}` : ""}`,
  ];
  const out: ImageFolderData = {
    classes,
    shape: [c, h, w],
    train: await toSet(loaded[trainKey], c, h, w),
    notes,
  };
  if (loaded.test) out.test = await toSet(loaded.test, c, h, w);
  if (loaded.val) out.val = await toSet(loaded.val, c, h, w);
  return out;
}
