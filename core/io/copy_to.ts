/**
 * COPY TO a file: encodes batches in PostgreSQL's text or CSV format and writes them in chunks
 * through the injected file system. Values print with their type's output function (what
 * psql shows); text escapes backslash, the delimiter and control characters, CSV quotes a value
 * holding the delimiter, quote, CR or LF, or equal to the NULL string.
 *
 * @module
 */
import type { TimeZone } from "../types/time_zone.ts";
import type { AppendFile, FileSystem } from "../env/fs.ts";
import type { DataType } from "../types/data_type.ts";
import { valueAt } from "../types/column.ts";
import type { Batch } from "../types/batch.ts";
import { formatValue } from "../types/format.ts";
import type { CopyFormat } from "./copy_options.ts";

/** Characters of encoded text collected before one write. */
export const copyWriteChunkChars = 1 << 20;

/** What {@link writeCopyFile} writes. */
export interface CopyToSpec {
  readonly fs: FileSystem;
  /** The file to write; ignored when {@link CopyToSpec.file} is given. */
  readonly path: string;
  /** An already open output (COPY TO STDOUT: the client) written instead of `path`. */
  readonly file?: AppendFile;
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
  readonly format: CopyFormat;
  /** The session time zone: timestamptz values print in it. */
  readonly zone?: TimeZone;
  /** The rows, as batches in column order. */
  readonly batches: AsyncIterable<Batch>;
  /** Called between batches: throws on timeout or cancel. */
  readonly check: () => void;
}

/** Encodes one value (non-NULL, already in its output form) for a format. */
export type ValueEncoder = (text: string, column: number) => string;

/**
 * The encoder of non-NULL values for a format.
 *
 * @example
 * ```ts
 * import { valueEncoder } from "./copy_to.ts";
 * import { resolveCopyOptions } from "./copy_options.ts";
 * const ctx = { direction: "to" as const, tableName: null, columns: ["a"], tableColumns: [] };
 * const text = valueEncoder(resolveCopyOptions([], ctx), 1);
 * console.assert(text("a\tb\\", 0) === "a\\tb\\\\");
 * ```
 */
export function valueEncoder(format: CopyFormat, columnCount: number): ValueEncoder {
  if (format.format === "text") {
    const delim = format.delimiter;
    return (s) => {
      let out = "";
      let from = 0;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        let esc: string | null = null;
        if (c < 32) {
          if (c === 8) esc = "\\b";
          else if (c === 12) esc = "\\f";
          else if (c === 10) esc = "\\n";
          else if (c === 13) esc = "\\r";
          else if (c === 9) esc = "\\t";
          else if (c === 11) esc = "\\v";
        }
        if (c === 92) esc = "\\\\";
        else if (s[i] === delim && esc === null) esc = `\\${delim}`;
        if (esc !== null) {
          out += s.slice(from, i) + esc;
          from = i + 1;
        }
      }
      return from === 0 ? s : out + s.slice(from);
    };
  }
  const { delimiter, quote, escape } = format;
  const single = columnCount === 1;
  return (s, column) => {
    let needsQuote = format.forceQuote.has(column) || s === format.null ||
      (single && s === "\\.");
    if (!needsQuote) {
      for (let i = 0; i < s.length; i++) {
        const ch = s[i];
        if (ch === delimiter || ch === quote || ch === "\n" || ch === "\r") {
          needsQuote = true;
          break;
        }
      }
    }
    if (!needsQuote) return s;
    let out = quote;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === quote || ch === escape) out += escape;
      out += ch;
    }
    return out + quote;
  };
}

/**
 * Writes the rows to the file (created, or emptied first); returns the number of rows.
 *
 * @example
 * ```ts
 * import { writeCopyFile } from "./copy_to.ts";
 * import { resolveCopyOptions } from "./copy_options.ts";
 * import { MemoryFileSystem } from "../env/memory_fs.ts";
 * import { columnFromValues, Types } from "../types/mod.ts";
 * const fs = new MemoryFileSystem();
 * const ctx = { direction: "to" as const, tableName: null, columns: ["a"], tableColumns: [] };
 * async function* rows() {
 *   yield { columns: [columnFromValues(Types.int4, [1, null])], length: 2 };
 * }
 * const n = await writeCopyFile({
 *   fs, path: "/out.txt", columns: [{ name: "a", type: Types.int4 }],
 *   format: resolveCopyOptions([], ctx), batches: rows(), check: () => {},
 * });
 * console.assert(n === 2);
 * console.assert(new TextDecoder().decode((await fs.readFile("/out.txt"))!) === "1\n\\N\n");
 * ```
 */
export async function writeCopyFile(spec: CopyToSpec): Promise<number> {
  const { format, columns } = spec;
  const encode = valueEncoder(format, columns.length);
  const encoder = new TextEncoder();
  const file = spec.file ?? await spec.fs.openWrite(spec.path);
  let rows = 0;
  try {
    let chunk = "";
    if (format.header === true) {
      // Column -1: FORCE_QUOTE does not apply to the header.
      chunk = columns.map((c) => encode(c.name, -1)).join(format.delimiter) + "\n";
    }
    for await (const batch of spec.batches) {
      spec.check();
      const n = batch.length;
      for (let r = 0; r < n; r++) {
        let line = "";
        for (let c = 0; c < batch.columns.length; c++) {
          if (c > 0) line += format.delimiter;
          const col = batch.columns[c]!;
          const text = formatValue(col.type, valueAt(col, r), spec.zone);
          line += text === null ? format.null : encode(text, c);
        }
        chunk += line + "\n";
      }
      rows += n;
      if (chunk.length >= copyWriteChunkChars) {
        await file.write(encoder.encode(chunk));
        chunk = "";
      }
    }
    if (chunk.length > 0) await file.write(encoder.encode(chunk));
  } finally {
    file.close();
  }
  return rows;
}
