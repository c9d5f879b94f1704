// Build-time WGSL minifier for the CDN bundle (used by build_bundle.ts on the
// runtime/ops/*/wgsl.ts sources; the repository files are never rewritten).
// It finds the template literals of a TypeScript source (a small scanner:
// comments, strings, regex literals, nested `${}`), and in those that hold
// WGSL — the ones whose text spans lines or starts indented — it drops
// `//` comments and whitespace that no WGSL token needs. Invariants: only the
// literal text between interpolations changes, never code; every newline of
// the source is kept (line numbers, hence the source map's lines, stay valid;
// a comment that runs into an interpolation is kept whole); whitespace is
// removed only where both neighbours are known characters of the same quasi
// and they can't fuse into one token (a word char next to a word char, or an
// operator char next to an operator char, keeps one space). So the WGSL
// token sequence is unchanged (tests/bundle_test.ts checks it).

/** A template literal: the [start, end) source ranges of its quasis (raw text). */
export interface Template {
  quasis: [number, number][];
}

const REGEX_AFTER = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
const REGEX_KEYWORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
]);

/** All template literals of `src` (JS or TS), nested ones included, in source order of their end. */
export function findTemplates(src: string): Template[] {
  const found: Template[] = [];
  // stack of open templates; for each, the brace depth of its current interpolation
  const open: { t: Template; start: number; depth: number }[] = [];
  let i = 0;
  let lastSig = ""; // last significant code character
  let lastWord = "";
  const n = src.length;
  /** Scan template text from i; returns at the closing backtick or at `${`. */
  const scanQuasi = () => {
    const top = open[open.length - 1];
    while (i < n) {
      const c = src[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        top.t.quasis.push([top.start, i]);
        found.push(top.t);
        open.pop();
        i++;
        lastSig = "`";
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        top.t.quasis.push([top.start, i]);
        top.depth = 0;
        i += 2;
        lastSig = "{";
        return;
      } else i++;
    }
    throw new SyntaxError("unterminated template literal");
  };
  while (i < n) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const e = src.indexOf("*/", i + 2);
      if (e < 0) throw new SyntaxError("unterminated comment");
      i = e + 2;
    } else if (c === "'" || c === '"') {
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === "\n") throw new SyntaxError("unterminated string");
        i += src[i] === "\\" ? 2 : 1;
      }
      i++;
      lastSig = c;
    } else if (c === "`") {
      open.push({ t: { quasis: [] }, start: i + 1, depth: -1 });
      i++;
      scanQuasi();
    } else if (c === "/" && (lastSig === "" || REGEX_AFTER.has(lastSig) || REGEX_KEYWORDS.has(lastWord))) {
      i++;
      let cls = false;
      while (i < n && (cls || src[i] !== "/")) {
        if (src[i] === "\n") throw new SyntaxError("unterminated regex");
        if (src[i] === "[") cls = true;
        else if (src[i] === "]") cls = false;
        i += src[i] === "\\" ? 2 : 1;
      }
      i++;
      while (i < n && /\w/.test(src[i])) i++;
      lastSig = "/";
      lastWord = "";
    } else if (c === "{" || c === "}") {
      const top = open[open.length - 1];
      i++;
      if (top && top.depth >= 0) {
        if (c === "{") top.depth++;
        else if (top.depth === 0) {
          top.depth = -1;
          top.start = i;
          scanQuasi();
          continue;
        } else top.depth--;
      }
      lastSig = c;
      lastWord = "";
    } else if (/\s/.test(c)) i++;
    else if (/[\w$]/.test(c)) {
      const s = i;
      while (i < n && /[\w$]/.test(src[i])) i++;
      lastWord = src.slice(s, i);
      lastSig = "a";
    } else {
      lastSig = c;
      lastWord = "";
      i++;
    }
  }
  if (open.length) throw new SyntaxError("unterminated template literal");
  return found;
}

const OP = new Set("+-*/%<>=!&|^~".split(""));
/** Characters that never fuse with a neighbour into one WGSL token. */
const SEP = "(){}[];,";
const isWord = (u: string) => !OP.has(u[0]) && !SEP.includes(u[0]) && u[0] !== ":" && u[0] !== "@";

/**
 * Minify the raw text of one quasi; `rightOpen`: an interpolation follows it.
 * Whitespace at either end of the quasi (next to an interpolation or the
 * template's unknown context) shrinks to one character, and vanishes only
 * next to a separator ( ) { } [ ] ; , that fuses with nothing.
 */
export function minifyQuasi(raw: string, rightOpen: boolean): string {
  // units: whitespace runs (real newlines counted), escapes, single chars, comments
  type Unit = { ws: true; nl: number; esc: boolean } | { ws: false; s: string };
  const units: Unit[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || (c === "\\" && raw[i + 1] === "n")) {
      const last = units[units.length - 1];
      const u = last?.ws ? last : { ws: true as const, nl: 0, esc: false };
      if (u !== last) units.push(u);
      if (c === "\n") u.nl++;
      if (c === "\\") {
        u.esc = true;
        i++;
      }
      i++;
    } else if (c === "/" && raw[i + 1] === "/") {
      let e = i;
      while (e < raw.length && raw[e] !== "\n" && !(raw[e] === "\\" && raw[e + 1] === "n")) e++;
      if (e === raw.length && rightOpen) {
        units.push({ ws: false, s: raw.slice(i) }); // runs into an interpolation: keep it
      }
      i = e;
    } else if (c === "\\") {
      units.push({ ws: false, s: raw.slice(i, i + 2) });
      i += 2;
    } else {
      units.push({ ws: false, s: c });
      i++;
    }
  }
  const text = (u: Unit | undefined) => u && !u.ws ? u.s : null;
  let out = "";
  units.forEach((u, k) => {
    if (!u.ws) {
      out += u.s;
      return;
    }
    if (u.nl > 0 || u.esc) {
      out += "\n".repeat(u.nl) + (u.nl === 0 ? "\\n" : "");
      return;
    }
    // ws runs never touch (a stripped comment joins the runs around it): neighbours are text
    const prev = text(units[k - 1]), next = text(units[k + 1]);
    if (prev === null || next === null) {
      // an edge: the other neighbour is unknown; only a separator may lose the space
      const known = prev ?? next;
      if (known === null || known.length !== 1 || !SEP.includes(known)) out += " ";
    } else {
      const a = prev[prev.length - 1], b = next[0];
      if ((isWord(a) && isWord(b)) || (OP.has(a) && OP.has(b))) out += " ";
    }
  });
  return out;
}

/** Whether a template holds WGSL: its text spans lines, or it starts indented. */
export function isWgslTemplate(src: string, t: Template): boolean {
  const text = t.quasis.map(([s, e]) => src.slice(s, e));
  return text.some((q) => q.includes("\n") || q.includes("\\n")) || /^[ \t]/.test(text[0]);
}

/** `src` with the WGSL templates minified (see the file header). */
export function minifyWgslTemplates(src: string): string {
  const edits: [number, number, string][] = [];
  for (const t of findTemplates(src)) {
    if (!isWgslTemplate(src, t)) continue;
    t.quasis.forEach(([s, e], k) => {
      edits.push([s, e, minifyQuasi(src.slice(s, e), k < t.quasis.length - 1)]);
    });
  }
  edits.sort((a, b) => b[0] - a[0]);
  let out = src;
  for (const [s, e, text] of edits) out = out.slice(0, s) + text + out.slice(e);
  return out;
}
