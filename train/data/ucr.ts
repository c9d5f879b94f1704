// Time series in the UCR archive format: one series per line, the label
// first, then the values, separated by commas, tabs or spaces; an optional
// header row (a first line whose values are not all numbers). Files:
// DIR/<Name>_TRAIN.tsv|csv|txt + DIR/<Name>_TEST.…, or DIR/train.csv|tsv +
// DIR/test.csv|tsv. Invariants: every series of both files has the same
// length L (ragged → error naming file and line); a NaN, empty or non-numeric
// value is an error naming file, line and column; class names are the label
// strings as written, sorted numerically when all are numbers; samples are
// stored z-normalised per series (the runtime's {zscore: true}). Files are
// parsed as they stream, a line at a time: line, series and value limits hold
// before a line is split, and the whole text is never held.

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

/** Longest line read (a series of MAX_SERIES_LENGTH values of up to 40 characters each). */
export const MAX_SERIES_LINE_CHARS = 40 * MAX_SERIES_LENGTH;
/** Most values (series × length) one file may hold: 512 MiB as float32. */
export const MAX_SERIES_VALUES = 2 ** 27;

/** One file's series, parsed a line at a time (the limits hold before a line is split or stored). */
class SeriesParser {
  readonly labels: string[] = [];
  readonly values: Float32Array[] = [];
  #len = -1;
  constructor(readonly file: string, readonly maxValues = MAX_SERIES_VALUES) {}

  /** Line `no` (1-based) of the file. */
  line(text: string, no: number): void {
    const at = `${this.file}:${no}`;
    if (text.length > MAX_SERIES_LINE_CHARS) {
      throw new RangeError(`${at}: line of ${text.length} characters, at most ${MAX_SERIES_LINE_CHARS}`);
    }
    if (text.trim() === "") return;
    const f = splitLine(text);
    if (
      this.labels.length === 0 && this.#len < 0 &&
      f.slice(1).some((v) => v !== "" && !Number.isFinite(Number(v)))
    ) {
      this.#len = -2; // a header row: skip it once
      return;
    }
    if (f.length < 2) {
      throw new TypeError(`${at}: expected a label and at least one value, got ${quote(text, 80)}`);
    }
    const l = f.length - 1;
    if (l > MAX_SERIES_LENGTH) {
      throw new RangeError(`${at}: series has ${l} values, at most ${MAX_SERIES_LENGTH}`);
    }
    if (this.#len >= 0 && l !== this.#len) {
      throw new TypeError(
        `${at}: series has ${l} values, earlier lines have ${this.#len} (all series must have one length)`,
      );
    }
    if ((this.values.length + 1) * l > this.maxValues) {
      throw new RangeError(
        `${at}: ${this.values.length + 1} series of ${l} values exceed ${this.maxValues} values in one file`,
      );
    }
    this.#len = l;
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
    this.labels.push(label);
    this.values.push(row);
  }

  result(): ParsedSeries {
    if (!this.values.length) {
      throw new TypeError(`${this.file}: no series found (expected "label,v1,v2,…" per line)`);
    }
    return { labels: this.labels, values: this.values };
  }
}

/** Parse the text of one file. */
export function parseSeriesText(text: string, file: string): ParsedSeries {
  const p = new SeriesParser(file);
  text.split(/\r?\n/).forEach((line, i) => p.line(line, i + 1));
  return p.result();
}

/**
 * Parse a file as it streams: lines are cut from decoded chunks and parsed
 * one at a time, a line past MAX_SERIES_LINE_CHARS is refused before it is
 * complete, more than `maxValues` values in all are refused at the line that
 * passes them, and the whole text is never held.
 */
export async function parseSeriesStream(
  stream: ReadableStream<Uint8Array>,
  file: string,
  maxValues = MAX_SERIES_VALUES,
): Promise<ParsedSeries> {
  const p = new SeriesParser(file, maxValues);
  let rest = "", no = 0;
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    // only the new chunk is searched for line ends: a long line arriving in many chunks is scanned once
    let start = 0, nl = chunk.indexOf("\n");
    if (nl >= 0) nl += rest.length;
    rest += chunk;
    while (nl >= 0) {
      p.line(rest.slice(start, nl).replace(/\r$/, ""), ++no);
      start = nl + 1;
      nl = rest.indexOf("\n", start);
    }
    rest = rest.slice(start);
    if (rest.length > MAX_SERIES_LINE_CHARS) p.line(rest, no + 1); // refuses it
  }
  p.line(rest, ++no);
  return p.result();
}

async function readSeriesFile(path: string): Promise<ParsedSeries> {
  let st;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    throw new TypeError(`${path}: cannot read (${(e as Error).message})`);
  }
  if (st.size > MAX_SERIES_FILE_BYTES) {
    throw new RangeError(`${path}: ${st.size} bytes, at most ${MAX_SERIES_FILE_BYTES} for a series file`);
  }
  const f = await Deno.open(path);
  return await parseSeriesStream(f.readable, path); // the stream closes the file when it ends or fails
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
  const tr = await readSeriesFile(files.train);
  const te = await readSeriesFile(files.test);
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
