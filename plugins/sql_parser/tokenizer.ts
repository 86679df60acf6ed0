/**
 * The SQL tokenizer: one pass over the text, no regular expressions per token.
 *
 * @module
 */
import { SqlSyntaxError } from "../../core/errors.ts";

/** Kinds of token. Keywords are `ident` tokens; the parser recognises them by value. */
export type TokenKind =
  | "ident"
  | "qident"
  | "number"
  | "string"
  | "estring"
  | "op"
  | "param"
  | "eof";

/** One token. `value` is case-folded for identifiers, unescaped for strings. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** 0-based offset of the token's first character. */
  readonly pos: number;
}

const OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Splits SQL text into tokens, ending with an `eof` token.
 *
 * @example
 * ```ts
 * import { tokenize } from "./tokenizer.ts";
 * const t = tokenize("SELECT a FROM \"T\"");
 * console.assert(t[0]!.value === "select" && t[3]!.value === "T");
 * ```
 */
export function tokenize(sql: string, identifierBytesMax = 63): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    // -- comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      while (i < n && sql.charCodeAt(i) !== 10) i++;
      continue;
    }
    // /* nested comment */
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw SqlSyntaxError.at(sql, start, "unterminated /* comment");
      continue;
    }
    const start = i;
    // E'...' escape strings
    if ((c === 69 || c === 101) && sql.charCodeAt(i + 1) === 39) {
      const [value, end] = readEscapeString(sql, i + 1);
      tokens.push({ kind: "estring", value, pos: start });
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
      tokens.push({
        kind: "ident",
        value: truncate(sql.slice(start, i).toLowerCase(), identifierBytesMax),
        pos: start,
      });
      continue;
    }
    if (c === 34) {
      // "quoted identifier"
      let value = "";
      i++;
      for (;;) {
        if (i >= n) throw SqlSyntaxError.at(sql, start, "unterminated quoted identifier");
        const ch = sql.charCodeAt(i);
        if (ch === 34) {
          if (sql.charCodeAt(i + 1) === 34) {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i];
        i++;
      }
      if (value.length === 0) {
        throw SqlSyntaxError.at(sql, start, "zero-length delimited identifier");
      }
      tokens.push({ kind: "qident", value: truncate(value, identifierBytesMax), pos: start });
      continue;
    }
    if (c === 39) {
      const [value, end] = readString(sql, i);
      tokens.push({ kind: "string", value, pos: start });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
      if (sql.charCodeAt(i) === 46 && sql.charCodeAt(i + 1) !== 46) {
        i++;
        while (i < n && isDigit(sql.charCodeAt(i))) i++;
      }
      const e = sql.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const sign = sql.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(sql.charCodeAt(j))) {
          i = j;
          while (i < n && isDigit(sql.charCodeAt(i))) i++;
        }
      }
      if (i < n && isIdentStart(sql.charCodeAt(i))) {
        throw SqlSyntaxError.at(
          sql,
          start,
          `trailing junk after numeric literal "${sql.slice(start, i + 1)}"`,
        );
      }
      tokens.push({ kind: "number", value: sql.slice(start, i), pos: start });
      continue;
    }
    // $$dollar-quoted$$ and $tag$dollar-quoted$tag$ strings: no escapes inside
    if (c === 36 && !isDigit(sql.charCodeAt(i + 1))) {
      let j = i + 1;
      if (isIdentStart(sql.charCodeAt(j))) {
        while (j < n && isIdentPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      }
      if (sql.charCodeAt(j) === 36) {
        const delimiter = sql.slice(i, j + 1);
        const close = sql.indexOf(delimiter, j + 1);
        if (close < 0) throw SqlSyntaxError.at(sql, start, "unterminated dollar-quoted string");
        tokens.push({ kind: "string", value: sql.slice(j + 1, close), pos: start });
        i = close + delimiter.length;
        continue;
      }
    }
    if (c === 36 && isDigit(sql.charCodeAt(i + 1))) {
      i++;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
      tokens.push({ kind: "param", value: sql.slice(start + 1, i), pos: start });
      continue;
    }
    // punctuation
    if (c === 40 || c === 41 || c === 44 || c === 59 || c === 46 || c === 91 || c === 93) {
      tokens.push({ kind: "op", value: sql[i]!, pos: start });
      i++;
      continue;
    }
    if (c === 58) {
      if (sql.charCodeAt(i + 1) === 58) {
        tokens.push({ kind: "op", value: "::", pos: start });
        i += 2;
        continue;
      }
      tokens.push({ kind: "op", value: ":", pos: start });
      i++;
      continue;
    }
    if (OPERATOR_CHARS.includes(sql[i]!)) {
      // PostgreSQL: an operator is a run of operator characters; -- and /* end it.
      let j = i;
      while (j < n && OPERATOR_CHARS.includes(sql[j]!)) {
        if ((sql[j] === "-" && sql[j + 1] === "-") || (sql[j] === "/" && sql[j + 1] === "*")) break;
        j++;
      }
      if (j === i) j = i + 1;
      let op = sql.slice(i, j);
      // A multi-char operator ending in + or - is split unless it contains ~ ! @ # % ^ & | ` ?
      while (op.length > 1 && (op.endsWith("+") || op.endsWith("-")) && !/[~!@#%^&|`?]/.test(op)) {
        op = op.slice(0, -1);
      }
      tokens.push({ kind: "op", value: op, pos: start });
      i += op.length;
      continue;
    }
    throw SqlSyntaxError.at(sql, i, `unexpected character "${sql[i]}"`);
  }
  tokens.push({ kind: "eof", value: "", pos: n });
  return tokens;
}

function truncate(name: string, bytesMax: number): string {
  if (name.length <= bytesMax / 4) return name;
  const bytes = new TextEncoder().encode(name);
  if (bytes.length <= bytesMax) return name;
  let end = bytesMax;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

function readString(sql: string, quotePos: number): [string, number] {
  let value = "";
  let i = quotePos + 1;
  for (;;) {
    if (i >= sql.length) throw SqlSyntaxError.at(sql, quotePos, "unterminated quoted string");
    const ch = sql.charCodeAt(i);
    if (ch === 39) {
      if (sql.charCodeAt(i + 1) === 39) {
        value += "'";
        i += 2;
        continue;
      }
      i++;
      // 'a' 'b' separated by whitespace containing a newline concatenate (SQL standard)
      let j = i;
      let sawNewline = false;
      while (j < sql.length && /\s/.test(sql[j]!)) {
        if (sql[j] === "\n") sawNewline = true;
        j++;
      }
      if (sawNewline && sql.charCodeAt(j) === 39) {
        const [more, end] = readString(sql, j);
        return [value + more, end];
      }
      return [value, i];
    }
    const next = sql.indexOf("'", i);
    if (next < 0) throw SqlSyntaxError.at(sql, quotePos, "unterminated quoted string");
    value += sql.slice(i, next);
    i = next;
  }
}

function readEscapeString(sql: string, quotePos: number): [string, number] {
  let value = "";
  let i = quotePos + 1;
  for (;;) {
    if (i >= sql.length) throw SqlSyntaxError.at(sql, quotePos, "unterminated quoted string");
    const ch = sql[i]!;
    if (ch === "'") {
      if (sql[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    if (ch === "\\") {
      const e = sql[i + 1];
      if (e === undefined) throw SqlSyntaxError.at(sql, quotePos, "unterminated quoted string");
      const simple: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (simple[e] !== undefined) {
        value += simple[e];
        i += 2;
      } else if (e === "x") {
        const m = /^[0-9a-fA-F]{1,2}/.exec(sql.slice(i + 2));
        if (!m) throw SqlSyntaxError.at(sql, i, "invalid hexadecimal escape");
        value += String.fromCharCode(parseInt(m[0], 16));
        i += 2 + m[0].length;
      } else if (e === "u" || e === "U") {
        const len = e === "u" ? 4 : 8;
        const hex = sql.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) {
          throw SqlSyntaxError.at(sql, i, "invalid Unicode escape");
        }
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || cp === 0) {
          throw SqlSyntaxError.at(sql, i, "invalid Unicode escape value");
        }
        value += String.fromCodePoint(cp);
        i += 2 + len;
      } else if (e >= "0" && e <= "7") {
        const m = /^[0-7]{1,3}/.exec(sql.slice(i + 1))!;
        const code = parseInt(m[0], 8);
        if (code === 0) throw SqlSyntaxError.at(sql, i, "invalid byte sequence: 0x00");
        value += String.fromCharCode(code);
        i += 1 + m[0].length;
      } else {
        value += e;
        i += 2;
      }
      continue;
    }
    value += ch;
    i++;
  }
}
