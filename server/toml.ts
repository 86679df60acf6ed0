/**
 * A small TOML reader for OmenDB's config file. It covers the subset a config needs:
 * `key = value` lines, `[section]` and `[a.b]` headers, dotted keys (`a.b = 1`), `#` comments,
 * basic and literal strings, integers (with `_`, hex, octal, binary), floats (`inf`, `nan`),
 * booleans and one-line arrays. Multi-line strings, inline tables, arrays of tables and dates
 * are refused with a {@link TomlError} naming the line, never misread.
 *
 * @example
 * ```ts
 * import { parseToml } from "./toml.ts";
 * const doc = parseToml('data_dir = "./data"\n[http]\nport = 8086 # default\n');
 * console.assert(doc.data_dir === "./data");
 * console.assert((doc.http as Record<string, unknown>).port === 8086);
 * ```
 *
 * @module
 */

/** A TOML value as this reader returns it. Integers are JS numbers (safe range only). */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;

/** A TOML table: keys to values. */
export interface TomlTable {
  /** A value or a nested table. */
  [key: string]: TomlValue;
}

/** Bytes of TOML text the reader accepts (a config file, not a data file). */
export const tomlTextBytesMax = 1024 * 1024;

/** A syntax error in TOML text, with the 1-based line where it was found. */
export class TomlError extends Error {
  /** 1-based line number of the error. */
  readonly line: number;

  /** An error at 1-based `line`. */
  constructor(line: number, message: string) {
    super(`TOML line ${line}: ${message}`);
    this.name = "TomlError";
    this.line = line;
  }
}

/**
 * Parses TOML text (the subset described in the module docs) into plain objects.
 * Throws {@link TomlError} on anything it does not understand.
 */
export function parseToml(text: string): TomlTable {
  if (text.length > tomlTextBytesMax) {
    throw new TomlError(1, `file is larger than tomlTextBytesMax (${tomlTextBytesMax} bytes)`);
  }
  const root: TomlTable = {};
  // Tables created by a [header] line: defining one twice is an error, as in TOML.
  const explicitTables = new Set<TomlTable>();
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const cursor: Cursor = new Cursor(lines[i] ?? "", lineNo);
    cursor.skipSpaces();
    if (cursor.atEndOrComment()) continue;
    if (cursor.peek() === "[") {
      cursor.next();
      if (cursor.peek() === "[") cursor.fail("arrays of tables ([[...]]) are not supported");
      const path = parseKeyPath(cursor);
      cursor.expect("]");
      cursor.skipSpaces();
      if (!cursor.atEndOrComment()) cursor.fail("unexpected text after table header");
      const table = descend(root, path, lineNo);
      if (explicitTables.has(table)) cursor.fail(`table [${path.join(".")}] is defined twice`);
      explicitTables.add(table);
      current = table;
      continue;
    }
    const path = parseKeyPath(cursor);
    cursor.expect("=");
    cursor.skipSpaces();
    const value = parseValue(cursor);
    cursor.skipSpaces();
    if (!cursor.atEndOrComment()) cursor.fail("unexpected text after value");
    const last = path[path.length - 1];
    if (last === undefined) cursor.fail("missing key");
    const table = descend(current, path.slice(0, -1), lineNo);
    if (Object.hasOwn(table, last)) cursor.fail(`key "${path.join(".")}" is defined twice`);
    table[last] = value;
  }
  return root;
}

/** Walks (and creates) nested tables along `path` starting at `table`. */
function descend(table: TomlTable, path: readonly string[], lineNo: number): TomlTable {
  let t = table;
  for (const key of path) {
    const existing = t[key];
    if (existing === undefined) {
      const child: TomlTable = {};
      t[key] = child;
      t = child;
    } else if (isTable(existing)) {
      t = existing;
    } else {
      throw new TomlError(lineNo, `key "${key}" is a value, not a table`);
    }
  }
  return t;
}

function isTable(v: TomlValue): v is TomlTable {
  return typeof v === "object" && !Array.isArray(v);
}

/** `a`, `"quoted key"`, `a.b.c` (spaces allowed around dots). */
function parseKeyPath(c: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    c.skipSpaces();
    const ch = c.peek();
    if (ch === '"') parts.push(parseBasicString(c));
    else if (ch === "'") parts.push(parseLiteralString(c));
    else {
      const m = c.match(/[A-Za-z0-9_-]+/y);
      if (m === null) c.fail(ch === undefined ? "missing key" : `unexpected "${ch}" in key`);
      parts.push(m);
    }
    c.skipSpaces();
    if (c.peek() !== ".") return parts;
    c.next();
  }
}

function parseValue(c: Cursor): TomlValue {
  const ch = c.peek();
  if (ch === undefined) return c.fail("missing value");
  if (ch === '"') {
    if (c.startsWith('"""')) c.fail("multi-line strings are not supported");
    return parseBasicString(c);
  }
  if (ch === "'") {
    if (c.startsWith("'''")) c.fail("multi-line strings are not supported");
    return parseLiteralString(c);
  }
  if (ch === "[") return parseArray(c);
  if (ch === "{") c.fail("inline tables are not supported");
  const word = c.match(/[A-Za-z0-9_+\-.:]+/y);
  if (word === null) return c.fail(`unexpected "${ch}"`);
  return parseScalarWord(word, c);
}

function parseArray(c: Cursor): TomlValue[] {
  c.expect("[");
  const out: TomlValue[] = [];
  for (;;) {
    c.skipSpaces();
    if (c.peek() === "]") {
      c.next();
      return out;
    }
    if (c.atEndOrComment()) c.fail("arrays must close on the same line");
    out.push(parseValue(c));
    c.skipSpaces();
    if (c.peek() === ",") c.next();
    else if (c.atEndOrComment()) c.fail("arrays must close on the same line");
    else if (c.peek() !== "]") c.fail('expected "," or "]" in array');
  }
}

function parseScalarWord(word: string, c: Cursor): TomlValue {
  if (word === "true") return true;
  if (word === "false") return false;
  if (/^[+-]?inf$/.test(word)) return word.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(word)) return NaN;
  if (/^\d{4}-\d{2}-\d{2}/.test(word) || /^\d{2}:\d{2}/.test(word)) {
    return c.fail("dates and times are not supported; quote the value as a string");
  }
  const prefixed = /^0([xob])([0-9A-Fa-f_]+)$/.exec(word);
  if (prefixed !== null) {
    const radix = prefixed[1] === "x" ? 16 : prefixed[1] === "o" ? 8 : 2;
    const digits = checkUnderscores(prefixed[2] ?? "", c);
    const valid = radix === 16 ? /^[0-9A-Fa-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
    if (!valid.test(digits)) c.fail(`invalid number "${word}"`);
    return safeInteger(parseInt(digits, radix), word, c);
  }
  if (/^[+-]?(0|[1-9][0-9_]*)$/.test(word)) {
    return safeInteger(Number(checkUnderscores(word, c)), word, c);
  }
  if (/^[+-]?(0|[1-9][0-9_]*)(\.[0-9_]+)?([eE][+-]?[0-9_]+)?$/.test(word)) {
    const n = Number(checkUnderscores(word, c));
    if (!Number.isFinite(n)) c.fail(`number "${word}" is out of range`);
    return n;
  }
  return c.fail(`invalid value "${word}" (strings must be quoted)`);
}

function checkUnderscores(s: string, c: Cursor): string {
  if (/(^|[^0-9A-Fa-f])_|_($|[^0-9A-Fa-f])|__/.test(s)) c.fail(`misplaced "_" in number "${s}"`);
  return s.replaceAll("_", "");
}

function safeInteger(n: number, word: string, c: Cursor): number {
  if (!Number.isSafeInteger(n)) c.fail(`integer "${word}" is outside the safe range ±(2^53-1)`);
  return n;
}

const escapes: Readonly<Record<string, string>> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
  '"': '"',
  "\\": "\\",
};

function parseBasicString(c: Cursor): string {
  c.expect('"');
  let out = "";
  for (;;) {
    const ch = c.next();
    if (ch === undefined) return c.fail("unterminated string");
    if (ch === '"') return out;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const e = c.next();
    if (e === undefined) return c.fail("unterminated string");
    const simple = escapes[e];
    if (simple !== undefined) {
      out += simple;
    } else if (e === "u" || e === "U") {
      const hex = c.match(e === "u" ? /[0-9A-Fa-f]{4}/y : /[0-9A-Fa-f]{8}/y);
      const code = hex === null ? NaN : parseInt(hex, 16);
      if (Number.isNaN(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        c.fail("invalid unicode escape");
      }
      out += String.fromCodePoint(code);
    } else {
      c.fail(`invalid escape "\\${e}"`);
    }
  }
}

function parseLiteralString(c: Cursor): string {
  c.expect("'");
  const end = c.indexOf("'");
  if (end < 0) return c.fail("unterminated string");
  return c.take(end);
}

/** A position in one line of TOML text. */
class Cursor {
  #pos = 0;
  readonly #text: string;
  readonly #line: number;

  constructor(text: string, line: number) {
    this.#text = text;
    this.#line = line;
  }

  peek(): string | undefined {
    return this.#text[this.#pos];
  }

  next(): string | undefined {
    const ch = this.#text[this.#pos];
    if (ch !== undefined) this.#pos++;
    return ch;
  }

  startsWith(s: string): boolean {
    return this.#text.startsWith(s, this.#pos);
  }

  indexOf(s: string): number {
    const at = this.#text.indexOf(s, this.#pos);
    return at < 0 ? at : at - this.#pos;
  }

  /** Returns the next `n` characters and skips one more (the closing delimiter). */
  take(n: number): string {
    const s = this.#text.slice(this.#pos, this.#pos + n);
    this.#pos += n + 1;
    return s;
  }

  /** Matches a sticky regex at the cursor and consumes it. */
  match(re: RegExp): string | null {
    re.lastIndex = this.#pos;
    const m = re.exec(this.#text);
    if (m === null) return null;
    this.#pos += m[0].length;
    return m[0];
  }

  skipSpaces(): void {
    while (this.peek() === " " || this.peek() === "\t") this.#pos++;
  }

  atEndOrComment(): boolean {
    const ch = this.peek();
    return ch === undefined || ch === "#";
  }

  expect(ch: string): void {
    this.skipSpaces();
    if (this.peek() !== ch) this.fail(`expected "${ch}"`);
    this.#pos++;
  }

  fail(message: string): never {
    throw new TomlError(this.#line, message);
  }
}
