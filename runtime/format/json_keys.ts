// Finds a duplicate member name in JSON text that JSON.parse accepted (which
// silently keeps the last one): the header must mean one thing to every
// reader. Invariants: linear in the text, no allocation beyond one key set per
// open object; assumes valid JSON (call it after JSON.parse succeeded).

/**
 * The first duplicate key as { key, index } (index into `text`), or null.
 *
 * @example
 * ```ts
 * import { duplicateKey } from "./json_keys.ts";
 * console.log(duplicateKey('{"a": 1, "b": {"a": 2}}')); // null
 * console.log(duplicateKey('{"a": 1, "a": 2}')?.key); // "a"
 * ```
 */
export function duplicateKey(text: string): { key: string; index: number } | null {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") stack.push(new Set());
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      const top = stack[stack.length - 1];
      if (!top) continue;
      let j = i + 1;
      while (
        j < text.length && (text[j] === " " || text[j] === "\t" || text[j] === "\n" || text[j] === "\r")
      ) j++;
      if (text[j] !== ":") continue; // a value, not a key
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (top.has(key)) return { key, index: start };
      top.add(key);
    }
  }
  return null;
}
