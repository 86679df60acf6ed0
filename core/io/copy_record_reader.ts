/**
 * Splits a COPY input into records, reading it in chunks: PostgreSQL's CopyReadLine over bytes.
 * The first line ending seen (LF, CRLF or CR) must be used throughout; in CSV a record ends at a
 * line ending outside quotes; in text a backslash protects the next byte; `\.` alone on a line
 * ends the data. Line numbers follow PostgreSQL's count, quirks included (a record's embedded
 * newlines count only once the line ending is known).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { ReadFile } from "../env/fs.ts";

/** Bytes read from the file at a time. */
export const copyReadChunkBytes = 1 << 20;

const LF = 10;
const CR = 13;
const BACKSLASH = 92;
const DOT = 46;

type Eol = "unknown" | "lf" | "crlf" | "cr";

/** Settings of a {@link CopyRecordReader}. */
export interface CopyRecordReaderOptions {
  readonly csv: boolean;
  /** CSV quote and escape bytes. */
  readonly quote: number;
  readonly escape: number;
  /** Longest record accepted, in bytes (the limit copyLineBytesMax). */
  readonly lineBytesMax: number;
}

/**
 * Reads records one at a time; after {@link next} returns true the record is
 * `buffer[start, end)` (line ending excluded) and `line` is its line number. Errors (22P04,
 * 54000) carry no CONTEXT: the caller adds `COPY t, line N`.
 *
 * @example
 * ```ts
 * import { CopyRecordReader } from "./copy_record_reader.ts";
 * const bytes = new TextEncoder().encode('1,"a\nb"\n2,c\n');
 * let done = false;
 * const file = {
 *   read: (b: Uint8Array) => {
 *     if (done) return Promise.resolve(null);
 *     done = true;
 *     b.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 *   close: () => {},
 * };
 * const r = new CopyRecordReader(file, {
 *   csv: true, quote: 34, escape: 34, lineBytesMax: 1024,
 * });
 * let n = 0;
 * while (await r.next()) n++;
 * console.assert(n === 2);
 * ```
 */
export class CopyRecordReader {
  /** The bytes; the current record is `[start, end)`. */
  buffer: Uint8Array;
  start = 0;
  end = 0;
  /** PostgreSQL's line number of the current record. */
  line = 0;
  readonly #file: ReadFile;
  readonly #o: CopyRecordReaderOptions;
  readonly #escape: number;
  #dataEnd = 0;
  #pos = 0;
  #eof = false;
  #done = false;
  #eol: Eol = "unknown";

  constructor(file: ReadFile, options: CopyRecordReaderOptions) {
    this.#file = file;
    this.#o = options;
    // PostgreSQL ignores the escape when it is the quote: a doubled quote toggles twice.
    this.#escape = options.escape === options.quote ? -1 : options.escape;
    this.buffer = new Uint8Array(Math.min(copyReadChunkBytes, options.lineBytesMax + 4));
  }

  /** Reads the next record; false at the end of the data. */
  async next(): Promise<boolean> {
    if (this.#done) return false;
    this.line++;
    const csv = this.#o.csv;
    const quote = this.#o.quote;
    const escape = this.#escape;
    let recStart = this.#pos;
    let i = recStart;
    let inQuote = false;
    let lastWasEsc = false;
    for (;;) {
      if (i >= this.#dataEnd || (this.#needsLookahead(i) && i + 3 >= this.#dataEnd)) {
        if (!this.#eof) {
          const shift = await this.#refill(recStart);
          recStart -= shift;
          i -= shift;
          continue;
        }
        if (i >= this.#dataEnd) {
          // End of input: the last record need not end with a newline.
          this.#done = true;
          this.#pos = i;
          if (i === recStart) return false;
          this.start = recStart;
          this.end = i;
          return true;
        }
      }
      const c = this.buffer[i]!;
      if (c === BACKSLASH && (!csv || i === recStart)) {
        const marker = this.#endMarker(i, recStart);
        if (marker) {
          this.#done = true;
          if (i === recStart) return false;
          this.start = recStart;
          this.end = i;
          return true;
        }
        if (!csv) {
          i += i + 1 < this.#dataEnd ? 2 : 1; // the escaped byte is data, newline included
          continue;
        }
      }
      if (csv) {
        if (inQuote && c === escape) lastWasEsc = !lastWasEsc;
        if (c === quote && !lastWasEsc) inQuote = !inQuote;
        if (c !== escape) lastWasEsc = false;
        if (inQuote && c === (this.#eol === "lf" ? LF : CR)) this.line++;
      }
      if (c === CR && !(csv && inQuote)) {
        const next = i + 1 < this.#dataEnd ? this.buffer[i + 1] : -1;
        if (this.#eol === "unknown") this.#eol = next === LF ? "crlf" : "cr";
        if (this.#eol === "lf" || (this.#eol === "crlf" && next !== LF)) {
          throw this.#eolError(csv ? "unquoted carriage return" : "literal carriage return", "\\r");
        }
        this.start = recStart;
        this.end = i;
        this.#pos = i + (this.#eol === "crlf" ? 2 : 1);
        this.#checkLength();
        return true;
      }
      if (c === LF && !(csv && inQuote)) {
        if (this.#eol === "cr" || this.#eol === "crlf") {
          throw this.#eolError(csv ? "unquoted newline" : "literal newline", "\\n");
        }
        this.#eol = "lf";
        this.start = recStart;
        this.end = i;
        this.#pos = i + 1;
        this.#checkLength();
        return true;
      }
      i++;
      if (i - recStart > this.#o.lineBytesMax) this.#tooLong();
    }
  }

  /** The current record as text, for error messages (invalid UTF-8 replaced). */
  text(): string {
    return new TextDecoder().decode(this.buffer.subarray(this.start, this.end));
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }

  /** A backslash, CR or the last bytes of a chunk need the bytes after them. */
  #needsLookahead(i: number): boolean {
    const c = this.buffer[i];
    return c === BACKSLASH || c === CR;
  }

  /**
   * At a backslash: true if `\.` + line ending (or, in CSV, the end of input) ends the data here.
   * In text, `\.` followed by anything else is an error, as in PostgreSQL.
   */
  #endMarker(i: number, recStart: number): boolean {
    const b = this.buffer;
    if (i + 1 >= this.#dataEnd || b[i + 1] !== DOT) return false;
    const after = i + 2 < this.#dataEnd ? b[i + 2]! : -1;
    if (after !== LF && after !== CR && !(this.#o.csv && after === -1)) {
      if (this.#o.csv) return false;
      this.start = recStart;
      this.end = i;
      throw new DbError(SqlState.badCopyFileFormat, "end-of-copy marker corrupt");
    }
    return true;
  }

  #eolError(what: string, escaped: string): DbError {
    const hint = this.#o.csv
      ? `Use quoted CSV field to represent ${escaped === "\\n" ? "newline" : "carriage return"}.`
      : `Use "${escaped}" to represent ${escaped === "\\n" ? "newline" : "carriage return"}.`;
    return new DbError(SqlState.badCopyFileFormat, `${what} found in data`, { hint });
  }

  #checkLength(): void {
    if (this.end - this.start > this.#o.lineBytesMax) this.#tooLong();
  }

  #tooLong(): never {
    throw new DbError(
      SqlState.programLimitExceeded,
      `COPY line is longer than ${this.#o.lineBytesMax} bytes (limit copyLineBytesMax)`,
    );
  }

  /** Moves the unread bytes from `keepFrom` to the front and reads more; returns the shift. */
  async #refill(keepFrom: number): Promise<number> {
    const keep = this.#dataEnd - keepFrom;
    if (keepFrom > 0) this.buffer.copyWithin(0, keepFrom, this.#dataEnd);
    this.#dataEnd = keep;
    this.#pos -= keepFrom;
    if (this.#dataEnd === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    const n = await this.#file.read(this.buffer.subarray(this.#dataEnd));
    if (n === null || n === 0) this.#eof = true;
    else this.#dataEnd += n;
    return keepFrom;
  }
}
