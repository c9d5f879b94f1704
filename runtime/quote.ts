// User input quoted in error messages: names, op types, paths, values.
// Invariants: at most MAX_QUOTED characters of the input are shown (the rest
// is counted, not copied), control, line-separator and bidirectional-override
// characters are escaped (`\u001b`), typed arrays are shown by kind and
// length, and quoting never throws: an error message can neither carry
// megabytes nor drive the reader's terminal.

/** Most characters of one piece of user input that an error message quotes. */
export const MAX_QUOTED = 300;

// C0/C1 controls, DEL, line/paragraph separators, bidi marks, embeddings, overrides and isolates
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeUnsafe = (s: string): string =>
  s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Long arrays and strings cut, typed arrays and bigints made printable, inside a JSON rendering. */
function boundedValue(max: number) {
  return (_key: string, v: unknown): unknown => {
    if (typeof v === "bigint") return `${v}n`;
    if (ArrayBuffer.isView(v)) {
      return `<${v.constructor.name} of ${(v as { length?: number }).length ?? v.byteLength}>`;
    }
    if (v instanceof ArrayBuffer) return `<ArrayBuffer of ${v.byteLength} bytes>`;
    if (typeof v === "string" && v.length > max) return `${v.slice(0, max)}…`;
    if (Array.isArray(v) && v.length > 32) return [...v.slice(0, 32), `… ${v.length - 32} more`];
    return v;
  };
}

/**
 * `v` as an error message shows it: a string in double quotes, anything else
 * as (bounded) JSON; at most `max` characters of it, escaped.
 *
 * @example
 * ```ts
 * import { quote } from "./quote.ts";
 * if (quote("relu") !== '"relu"') throw new Error(quote("relu"));
 * if (quote("\x1b[31mx") !== '"\\u001b[31mx"') throw new Error(quote("\x1b[31mx"));
 * if (quote("a".repeat(10_000)).length > 340) throw new Error("not bounded");
 * if (quote([1, 2]) !== "[1,2]" || quote(undefined) !== "undefined") throw new Error();
 * ```
 */
export function quote(v: unknown, max: number = MAX_QUOTED): string {
  if (typeof v === "string") return quoteString(v, max, true);
  if (typeof v === "number") return String(v); // NaN and Infinity as themselves, not JSON's null
  let s: string;
  try {
    s = JSON.stringify(v, boundedValue(max)) ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return escapeUnsafe(s.length > max ? `${s.slice(0, max)}…` : s);
}

/**
 * A string shown without quotes (an op type, a file name in a sentence): at
 * most `max` characters, escaped as by `quote`.
 *
 * @example
 * ```ts
 * import { bare } from "./quote.ts";
 * if (bare("Conv") !== "Conv" || bare("a\nb") !== "a\\nb") throw new Error(bare("a\nb"));
 * ```
 */
export function bare(s: string, max: number = MAX_QUOTED): string {
  return quoteString(String(s), max, false);
}

function quoteString(v: string, max: number, quoted: boolean): string {
  const cut = v.length > max ? v.slice(0, max) : v;
  const json = JSON.stringify(cut);
  const more = v.length - cut.length;
  return escapeUnsafe(quoted ? json : json.slice(1, -1)) + (more > 0 ? `… (${more} more characters)` : "");
}
