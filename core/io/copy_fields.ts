/**
 * Splits one COPY record into field values: PostgreSQL's CopyReadAttributesText (backslash
 * escapes, NULL = the raw field equal to the NULL string) and CopyReadAttributesCSV (quotes,
 * escapes, NULL = an unquoted field equal to the NULL string, FORCE_NULL / FORCE_NOT_NULL).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { CopyFormat } from "./copy_options.ts";

const BACKSLASH = 92;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A record's fields, refilled for every record (no object per record). */
export interface FieldSink {
  /** Field values, `null` for NULL; only the first `count` are this record's. */
  values: (string | null)[];
  count: number;
}

/** The format in bytes, prepared once per COPY. */
export interface FieldSplitter {
  /** Splits `bytes[start, end)` into `sink`. Throws 22P04 / 22021 without context. */
  split(bytes: Uint8Array, start: number, end: number, sink: FieldSink): void;
}

function decode(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    const shown = Array.from(
      bytes.subarray(i, Math.min(i + 2, end)),
      (b) => `0x${b.toString(16).padStart(2, "0")}`,
    );
    throw new DbError(
      SqlState.characterNotInRepertoire,
      `invalid byte sequence for encoding "UTF8": ${shown.join(" ")}`,
    );
  }
}

function sameBytes(bytes: Uint8Array, start: number, end: number, text: Uint8Array): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (bytes[start + k] !== text[k]) return false;
  return true;
}

function push(sink: FieldSink, value: string | null): void {
  if (sink.count < sink.values.length) sink.values[sink.count] = value;
  else sink.values.push(value);
  sink.count++;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * The text format's splitter.
 *
 * @example
 * ```ts
 * import { textFieldSplitter } from "./copy_fields.ts";
 * const s = textFieldSplitter({ delimiter: "\t", null: "\\N" });
 * const bytes = new TextEncoder().encode("a\\tb\t\\N");
 * const sink = { values: [], count: 0 };
 * s.split(bytes, 0, bytes.length, sink);
 * console.assert(sink.values[0] === "a\tb" && sink.values[1] === null);
 * ```
 */
export function textFieldSplitter(format: Pick<CopyFormat, "delimiter" | "null">): FieldSplitter {
  const delim = format.delimiter.charCodeAt(0);
  const nullBytes = new TextEncoder().encode(format.null);
  let scratch = new Uint8Array(256);
  return {
    split(bytes, start, end, sink) {
      sink.count = 0;
      let i = start;
      for (;;) {
        const fieldStart = i;
        let escaped = false;
        while (i < end && bytes[i] !== delim) {
          if (bytes[i] === BACKSLASH) {
            escaped = true;
            i += 2;
          } else i++;
        }
        const fieldEnd = Math.min(i, end);
        if (sameBytes(bytes, fieldStart, fieldEnd, nullBytes)) push(sink, null);
        else if (!escaped) push(sink, decode(bytes, fieldStart, fieldEnd));
        else {
          if (scratch.length < fieldEnd - fieldStart) {
            scratch = new Uint8Array(fieldEnd - fieldStart);
          }
          const n = unescapeText(bytes, fieldStart, fieldEnd, scratch);
          push(sink, decode(scratch, 0, n));
        }
        if (i >= end) return;
        i++; // the delimiter
      }
    },
  };
}

/** Resolves backslash escapes of `bytes[start, end)` into `out`; returns the length. */
function unescapeText(bytes: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let i = start;
  while (i < end) {
    let c = bytes[i++]!;
    if (c === BACKSLASH) {
      if (i >= end) break; // a trailing backslash is dropped, as in PostgreSQL
      c = bytes[i++]!;
      if (c >= 48 && c <= 55) {
        let v = c - 48;
        for (let k = 0; k < 2 && i < end && bytes[i]! >= 48 && bytes[i]! <= 55; k++) {
          v = v * 8 + bytes[i++]! - 48;
        }
        c = v & 0xff;
      } else if (c === 120 && i < end && hexValue(bytes[i]!) >= 0) { // \xhh
        let v = hexValue(bytes[i++]!);
        if (i < end && hexValue(bytes[i]!) >= 0) v = v * 16 + hexValue(bytes[i++]!);
        c = v;
      } else if (c === 98) c = 8; // \b
      else if (c === 102) c = 12; // \f
      else if (c === 110) c = 10; // \n
      else if (c === 114) c = 13; // \r
      else if (c === 116) c = 9; // \t
      else if (c === 118) c = 11; // \v
    }
    out[n++] = c;
  }
  return n;
}

/**
 * The CSV format's splitter.
 *
 * @example
 * ```ts
 * import { csvFieldSplitter } from "./copy_fields.ts";
 * const s = csvFieldSplitter({
 *   delimiter: ",", null: "", quote: '"', escape: '"', forceNull: new Set(), forceNotNull: new Set(),
 * });
 * const bytes = new TextEncoder().encode('"a,""b""",,""');
 * const sink = { values: [], count: 0 };
 * s.split(bytes, 0, bytes.length, sink);
 * console.assert(sink.values[0] === 'a,"b"' && sink.values[1] === null && sink.values[2] === "");
 * ```
 */
export function csvFieldSplitter(
  format: Pick<
    CopyFormat,
    "delimiter" | "null" | "quote" | "escape" | "forceNull" | "forceNotNull"
  >,
): FieldSplitter {
  const delim = format.delimiter.charCodeAt(0);
  const quote = format.quote.charCodeAt(0);
  const escape = format.escape.charCodeAt(0);
  const nullBytes = new TextEncoder().encode(format.null);
  const forceNull = format.forceNull;
  const forceNotNull = format.forceNotNull;
  let scratch = new Uint8Array(256);
  return {
    split(bytes, start, end, sink) {
      sink.count = 0;
      if (scratch.length < end - start) scratch = new Uint8Array(end - start);
      let i = start;
      for (;;) {
        const fieldStart = i;
        let n = 0;
        let sawQuote = false;
        let foundDelim = false;
        fields: for (;;) {
          let enteredQuote = false;
          while (i < end) { // unquoted part
            const c = bytes[i++]!;
            if (c === delim) {
              foundDelim = true;
              break fields;
            }
            if (c === quote) {
              sawQuote = enteredQuote = true;
              break;
            }
            scratch[n++] = c;
          }
          if (!enteredQuote) break;
          for (;;) { // quoted part
            if (i >= end) {
              throw new DbError(SqlState.badCopyFileFormat, "unterminated CSV quoted field");
            }
            const c = bytes[i++]!;
            if (c === escape && i < end && (bytes[i] === escape || bytes[i] === quote)) {
              scratch[n++] = bytes[i++]!;
              continue;
            }
            if (c === quote) break;
            scratch[n++] = c;
          }
        }
        const fieldEnd = foundDelim ? i - 1 : i;
        const column = sink.count;
        let value: string | null;
        if (!sawQuote && sameBytes(bytes, fieldStart, fieldEnd, nullBytes)) {
          value = forceNotNull.has(column) ? format.null : null;
        } else {
          value = decode(scratch, 0, n);
          if (forceNull.has(column) && value === format.null) value = null;
        }
        push(sink, value);
        if (!foundDelim) return;
      }
    },
  };
}
