/**
 * String functions with PostgreSQL 15 semantics. Positions and lengths count characters (code
 * points), not UTF-16 units; case mapping is Unicode-aware (as under an `en_US.UTF-8` locale).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { SqlState } from "../../core/errors.ts";
import { type DataType, Types } from "../../core/types/data_type.ts";
import { type Column, isValid, makeColumn, valueAt } from "../../core/types/column.ts";
import { formatValue } from "../../core/types/format.ts";
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import {
  andValidities,
  checkResultLength,
  codePointLength,
  codePointOffset,
  codePointSlice,
  codePointWidthAt,
  dbError,
  fixedArgs,
  hasSurrogate,
  integerOrUnknown,
  PgState,
  stringOrUnknown,
  withNull,
} from "./_common.ts";

const text = Types.text;
const int4 = Types.int4;

/** A row-wise function over arguments already cast to the parameter types. */
type RowFn<R> = (args: readonly Column[], i: number) => R;

/** Builds a function from its parameter list, result type and a per-row body (NULL in, NULL out). */
function rowFunction(
  name: string,
  params: readonly DataType[],
  returns: DataType,
  row: RowFn<string | number | boolean>,
): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (types) => fixedArgs(types, params, returns),
    evaluate(args, n) {
      const v = andValidities(args, n);
      return fill(returns, n, v, (i) => row(args, i));
    },
  };
}

/** Fills a result column for the valid rows of `v`. */
function fill(
  returns: DataType,
  n: number,
  v: Uint8Array | null,
  row: (i: number) => string | number | boolean,
): Column {
  if (returns.kind === "text") {
    const out = new Array<string>(n).fill("");
    for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = row(i) as string;
    return makeColumn(returns, n, out, v);
  }
  if (returns.kind === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = row(i) ? 1 : 0;
    return makeColumn(returns, n, out, v);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = row(i) as number;
  return makeColumn(returns, n, out, v);
}

function str(args: readonly Column[], k: number, i: number): string {
  return (args[k]!.data as string[])[i]!;
}

function int(args: readonly Column[], k: number, i: number): number {
  return (args[k]!.data as Int32Array)[i]!;
}

/** PostgreSQL's substring(s FROM start [FOR count]) on characters. */
export function substring(s: string, start: number, count: number | null): string {
  if (count !== null && count < 0) {
    throw dbError(PgState.substringError, "negative substring length not allowed");
  }
  const from = Math.max(start, 1) - 1;
  if (count === null) return s.slice(codePointOffset(s, from));
  return codePointSlice(s, from, start + count - 1);
}

function left(s: string, n: number): string {
  if (n >= 0) return codePointSlice(s, 0, n);
  return codePointSlice(s, 0, codePointLength(s) + n);
}

function right(s: string, n: number): string {
  const len = codePointLength(s);
  if (n >= 0) return s.slice(codePointOffset(s, Math.max(0, len - n)));
  return s.slice(codePointOffset(s, Math.min(len, -n)));
}

/** lpad/rpad: pads to `len` characters with `fill` repeated, or truncates on the right. */
export function pad(s: string, len: number, fillWith: string, atLeft: boolean): string {
  if (len <= 0) return "";
  checkResultLength(len);
  const sLen = codePointLength(s);
  if (sLen >= len) return codePointSlice(s, 0, len);
  if (fillWith === "") return s;
  const need = len - sLen;
  const fillLen = codePointLength(fillWith);
  const padding = codePointSlice(fillWith.repeat(Math.ceil(need / fillLen)), 0, need);
  return atLeft ? padding + s : s + padding;
}

function repeat(s: string, n: number): string {
  if (n <= 0 || s === "") return "";
  checkResultLength(s.length * n);
  return s.repeat(n);
}

function reverse(s: string): string {
  let out = "";
  for (let k = s.length - 1; k >= 0; k--) {
    const c = s.charCodeAt(k);
    if (c >= 0xdc00 && c <= 0xdfff && k > 0) {
      const h = s.charCodeAt(k - 1);
      if (h >= 0xd800 && h <= 0xdbff) {
        out += s[k - 1]! + s[k]!;
        k--;
        continue;
      }
    }
    out += s[k]!;
  }
  return out;
}

/** split_part(s, delimiter, n): n counts from 1, negative n counts from the end (PG 14+). */
export function splitPart(s: string, delim: string, n: number): string {
  if (n === 0) throw dbError(SqlState.invalidParameterValue, "field position must not be zero");
  if (s === "") return "";
  if (delim === "") return n === 1 || n === -1 ? s : "";
  if (n > 0) {
    let start = 0;
    for (let k = 1; k < n; k++) {
      const at = s.indexOf(delim, start);
      if (at < 0) return "";
      start = at + delim.length;
    }
    const end = s.indexOf(delim, start);
    return end < 0 ? s.slice(start) : s.slice(start, end);
  }
  const parts = s.split(delim);
  return parts[parts.length + n] ?? "";
}

/** strpos(s, sub): 1-based character position of `sub`, 0 if absent. */
export function strpos(s: string, sub: string): number {
  const at = s.indexOf(sub);
  if (at < 0) return 0;
  return hasSurrogate(s) ? codePointLength(s.slice(0, at)) + 1 : at + 1;
}

function replace(s: string, from: string, to: string): string {
  return from === "" ? s : s.split(from).join(to);
}

/** Trims characters of `chars` from the ends of `s` (btrim/ltrim/rtrim). */
export function trimChars(s: string, chars: string, atLeft: boolean, atRight: boolean): string {
  let start = 0;
  let end = s.length;
  if (chars === "") return s;
  if (atLeft) {
    while (start < end) {
      const w = codePointWidthAt(s, start);
      if (!chars.includes(s.slice(start, start + w))) break;
      start += w;
    }
  }
  if (atRight) {
    while (end > start) {
      const c = s.charCodeAt(end - 1);
      const w = c >= 0xdc00 && c <= 0xdfff && end - 2 >= start &&
          codePointWidthAt(s, end - 2) === 2
        ? 2
        : 1;
      if (!chars.includes(s.slice(end - w, end))) break;
      end -= w;
    }
  }
  return s.slice(start, end);
}

const wordChar = /[\p{L}\p{N}]/u;

function isWordChar(c: string, code: number): boolean {
  if (code < 128) {
    return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  }
  return wordChar.test(c);
}

/** initcap: upper-cases the first letter of each alphanumeric run, lower-cases the rest. */
export function initcap(s: string): string {
  let out = "";
  let inWord = false;
  for (let k = 0; k < s.length;) {
    const w = codePointWidthAt(s, k);
    const c = s.slice(k, k + w);
    const alnum = isWordChar(c, s.charCodeAt(k));
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
    k += w;
  }
  return out;
}

/** chr(n): the character with code point n, with PostgreSQL's errors. */
export function chr(n: number): string {
  if (n < 0) throw dbError(SqlState.invalidParameterValue, "character number must be positive");
  if (n === 0) throw dbError(SqlState.programLimitExceeded, "null character not permitted");
  if (n > 0x10ffff) {
    throw dbError(
      SqlState.programLimitExceeded,
      `requested character too large for encoding: ${n}`,
    );
  }
  if (n >= 0xd800 && n <= 0xdfff) {
    throw dbError(
      SqlState.programLimitExceeded,
      `requested character not valid for encoding: ${n}`,
    );
  }
  return String.fromCodePoint(n);
}

/** Bytes of `s` in UTF-8. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && codePointWidthAt(s, k) === 2) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}

/** translate(s, from, to): replaces each character of `from` by the one at the same place in `to`. */
export function translate(s: string, from: string, to: string): string {
  const src = Array.from(from);
  const dst = Array.from(to);
  const map = new Map<string, string>();
  for (let k = 0; k < src.length; k++) if (!map.has(src[k]!)) map.set(src[k]!, dst[k] ?? "");
  let out = "";
  for (const c of s) out += map.get(c) ?? c;
  return out;
}

function md5(s: string): string {
  return createHash("md5").update(s, "utf8").digest("hex");
}

function toHex(args: readonly Column[], i: number): string {
  const a = args[0]!;
  if (a.kind === "int8") return BigInt.asUintN(64, a.data[i]!).toString(16);
  return ((a.data as Int32Array)[i]! >>> 0).toString(16);
}

const toHexFn: ScalarFunctionDef = {
  name: "to_hex",
  volatility: "immutable",
  resolve(types) {
    if (types.length !== 1 || !integerOrUnknown(types[0]!)) return null;
    const t = types[0]!.kind === "int8" ? Types.int8 : int4;
    return { returns: text, argTypes: [t] };
  },
  evaluate(args, n) {
    return fill(text, n, args[0]!.validity, (i) => toHex(args, i));
  },
};

/** Variadic "any" arguments: untyped literals become text, other types pass as they are. */
function anyArgs(types: readonly DataType[], min: number): FunctionResolution | null {
  if (types.length < min) return null;
  return { returns: text, argTypes: types.map((t) => (t.kind === "unknown" ? text : t)) };
}

/** Renders row i of a column as PostgreSQL's output function would (`t`, `2.5`, `2020-01-02`). */
function render(col: Column, i: number): string {
  if (col.kind === "text" || col.kind === "varchar") return col.data[i]!;
  return formatValue(col.type, valueAt(col, i)) ?? "";
}

const concatFn: ScalarFunctionDef = {
  name: "concat",
  volatility: "immutable",
  resolve: (types) => anyArgs(types, 1),
  evaluate(args, n) {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      let s = "";
      for (const a of args) if (isValid(a.validity, i)) s += render(a, i);
      checkResultLength(s.length);
      out[i] = s;
    }
    return makeColumn(text, n, out, null);
  },
};

const concatWsFn: ScalarFunctionDef = {
  name: "concat_ws",
  volatility: "immutable",
  resolve(types) {
    const r = anyArgs(types, 1);
    if (r === null || !stringOrUnknown(types[0]!)) return null;
    return { returns: text, argTypes: [text, ...r.argTypes.slice(1)] };
  },
  evaluate(args, n) {
    const sep = args[0]!;
    const out = new Array<string>(n).fill("");
    let validity: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (!isValid(sep.validity, i)) {
        validity = withNull(validity, n, i);
        continue;
      }
      const d = (sep.data as string[])[i]!;
      let s = "";
      let first = true;
      for (let k = 1; k < args.length; k++) {
        const a = args[k]!;
        if (!isValid(a.validity, i)) continue;
        s += first ? render(a, i) : d + render(a, i);
        first = false;
      }
      checkResultLength(s.length);
      out[i] = s;
    }
    return makeColumn(text, n, out, validity);
  },
};

/** length-like functions: text -> int4. */
function textToInt(name: string, f: (s: string) => number): ScalarFunctionDef {
  return rowFunction(name, [text], int4, (a, i) => f(str(a, 0, i)));
}

/** text -> text. */
function textToText(name: string, f: (s: string) => string): ScalarFunctionDef {
  return rowFunction(name, [text], text, (a, i) => f(str(a, 0, i)));
}

/** The built-in string functions (length, lower and upper live in scalar.ts). */
export const stringFunctions: readonly ScalarFunctionDef[] = [
  rowFunction("substr", [text, int4], text, (a, i) => substring(str(a, 0, i), int(a, 1, i), null)),
  rowFunction(
    "substr",
    [text, int4, int4],
    text,
    (a, i) => substring(str(a, 0, i), int(a, 1, i), int(a, 2, i)),
  ),
  rowFunction(
    "substring",
    [text, int4],
    text,
    (a, i) => substring(str(a, 0, i), int(a, 1, i), null),
  ),
  rowFunction(
    "substring",
    [text, int4, int4],
    text,
    (a, i) => substring(str(a, 0, i), int(a, 1, i), int(a, 2, i)),
  ),
  rowFunction(
    "replace",
    [text, text, text],
    text,
    (a, i) => replace(str(a, 0, i), str(a, 1, i), str(a, 2, i)),
  ),
  textToText("btrim", (s) => trimChars(s, " ", true, true)),
  rowFunction(
    "btrim",
    [text, text],
    text,
    (a, i) => trimChars(str(a, 0, i), str(a, 1, i), true, true),
  ),
  textToText("trim", (s) => trimChars(s, " ", true, true)),
  rowFunction(
    "trim",
    [text, text],
    text,
    (a, i) => trimChars(str(a, 0, i), str(a, 1, i), true, true),
  ),
  textToText("ltrim", (s) => trimChars(s, " ", true, false)),
  rowFunction(
    "ltrim",
    [text, text],
    text,
    (a, i) => trimChars(str(a, 0, i), str(a, 1, i), true, false),
  ),
  textToText("rtrim", (s) => trimChars(s, " ", false, true)),
  rowFunction(
    "rtrim",
    [text, text],
    text,
    (a, i) => trimChars(str(a, 0, i), str(a, 1, i), false, true),
  ),
  rowFunction("lpad", [text, int4], text, (a, i) => pad(str(a, 0, i), int(a, 1, i), " ", true)),
  rowFunction(
    "lpad",
    [text, int4, text],
    text,
    (a, i) => pad(str(a, 0, i), int(a, 1, i), str(a, 2, i), true),
  ),
  rowFunction("rpad", [text, int4], text, (a, i) => pad(str(a, 0, i), int(a, 1, i), " ", false)),
  rowFunction(
    "rpad",
    [text, int4, text],
    text,
    (a, i) => pad(str(a, 0, i), int(a, 1, i), str(a, 2, i), false),
  ),
  rowFunction("left", [text, int4], text, (a, i) => left(str(a, 0, i), int(a, 1, i))),
  rowFunction("right", [text, int4], text, (a, i) => right(str(a, 0, i), int(a, 1, i))),
  rowFunction("repeat", [text, int4], text, (a, i) => repeat(str(a, 0, i), int(a, 1, i))),
  textToText("reverse", reverse),
  rowFunction(
    "split_part",
    [text, text, int4],
    text,
    (a, i) => splitPart(str(a, 0, i), str(a, 1, i), int(a, 2, i)),
  ),
  rowFunction("strpos", [text, text], int4, (a, i) => strpos(str(a, 0, i), str(a, 1, i))),
  // POSITION(sub IN s) reaches us as position(s, sub), as in PostgreSQL's grammar.
  rowFunction("position", [text, text], int4, (a, i) => strpos(str(a, 0, i), str(a, 1, i))),
  concatFn,
  concatWsFn,
  textToText("initcap", initcap),
  textToInt("ascii", (s) => s.codePointAt(0) ?? 0),
  rowFunction("chr", [int4], text, (a, i) => chr(int(a, 0, i))),
  textToText("md5", md5),
  rowFunction(
    "starts_with",
    [text, text],
    Types.bool,
    (a, i) => str(a, 0, i).startsWith(str(a, 1, i)),
  ),
  textToInt("octet_length", utf8Length),
  textToInt("bit_length", (s) => utf8Length(s) * 8),
  textToInt("character_length", codePointLength),
  rowFunction(
    "translate",
    [text, text, text],
    text,
    (a, i) => translate(str(a, 0, i), str(a, 1, i), str(a, 2, i)),
  ),
  toHexFn,
];
