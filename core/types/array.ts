/**
 * ARRAY values in PostgreSQL's text form: `{1,2,NULL}`, `{"a b","x\"y",""}`. Array columns
 * keep this text (like INTERVAL), so columns reuse the string paths; element work parses it.
 * One dimension only; a nested array is 0A000.
 *
 * @example
 * ```ts
 * import { formatArrayText, parseArrayText } from "./array.ts";
 * console.assert(formatArrayText(["1", null, "a b"]) === '{1,NULL,"a b"}');
 * console.assert(parseArrayText('{1,NULL,"a b"}').join("|") === "1||a b");
 * ```
 *
 * @module
 */
import { DbError, notSupported } from "../errors.ts";

/** Most elements one array may hold. */
export const arrayElementsMax = 10_000_000;

function malformed(text: string, detail: string): DbError {
  return new DbError("22P02", `malformed array literal: "${text}"`, { detail });
}

/** Whether an element's text must be double-quoted inside an array literal. */
function needsQuotes(s: string): boolean {
  return s === "" || /^null$/i.test(s) || /[{},"\\\s]/.test(s);
}

/** The array literal of elements given in their text forms (`null` = NULL). */
export function formatArrayText(elements: readonly (string | null)[]): string {
  const parts = elements.map((e) => {
    if (e === null) return "NULL";
    if (!needsQuotes(e)) return e;
    return `"${e.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  });
  return `{${parts.join(",")}}`;
}

/** The elements of an array literal, as text (`null` for NULL), PostgreSQL's rules. */
export function parseArrayText(text: string): (string | null)[] {
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (text[i] === "[") throw notSupported("array dimension decorations");
  if (text[i] !== "{") {
    throw malformed(text, 'Array value must start with "{" or dimension information.');
  }
  i++;
  const out: (string | null)[] = [];
  skipSpace();
  if (text[i] === "}") {
    i++;
    skipSpace();
    if (i !== n) throw malformed(text, "Junk after closing right brace.");
    return out;
  }
  for (;;) {
    skipSpace();
    if (text[i] === "{") throw notSupported("multidimensional arrays");
    let value = "";
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) throw malformed(text, "Unexpected end of input.");
        const c = text[i]!;
        if (c === "\\") {
          if (i + 1 >= n) throw malformed(text, "Unexpected end of input.");
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      skipSpace();
    } else {
      while (i < n && text[i] !== "," && text[i] !== "}") {
        const c = text[i]!;
        if (c === '"' || c === "{") throw malformed(text, `Unexpected "${c}" character.`);
        if (c === "\\") {
          if (i + 1 >= n) throw malformed(text, "Unexpected end of input.");
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      value = value.replace(/\s+$/, "");
      if (value === "") throw malformed(text, 'Unexpected "," character.');
    }
    out.push(!quoted && /^null$/i.test(value) ? null : value);
    if (out.length > arrayElementsMax) {
      throw new DbError("54000", `array size exceeds the maximum allowed (${arrayElementsMax})`);
    }
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === "}") {
      i++;
      break;
    }
    throw malformed(text, "Unexpected end of input.");
  }
  skipSpace();
  if (i !== n) throw malformed(text, "Junk after closing right brace.");
  return out;
}
