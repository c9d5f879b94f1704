// Time series in the UCR archive format: one series per line, the label
// first, then the values, separated by commas, tabs or spaces; an optional
// header row (a first line whose values are not all numbers). Files:
// DIR/<Name>_TRAIN.tsv|csv|txt + DIR/<Name>_TEST.…, or DIR/train.csv|tsv +
// DIR/test.csv|tsv. Invariants: every series of both files has the same
// length L (ragged → error naming file and line); a NaN, empty or non-numeric
// value is an error naming file, line and column; class names are the label
// strings as written, sorted numerically when all are numbers; samples are
// stored z-normalised per series (the runtime's {zscore: true}).

import { basename, join } from "node:path";
import { zscoreInPlace } from "../../runtime/input/series.ts";
import { MAX_CLASSES, type SampleSet } from "./sets.ts";
import { quote } from "../../runtime/quote.ts";

/** Longest series and largest file accepted. */
export const MAX_SERIES_LENGTH = 100_000;
export const MAX_SERIES_FILE_BYTES = 512 * 2 ** 20;

export interface SeriesFiles {
  train: string;
  test: string;
}

export interface ParsedSeries {
  labels: string[];
  /** rows of L values */
  values: Float32Array[];
}

/** Find a UCR pair in `dir`, or null. */
export async function findSeriesFiles(dir: string): Promise<SeriesFiles | null> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  names.sort();
  for (const n of names) {
    const m = /^(.*)_TRAIN\.(tsv|csv|txt)$/i.exec(n);
    if (!m) continue;
    const test = names.find((t) =>
      new RegExp(`^${m[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_TEST\\.(tsv|csv|txt)$`, "i").test(t)
    );
    if (test) return { train: join(dir, n), test: join(dir, test) };
  }
  for (const ext of ["csv", "tsv", "txt"]) {
    if (names.includes(`train.${ext}`) && names.includes(`test.${ext}`)) {
      return { train: join(dir, `train.${ext}`), test: join(dir, `test.${ext}`) };
    }
  }
  return null;
}

function splitLine(line: string): string[] {
  const t = line.trim();
  if (t.includes("\t")) return t.split("\t").map((s) => s.trim());
  if (t.includes(",")) return t.split(",").map((s) => s.trim());
  return t.split(/ +/);
}

const unquote = (s: string) => (s.length >= 2 && s[0] === '"' && s.at(-1) === '"' ? s.slice(1, -1) : s);

/** Parse the text of one file. */
export function parseSeriesText(text: string, file: string): ParsedSeries {
  const lines = text.split(/\r?\n/);
  const labels: string[] = [], values: Float32Array[] = [];
  let len = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = splitLine(lines[i]);
    const at = `${file}:${i + 1}`;
    if (labels.length === 0 && len < 0 && f.slice(1).some((v) => v !== "" && !Number.isFinite(Number(v)))) {
      len = -2; // a header row: skip it once
      continue;
    }
    if (f.length < 2) {
      throw new TypeError(
        `${at}: expected a label and at least one value, got ${quote(lines[i], 80)}`,
      );
    }
    const l = f.length - 1;
    if (l > MAX_SERIES_LENGTH) {
      throw new RangeError(`${at}: series has ${l} values, at most ${MAX_SERIES_LENGTH}`);
    }
    if (len >= 0 && l !== len) {
      throw new TypeError(
        `${at}: series has ${l} values, earlier lines have ${len} (all series must have one length)`,
      );
    }
    len = l;
    const row = new Float32Array(l);
    for (let k = 0; k < l; k++) {
      const s = f[k + 1];
      const v = s === "" ? NaN : Number(s);
      if (!Number.isFinite(v)) {
        throw new TypeError(
          `${at}: value ${k + 1} is ${
            s === "" ? "empty" : quote(s)
          }; expected a finite number (missing values are not supported)`,
        );
      }
      row[k] = v;
    }
    const label = unquote(f[0]);
    if (label === "") throw new TypeError(`${at}: empty label`);
    labels.push(label);
    values.push(row);
  }
  if (!values.length) throw new TypeError(`${file}: no series found (expected "label,v1,v2,…" per line)`);
  return { labels, values };
}

async function readText(path: string): Promise<string> {
  let st;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    throw new TypeError(`${path}: cannot read (${(e as Error).message})`);
  }
  if (st.size > MAX_SERIES_FILE_BYTES) {
    throw new RangeError(`${path}: ${st.size} bytes, at most ${MAX_SERIES_FILE_BYTES} for a series file`);
  }
  return await Deno.readTextFile(path);
}

/** Class names in the order of their indices: numeric sort when all labels are numbers, else string sort. */
export function classOrder(labels: Iterable<string>): string[] {
  const u = [...new Set(labels)];
  return u.every((s) => Number.isFinite(Number(s)))
    ? u.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1))
    : u.sort();
}

function toSet(p: ParsedSeries, classes: string[], file: string): SampleSet {
  const l = p.values[0].length;
  const x = new Float32Array(p.values.length * l);
  const labels = new Uint8Array(p.values.length);
  p.values.forEach((row, i) => {
    x.set(row, i * l);
    zscoreInPlace(x.subarray(i * l, (i + 1) * l), 1, l);
    const k = classes.indexOf(p.labels[i]);
    if (k < 0) {
      throw new TypeError(
        `${file}: label ${quote(p.labels[i])} does not occur in the training file`,
      );
    }
    labels[i] = k;
  });
  return { x, labels, n: p.values.length };
}

export interface SeriesData {
  classes: string[];
  shape: [number, number];
  train: SampleSet;
  test: SampleSet;
  notes: string[];
}

/** Read a UCR pair. */
export async function readSeries(files: SeriesFiles): Promise<SeriesData> {
  const tr = parseSeriesText(await readText(files.train), files.train);
  const te = parseSeriesText(await readText(files.test), files.test);
  const l = tr.values[0].length;
  if (te.values[0].length !== l) {
    throw new TypeError(`${files.test}: series have ${te.values[0].length} values, ${files.train} has ${l}`);
  }
  const classes = classOrder(tr.labels);
  if (classes.length < 2) {
    throw new TypeError(`${files.train}: only one class (${classes[0]}), need at least 2`);
  }
  if (classes.length > MAX_CLASSES) {
    throw new RangeError(`${files.train}: ${classes.length} classes, at most ${MAX_CLASSES}`);
  }
  return {
    classes,
    shape: [1, l],
    train: toSet(tr, classes, files.train),
    test: toSet(te, classes, files.test),
    notes: [
      `UCR series ${basename(files.train)} + ${basename(files.test)}: ${classes.length} classes (${
        classes.join(", ")
      }), ${tr.values.length} train / ${te.values.length} test series of length ${l}, z-normalised per series`,
    ],
  };
}
