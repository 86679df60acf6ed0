/**
 * Shared helpers for the built-in functions: argument resolution, validity bitmaps, code point
 * arithmetic on strings and error constructors. Private to this plugin.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import {
  type DataType,
  isInteger,
  isNumeric,
  isString,
  Types,
} from "../../core/types/data_type.ts";
import { allValid, type Column, isValid, setNull, validityBytes } from "../../core/types/column.ts";
import type { FunctionResolution } from "../../core/plugin/functions.ts";

/**
 * The longest string, in UTF-16 code units, a function may build (`repeat`, `lpad`, ...):
 * 2^28 - 1, PostgreSQL's limit for `lpad` (1 GB over 4 bytes per character). Longer results
 * raise 54000 instead of exhausting memory.
 */
export const resultStringCharsMax = 268_435_455;

/** A numeric argument or an untyped literal (which then resolves to float8). */
export function numericOrUnknown(t: DataType): boolean {
  return t.kind === "unknown" || isNumeric(t);
}

/** A string argument or an untyped literal (which then resolves to text). */
export function stringOrUnknown(t: DataType): boolean {
  return t.kind === "unknown" || isString(t);
}

/** An integer argument or an untyped literal (which then resolves to int4). */
export function integerOrUnknown(t: DataType): boolean {
  return t.kind === "unknown" || isInteger(t);
}

/** Resolves `n` numeric arguments to float8, returning float8 (or `returns`). */
export function float8Args(
  types: readonly DataType[],
  n: number,
  returns: DataType = Types.float8,
): FunctionResolution | null {
  if (types.length !== n || !types.every(numericOrUnknown)) return null;
  return { returns, argTypes: types.map(() => Types.float8) };
}

/**
 * Resolves a signature whose parameters are all listed: each argument must be of the
 * parameter's category (string, integer, numeric or bool) or untyped.
 */
export function fixedArgs(
  types: readonly DataType[],
  params: readonly DataType[],
  returns: DataType,
): FunctionResolution | null {
  if (types.length !== params.length) return null;
  for (let i = 0; i < params.length; i++) {
    const t = types[i]!;
    const p = params[i]!;
    if (t.kind === "unknown") continue;
    if (isString(p) ? !isString(t) : isNumeric(p) ? !isNumeric(t) : t.kind !== p.kind) {
      return null;
    }
    // A float argument for an integer parameter would need an explicit cast in PostgreSQL.
    if (isInteger(p) && !isInteger(t)) return null;
  }
  return { returns, argTypes: params };
}

/** The AND of the validity bitmaps of several columns (`null` = all valid). */
export function andValidities(cols: readonly Column[], length: number): Uint8Array | null {
  let out: Uint8Array | null = null;
  const bytes = validityBytes(length);
  for (const c of cols) {
    if (c.validity === null) continue;
    if (out === null) out = c.validity.slice(0, bytes);
    else for (let i = 0; i < bytes; i++) out[i] = out[i]! & c.validity[i]!;
  }
  return out;
}

/** A fresh all-valid bitmap, or a copy of `validity`. */
export function copyValidity(validity: Uint8Array | null, length: number): Uint8Array {
  return validity === null ? allValid(length) : validity.slice(0, validityBytes(length));
}

/** Marks row `i` NULL, allocating the bitmap on first use; returns the bitmap. */
export function withNull(validity: Uint8Array | null, length: number, i: number): Uint8Array {
  const v = validity ?? allValid(length);
  setNull(v, i);
  return v;
}

/** Whether row `i` is valid in every column. */
export function rowValid(cols: readonly Column[], i: number): boolean {
  for (const c of cols) if (!isValid(c.validity, i)) return false;
  return true;
}

/** A DbError with a SQLSTATE code. */
export function dbError(code: string, message: string): DbError {
  return new DbError(code, message);
}

/** 22003 "value out of range: overflow", as PostgreSQL's float functions raise it. */
export function floatOverflow(): DbError {
  return new DbError(SqlState.numericValueOutOfRange, "value out of range: overflow");
}

/** 22003 "value out of range: underflow". */
export function floatUnderflow(): DbError {
  return new DbError(SqlState.numericValueOutOfRange, "value out of range: underflow");
}

/** 54000 "requested length too large" when a result string would exceed the limit. */
export function checkResultLength(chars: number): void {
  if (chars > resultStringCharsMax) {
    throw new DbError(SqlState.programLimitExceeded, "requested length too large");
  }
}

/** Number of code points in `s` (PostgreSQL counts characters, not UTF-16 units). */
export function codePointLength(s: string): number {
  let count = s.length;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xdc00 && c <= 0xdfff && k > 0) {
      const h = s.charCodeAt(k - 1);
      if (h >= 0xd800 && h <= 0xdbff) count--;
    }
  }
  return count;
}

/** The code unit offset of code point `cp` (0-based) in `s`, clamped to `s.length`. */
export function codePointOffset(s: string, cp: number): number {
  if (cp <= 0) return 0;
  let off = 0;
  const n = s.length;
  for (let k = 0; k < cp && off < n; k++) off += codePointWidthAt(s, off);
  return off > n ? n : off;
}

/** 2 if a surrogate pair starts at `off`, else 1. */
export function codePointWidthAt(s: string, off: number): number {
  const c = s.charCodeAt(off);
  if (c >= 0xd800 && c <= 0xdbff && off + 1 < s.length) {
    const d = s.charCodeAt(off + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Code points `[from, to)` of `s` (0-based, clamped). */
export function codePointSlice(s: string, from: number, to: number): string {
  if (to <= from) return "";
  const a = codePointOffset(s, from);
  let b = a;
  const n = s.length;
  for (let k = from < 0 ? 0 : from; k < to && b < n; k++) b += codePointWidthAt(s, b);
  return s.slice(a, b);
}

/** Whether `s` has any surrogate code unit (so code unit and code point indices differ). */
export function hasSurrogate(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** SQLSTATE codes these functions raise that `SqlState` in core/errors.ts does not name. */
export const PgState = {
  /** 2201E: logarithm of zero or of a negative number. */
  invalidArgumentForLog: "2201E",
  /** 2201F: square root of a negative number, 0 ^ negative, negative ^ fraction. */
  invalidArgumentForPower: "2201F",
  /** 22025: LIKE pattern ending in the escape character; bad ESCAPE string. */
  invalidEscapeSequence: "22025",
  /** 22011: negative substring length. */
  substringError: "22011",
} as const;
