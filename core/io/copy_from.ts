/**
 * COPY FROM a file: reads the file in chunks through the injected file system, splits records
 * and fields, and converts each column of a batch of rows at once through its type's input
 * function. Errors carry PostgreSQL's CONTEXT (`COPY t, line 3, column b: "x"`) and are raised
 * in PostgreSQL's order: row by row, a row's structure, then its values left to right, then its
 * NOT NULL columns.
 *
 * @module
 */
import type { TimeZone } from "../types/time_zone.ts";
import { DbError, SqlState } from "../errors.ts";
import type { FileSystem, ReadFile } from "../env/fs.ts";
import type { DataType } from "../types/data_type.ts";
import { type Column, isValid, nullColumn, takeColumn, valueAt } from "../types/column.ts";
import type { Batch } from "../types/batch.ts";
import { formatValue } from "../types/format.ts";
import type { CopyFormat } from "./copy_options.ts";
import { CopyRecordReader } from "./copy_record_reader.ts";
import { csvFieldSplitter, type FieldSink, textFieldSplitter } from "./copy_fields.ts";
import { inputColumn } from "./text_input.ts";

/** Bytes of a value or line shown in an error CONTEXT (PostgreSQL's MAX_COPY_DATA_DISPLAY). */
export const copyDataDisplayBytesMax = 100;

/** The table COPY FROM fills. */
export interface CopyFromTable {
  readonly name: string;
  readonly columns: readonly {
    readonly name: string;
    readonly type: DataType;
    readonly notNull: boolean;
  }[];
}

/** What {@link readCopyFile} needs. */
export interface CopyFromSpec {
  readonly fs: FileSystem;
  /** The file to read; ignored when {@link CopyFromSpec.file} is given. */
  readonly path: string;
  /** An already open input (COPY FROM STDIN: the client's data) read instead of `path`. */
  readonly file?: ReadFile;
  readonly table: CopyFromTable;
  /** For each field of a record, the table column it fills. */
  readonly targets: readonly number[];
  readonly format: CopyFormat;
  /** The session time zone: timestamptz text without an offset is local time in it. */
  readonly zone?: TimeZone;
  readonly lineBytesMax: number;
  readonly batchRowsMax: number;
  /** COPY ... WHERE: the rows of a table-shaped batch to keep; `null` = no WHERE. */
  readonly filter: ((batch: Batch) => Uint32Array) | null;
  /**
   * The values of a column the records do not fill, for `count` rows (its DEFAULT); `null` or
   * absent gives NULL.
   */
  readonly fillColumn?: (column: number, count: number) => Column | null;
  /** Called between batches: throws on timeout or cancel. */
  readonly check: () => void;
  /** Accounts memory held until the statement ends; throws over the budget. */
  readonly reserve: (bytes: number) => void;
}

/** Clips text for a CONTEXT line as PostgreSQL does: 100 bytes, then "...". */
export function clipForDisplay(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= copyDataDisplayBytesMax) return text;
  let cut = copyDataDisplayBytesMax;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut)) + "...";
}

/** A copy of `e` whose CONTEXT is `context` (also appended to the message). */
export function withContext(e: unknown, context: string): unknown {
  if (!(e instanceof DbError) || e.context !== undefined) return e;
  return new DbError(e.code, `${e.message} (${context})`, {
    ...(e.detail === undefined ? {} : { detail: e.detail }),
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    ...(e.position === undefined ? {} : { position: e.position }),
    context,
    cause: e,
  });
}

/** One record's position, for errors. */
interface RowRef {
  readonly line: number;
  readonly text: string;
}

/**
 * Reads a COPY file into batches shaped like the table (columns not copied are NULL). Nothing
 * is stored: the caller appends the batches as one statement.
 *
 * @example
 * ```ts
 * import { readCopyFile } from "./copy_from.ts";
 * import { resolveCopyOptions } from "./copy_options.ts";
 * import { MemoryFileSystem } from "../env/memory_fs.ts";
 * import { Types } from "../types/mod.ts";
 * const fs = new MemoryFileSystem();
 * await fs.writeFileAtomic("/t.csv", new TextEncoder().encode("1,a\n2,b\n"));
 * const ctx = { direction: "from" as const, tableName: "t", columns: ["x", "y"], tableColumns: ["x", "y"] };
 * const format = resolveCopyOptions([{ name: "format", value: { kind: "word", text: "csv" }, pos: 0 }], ctx);
 * const batches = await readCopyFile({
 *   fs, path: "/t.csv", format, targets: [0, 1], lineBytesMax: 1 << 20, batchRowsMax: 1024,
 *   table: { name: "t", columns: [
 *     { name: "x", type: Types.int4, notNull: false }, { name: "y", type: Types.text, notNull: false },
 *   ] },
 *   filter: null, check: () => {}, reserve: () => {},
 * });
 * console.assert(batches[0]!.length === 2);
 * ```
 */
export async function readCopyFile(spec: CopyFromSpec): Promise<Batch[]> {
  const { fs, path, format } = spec;
  const file = spec.file ?? await openCopyFile(fs, path);
  const csv = format.format === "csv";
  const reader = new CopyRecordReader(file, {
    csv,
    quote: format.quote.charCodeAt(0),
    escape: format.escape.charCodeAt(0),
    lineBytesMax: spec.lineBytesMax,
  });
  try {
    return await new CopyFromRun(spec, reader, csv).run();
  } finally {
    reader.close();
  }
}

async function openCopyFile(fs: FileSystem, path: string): Promise<ReadFile> {
  const info = await fs.stat(path);
  if (info?.isDirectory) {
    throw new DbError(SqlState.wrongObjectType, `"${path}" is a directory`);
  }
  const file = info === null ? null : await fs.openRead(path);
  if (file === null) {
    throw new DbError(
      SqlState.undefinedFile,
      `could not open file "${path}" for reading: No such file or directory`,
      {
        hint:
          "COPY FROM instructs the OmenDB server process to read a file. You may want a client-side facility such as psql's \\copy.",
      },
    );
  }
  return file;
}

class CopyFromRun {
  readonly #spec: CopyFromSpec;
  readonly #reader: CopyRecordReader;
  readonly #splitter;
  readonly #sink: FieldSink = { values: [], count: 0 };
  /** Field strings of the pending rows, per copied column. */
  readonly #fields: (string | null)[][];
  readonly #lines: Float64Array;
  /** Raw text of pending rows, kept only for NOT NULL errors (`null` when no column needs it). */
  readonly #texts: string[] | null;
  readonly #batches: Batch[] = [];
  #rows = 0;

  constructor(spec: CopyFromSpec, reader: CopyRecordReader, csv: boolean) {
    this.#spec = spec;
    this.#reader = reader;
    this.#splitter = csv ? csvFieldSplitter(spec.format) : textFieldSplitter(spec.format);
    this.#fields = spec.targets.map(() => new Array<string | null>(spec.batchRowsMax).fill(null));
    this.#lines = new Float64Array(spec.batchRowsMax);
    this.#texts = spec.table.columns.some((c) => c.notNull) ? [] : null;
  }

  #lineContext(): string {
    return `COPY ${this.#spec.table.name}, line ${this.#reader.line}: "${
      clipForDisplay(this.#reader.text())
    }"`;
  }

  /** Splits the current record; errors get the line's context. */
  #split(): FieldSink {
    try {
      this.#splitter.split(this.#reader.buffer, this.#reader.start, this.#reader.end, this.#sink);
    } catch (e) {
      throw withContext(e, this.#lineContext());
    }
    return this.#sink;
  }

  /** The next record; the reader's errors get the line number as context. */
  async #next(): Promise<boolean> {
    try {
      return await this.#reader.next();
    } catch (e) {
      throw withContext(e, `COPY ${this.#spec.table.name}, line ${this.#reader.line}`);
    }
  }

  async run(): Promise<Batch[]> {
    const spec = this.#spec;
    const reader = this.#reader;
    const width = spec.targets.length;
    if (spec.format.header !== false) {
      if (!(await this.#next())) return [];
      if (spec.format.header === "match") this.#matchHeader(this.#split());
    }
    while (await this.#next()) {
      const sink = this.#split();
      if (sink.count !== width) {
        const missing = sink.count < width;
        const error = new DbError(
          SqlState.badCopyFileFormat,
          missing
            ? `missing data for column "${spec.table.columns[spec.targets[sink.count]!]!.name}"`
            : "extra data after last expected column",
        );
        const context = this.#lineContext();
        // Earlier rows, then this row's fields before the missing one, fail first.
        this.#flush();
        if (missing) this.#checkPartialRow(sink, reader.line);
        throw withContext(error, context);
      }
      const r = this.#rows;
      for (let c = 0; c < width; c++) this.#fields[c]![r] = sink.values[c]!;
      this.#lines[r] = reader.line;
      this.#texts?.push(reader.text());
      if (++this.#rows === spec.batchRowsMax) this.#flush();
    }
    this.#flush();
    return this.#batches;
  }

  #matchHeader(sink: FieldSink): void {
    const spec = this.#spec;
    const fail = (message: string): never => {
      throw new DbError(SqlState.badCopyFileFormat, `${message} (${this.#lineContext()})`, {
        context: this.#lineContext(),
      });
    };
    if (sink.count !== spec.targets.length) {
      fail(
        `wrong number of fields in header line: got ${sink.count}, expected ${spec.targets.length}`,
      );
    }
    for (let i = 0; i < sink.count; i++) {
      const expected = spec.table.columns[spec.targets[i]!]!.name;
      const got = sink.values[i]!;
      if (got === null) {
        fail(
          `column name mismatch in header line field ${
            i + 1
          }: got null value ("${spec.format.null}"), expected "${expected}"`,
        );
      } else if (got !== expected) {
        fail(
          `column name mismatch in header line field ${
            i + 1
          }: got "${got}", expected "${expected}"`,
        );
      }
    }
  }

  /** Converts a row's fields before the missing one, so their errors come first. */
  #checkPartialRow(sink: FieldSink, line: number): void {
    for (let c = 0; c < sink.count; c++) {
      const column = this.#spec.table.columns[this.#spec.targets[c]!]!;
      try {
        inputColumn([sink.values[c]!], 1, column.type, this.#spec.zone);
      } catch (e) {
        throw withContext(e, this.#valueContext(line, column.name, sink.values[c]!));
      }
    }
  }

  #valueContext(line: number, column: string, value: string | null): string {
    const shown = value === null ? "null input" : `"${clipForDisplay(value)}"`;
    return `COPY ${this.#spec.table.name}, line ${line}, column ${column}: ${shown}`;
  }

  /** Converts, filters and checks the pending rows, then starts a new batch. */
  #flush(): void {
    const count = this.#rows;
    this.#rows = 0;
    if (count === 0) return;
    this.#spec.check();
    let failure: { row: number; error: unknown } | null = null;
    let columns: Column[] | null = null;
    try {
      columns = this.#convert(count);
    } catch {
      failure = this.#firstFailure(count);
    }
    if (failure !== null) {
      // Rows before the failing one are still checked (and kept) in order.
      if (failure.row > 0) this.#finish(this.#convert(failure.row), failure.row);
      throw failure.error;
    }
    this.#finish(columns!, count);
    if (this.#texts !== null) this.#texts.length = 0;
  }

  #convert(count: number): Column[] {
    const spec = this.#spec;
    return spec.targets.map((t, c) =>
      inputColumn(this.#fields[c]!, count, spec.table.columns[t]!.type, this.#spec.zone)
    );
  }

  /** The first value that does not convert, in row then column order. */
  #firstFailure(count: number): { row: number; error: unknown } {
    const spec = this.#spec;
    for (let r = 0; r < count; r++) {
      for (let c = 0; c < spec.targets.length; c++) {
        const column = spec.table.columns[spec.targets[c]!]!;
        const value = this.#fields[c]![r]!;
        try {
          inputColumn([value], 1, column.type, this.#spec.zone);
        } catch (e) {
          return {
            row: r,
            error: withContext(e, this.#valueContext(this.#lines[r]!, column.name, value)),
          };
        }
      }
    }
    throw new DbError(SqlState.internalError, "COPY: a batch failed to convert but no value fails");
  }

  /** Builds the table-shaped batch of `count` converted rows, applies WHERE and NOT NULL. */
  #finish(converted: Column[], count: number): void {
    const spec = this.#spec;
    let columns: Column[] = spec.table.columns.map((col, i) => {
      const k = spec.targets.indexOf(i);
      return k >= 0 ? converted[k]! : spec.fillColumn?.(i, count) ?? nullColumn(col.type, count);
    });
    let rows: Uint32Array | null = null;
    if (spec.filter !== null) {
      rows = spec.filter({ columns, length: count });
      if (rows.length !== count) columns = columns.map((c) => takeColumn(c, rows!));
    }
    const length = rows === null ? count : rows.length;
    this.#checkNotNull(columns, length, rows);
    if (length === 0) return;
    let bytes = 0;
    for (const f of this.#fields) {
      for (let r = 0; r < count; r++) bytes += 8 + (f[r]?.length ?? 0) * 2;
    }
    spec.reserve(bytes);
    this.#batches.push({ columns, length });
  }

  #checkNotNull(columns: Column[], length: number, rows: Uint32Array | null): void {
    const table = this.#spec.table;
    if (this.#texts === null) return;
    for (let r = 0; r < length; r++) {
      for (let c = 0; c < columns.length; c++) {
        if (!table.columns[c]!.notNull || isValid(columns[c]!.validity, r)) continue;
        const source = rows === null ? r : rows[r]!;
        const ref: RowRef = { line: this.#lines[source]!, text: this.#texts[source] ?? "" };
        const values = columns.map((col) => formatValue(col.type, valueAt(col, r)) ?? "null");
        const context = `COPY ${table.name}, line ${ref.line}: "${clipForDisplay(ref.text)}"`;
        throw new DbError(
          SqlState.notNullViolation,
          `null value in column "${
            table.columns[c]!.name
          }" of relation "${table.name}" violates not-null constraint (${context})`,
          { detail: `Failing row contains (${values.join(", ")}).`, context },
        );
      }
    }
  }
}
