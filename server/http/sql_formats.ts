/**
 * Result formats of `POST /sql`, chosen by the `Accept` header: JSON, JSON Lines, CSV and the
 * Arrow IPC stream format, each written batch by batch as the result streams
 * ({@link sqlResultWriter}). Values are the same as in JSON: JSON Lines uses the JSON value
 * encoders; CSV uses PostgreSQL's text output (as `COPY ... CSV` writes it); Arrow keeps native
 * types (int8 as Int64, timestamps as microsecond timestamps, dates as days, text as Utf8) and
 * sends the rest as PostgreSQL text.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type { QueryResult, ResultColumn } from "../../core/engine/result.ts";
import { batchRows } from "../../core/engine/query_stream.ts";
import { DbError } from "../../core/errors.ts";
import { formatValue } from "../../core/types/format.ts";
import { typeName } from "../../core/types/data_type.ts";
import type { DataType } from "../../core/types/data_type.ts";
import type { Batch } from "../../core/types/batch.ts";
import { columnFromValues, type Value } from "../../core/types/column.ts";
import { type JsonValue, jsonValueEncoder, type JsonValueOptions } from "./json_values.ts";

/** A result format of `POST /sql`. */
export type SqlFormat = "json" | "jsonl" | "csv" | "arrow";

/** The media type each format is sent as. */
export const sqlFormatMediaTypes: Readonly<Record<SqlFormat, string>> = {
  json: "application/json; charset=utf-8",
  jsonl: "application/jsonl; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  arrow: "application/vnd.apache.arrow.stream",
};

/** Accepted media types (and their aliases) per format. */
const mediaTypes: readonly [string, SqlFormat][] = [
  ["application/json", "json"],
  ["application/jsonl", "jsonl"],
  ["application/x-ndjson", "jsonl"],
  ["application/x-jsonlines", "jsonl"],
  ["text/csv", "csv"],
  ["application/vnd.apache.arrow.stream", "arrow"],
  ["*/*", "json"],
  ["application/*", "json"],
];

/**
 * The format an `Accept` header asks for: the acceptable type with the highest `q` (ties: the
 * first listed); JSON when the header is absent or says `*\/*`. 406 (SQLSTATE 22023) when it
 * names only types OmenDB cannot send.
 *
 * @example
 * ```ts
 * import { negotiateSqlFormat } from "./sql_formats.ts";
 * console.assert(negotiateSqlFormat("text/csv;q=0.5, application/jsonl") === "jsonl");
 * console.assert(negotiateSqlFormat(null) === "json");
 * ```
 */
export function negotiateSqlFormat(accept: string | null): SqlFormat {
  if (accept === null || accept.trim() === "") return "json";
  let best: { format: SqlFormat; q: number } | null = null;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    const hit = mediaTypes.find(([t]) => t === type);
    if (hit === undefined || !(q > 0)) continue;
    if (best === null || q > best.q) best = { format: hit[1], q };
  }
  if (best === null) {
    throw new DbError(
      "22023",
      `cannot send any of the types in Accept: "${accept}"; OmenDB sends ${
        mediaTypes.slice(0, 6).map(([t]) => t).join(", ")
      }`,
    );
  }
  return best.format;
}

/** What a response says after its last row. */
export interface SqlResultSummary {
  /** Rows returned (a query) or affected (INSERT...). */
  readonly rowCount: number;
  /** PostgreSQL's command tag: `SELECT 2`, `INSERT 0 3`. */
  readonly command: string;
  /** Server-side time spent on the request, in milliseconds. */
  readonly totalMs: number;
}

/**
 * Writes one result in one format, piece by piece: {@link SqlResultWriter.start} before the
 * first row, {@link SqlResultWriter.batch} per batch, then {@link SqlResultWriter.end} or, when an
 * error ends the result after the response began, {@link SqlResultWriter.error}.
 */
export interface SqlResultWriter {
  /** The bytes before the first row. */
  start(columns: readonly ResultColumn[]): string | Uint8Array;
  /** The bytes of one batch of rows. */
  batch(batch: Batch): string | Uint8Array;
  /** The bytes after the last row. */
  end(summary: SqlResultSummary): string | Uint8Array;
  /**
   * The bytes that end a response with an error after rows went out: JSON gets an `"error"`
   * member, JSON Lines an `{"error":...}` line. `null` for CSV and Arrow, which have no place for
   * one: the response is aborted instead (the connection closes before the end of the chunked
   * body, so a client sees a transfer error, never a silently short result).
   */
  error(error: DbError): string | null;
}

/**
 * The writer of a format.
 *
 * @example
 * ```ts
 * import { sqlResultWriter } from "./sql_formats.ts";
 * import { Types } from "../../core/types/mod.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * const w = sqlResultWriter("json", { int8AsString: false });
 * const cols = [{ name: "x", type: Types.int4 }];
 * const text = [
 *   w.start(cols),
 *   w.batch({ columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }),
 *   w.end({ rowCount: 2, command: "SELECT 2", totalMs: 1 }),
 * ].join("");
 * console.assert(JSON.parse(text).rows[1][0] === 2);
 * ```
 */
export function sqlResultWriter(format: SqlFormat, options: JsonValueOptions): SqlResultWriter {
  switch (format) {
    case "json":
      return jsonWriter(options);
    case "jsonl":
      return jsonlWriter(options);
    case "csv":
      return csvWriter();
    case "arrow":
      return arrowWriter();
  }
}

function columnsJson(columns: readonly ResultColumn[]): { name: string; type: string }[] {
  return columns.map((c) => ({ name: c.name, type: typeName(c.type) }));
}

function summaryJson(s: SqlResultSummary): Record<string, unknown> {
  return {
    rowCount: s.rowCount,
    command: s.command,
    timingMs: { total: Math.round(s.totalMs * 1000) / 1000 },
  };
}

/** A batch's rows as arrays of JSON values. */
function jsonRows(batch: Batch, encoders: readonly ((v: Value) => JsonValue)[]): JsonValue[][] {
  const rows = batchRows(batch) as JsonValue[][];
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) row[c] = encoders[c]!(row[c] as Value);
  }
  return rows;
}

/** `{"columns":[...],"rows":[...],"rowCount":N,"command":"...","timingMs":{"total":ms}}`. */
function jsonWriter(options: JsonValueOptions): SqlResultWriter {
  let encoders: ((v: Value) => JsonValue)[] = [];
  let first = true;
  return {
    start(columns) {
      encoders = columns.map((c) => jsonValueEncoder(c.type, options));
      return `{"columns":${JSON.stringify(columnsJson(columns))},"rows":[`;
    },
    batch(batch) {
      if (batch.length === 0) return "";
      const text = JSON.stringify(jsonRows(batch, encoders));
      const out = first ? text.slice(1, -1) : "," + text.slice(1, -1);
      first = false;
      return out;
    },
    end: (s) => `]${JSON.stringify(summaryJson(s)).replace(/^\{/, ",")}`,
    error: (e) => `],"error":${JSON.stringify(e.toJSON())}}`,
  };
}

/**
 * JSON Lines: a first line `{"columns":[{"name","type"}...]}`, one JSON array per row, and a last
 * line `{"rowCount":N,"command":"...","timingMs":{"total":ms}}` (or `{"error":{...}}`).
 */
function jsonlWriter(options: JsonValueOptions): SqlResultWriter {
  let encoders: ((v: Value) => JsonValue)[] = [];
  return {
    start(columns) {
      encoders = columns.map((c) => jsonValueEncoder(c.type, options));
      return JSON.stringify({ columns: columnsJson(columns) }) + "\n";
    },
    batch(batch) {
      let out = "";
      for (const row of jsonRows(batch, encoders)) out += JSON.stringify(row) + "\n";
      return out;
    },
    end: (s) => JSON.stringify(summaryJson(s)) + "\n",
    error: (e) => JSON.stringify({ error: e.toJSON() }) + "\n",
  };
}

/**
 * CSV (RFC 4180, CRLF line ends): a header of column names, then values in PostgreSQL's text
 * form; NULL is an empty field, an empty string is `""`.
 */
function csvWriter(): SqlResultWriter {
  let types: DataType[] = [];
  return {
    start(columns) {
      types = columns.map((c) => c.type);
      return columns.map((c) => csvField(c.name)).join(",") + "\r\n";
    },
    batch(batch) {
      let out = "";
      for (const row of batchRows(batch)) {
        for (let i = 0; i < row.length; i++) {
          const text = formatValue(types[i]!, row[i]!);
          if (i > 0) out += ",";
          if (text !== null) out += csvField(text, true);
        }
        out += "\r\n";
      }
      return out;
    },
    end: () => "",
    error: () => null,
  };
}

/** The Arrow IPC stream format: the schema message, one record batch per batch, the end mark. */
function arrowWriter(): SqlResultWriter {
  let columns: readonly ResultColumn[] = [];
  let names: string[] = [];
  return {
    start(cols) {
      columns = cols;
      names = arrowNames(cols);
      // the messages of an empty batch: keep only the schema's
      return ipcMessages(arrowBatch(columns, names, []), "schema");
    },
    batch(batch) {
      if (batch.length === 0) return new Uint8Array(0);
      return ipcMessages(arrowBatch(columns, names, batchRows(batch)), "batch");
    },
    end: () => arrowEndOfStream,
    error: () => null,
  };
}

/** The IPC stream's end-of-stream marker: a continuation token and a zero length. */
const arrowEndOfStream = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Field names: Arrow's need not be unique, but a Table built from an object's keys do. */
function arrowNames(columns: readonly ResultColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = seen.get(c.name) ?? 0;
    seen.set(c.name, n + 1);
    return n === 0 ? c.name : `${c.name}_${n}`;
  });
}

function arrowBatch(
  columns: readonly ResultColumn[],
  names: readonly string[],
  rows: readonly (readonly Value[])[],
): arrow.RecordBatch {
  const vectors: Record<string, arrow.Vector> = {};
  columns.forEach((c, i) => {
    vectors[names[i]!] = arrowVector(c.type, rows.map((r) => r[i] ?? null));
  });
  const table = new arrow.Table(vectors);
  return table.batches[0] ?? new arrow.RecordBatch(table.schema);
}

/**
 * One batch as IPC stream messages: its schema message alone, or its record batch message alone
 * (each message: a 0xFFFFFFFF continuation, the metadata length, metadata, body).
 */
function ipcMessages(batch: arrow.RecordBatch, part: "schema" | "batch"): Uint8Array {
  const bytes = arrow.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const schemaEnd = 8 + view.getInt32(4, true); // a schema message has no body
  return part === "schema"
    ? bytes.slice(0, schemaEnd)
    : bytes.slice(schemaEnd, bytes.length - arrowEndOfStream.length);
}

/** A result all at once in a format (the body a non-streaming caller would send). */
function encodeWhole(
  result: QueryResult,
  format: SqlFormat,
  options: JsonValueOptions,
  totalMs: number,
): (string | Uint8Array)[] {
  const w = sqlResultWriter(format, options);
  const batch = {
    columns: result.columns.map((c, i) => columnFromValues(c.type, result.rows.map((r) => r[i]!))),
    length: result.rows.length,
  };
  return [
    w.start(result.columns),
    w.batch(batch),
    w.end({ rowCount: result.rowCount, command: result.command, totalMs }),
  ];
}

/**
 * JSON Lines of a whole result (see {@link sqlResultWriter}).
 *
 * @example
 * ```ts
 * import { encodeJsonl } from "./sql_formats.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const r = { command: "SELECT 1", columns: [{ name: "x", type: Types.int4 }], rows: [[1]], rowCount: 1 };
 * console.assert(encodeJsonl(r, { int8AsString: false }, 1).split("\n")[1] === "[1]");
 * ```
 */
export function encodeJsonl(
  result: QueryResult,
  options: JsonValueOptions,
  totalMs: number,
): string {
  return encodeWhole(result, "jsonl", options, totalMs).join("");
}

/**
 * CSV of a whole result (see {@link sqlResultWriter}).
 *
 * @example
 * ```ts
 * import { encodeCsv } from "./sql_formats.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const r = { command: "SELECT 2", columns: [{ name: "s", type: Types.text }], rows: [["a,b"], [null]], rowCount: 2 };
 * console.assert(encodeCsv(r) === 's\r\n"a,b"\r\n\r\n');
 * ```
 */
export function encodeCsv(result: QueryResult): string {
  return encodeWhole(result, "csv", { int8AsString: false }, 0).join("");
}

/** A CSV field, quoted when it must be (and an empty value always, so it is not NULL). */
function csvField(text: string, emptyIsValue = false): string {
  if ((emptyIsValue && text === "") || /[",\r\n]/.test(text) || /^\s|\s$/.test(text)) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/**
 * The Arrow IPC stream format of a whole result (one record batch).
 *
 * @example
 * ```ts
 * import { encodeArrow } from "./sql_formats.ts";
 * import { tableFromIPC } from "apache-arrow";
 * import { Types } from "../../core/types/mod.ts";
 * const r = { command: "SELECT 1", columns: [{ name: "n", type: Types.int8 }], rows: [[5n]], rowCount: 1 };
 * console.assert(tableFromIPC(encodeArrow(r)).getChild("n")!.get(0) === 5n);
 * ```
 */
export function encodeArrow(result: QueryResult): Uint8Array {
  const parts = encodeWhole(result, "arrow", { int8AsString: false }, 0) as Uint8Array[];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Arrow's int64 extremes: PostgreSQL's own encoding of ±infinity timestamps. */
const int64Max = 0x7fffffffffffffffn;
const int64Min = -0x8000000000000000n;
/** Arrow's int32 extremes: PostgreSQL's encoding of ±infinity dates. */
const int32Max = 0x7fffffff;
const int32Min = -0x80000000;

function arrowVector(type: DataType, values: Value[]): arrow.Vector {
  switch (type.kind) {
    case "bool":
      return arrow.vectorFromArray(values as (boolean | null)[], new arrow.Bool());
    case "int2":
      return arrow.vectorFromArray(values as (number | null)[], new arrow.Int16());
    case "int4":
      return arrow.vectorFromArray(values as (number | null)[], new arrow.Int32());
    case "int8":
      return arrow.vectorFromArray(values as (bigint | null)[], new arrow.Int64());
    case "float4":
      return arrow.vectorFromArray(values as (number | null)[], new arrow.Float32());
    case "float8":
      return arrow.vectorFromArray(values as (number | null)[], new arrow.Float64());
    case "timestamp":
    case "timestamptz": {
      // microseconds since the epoch, ±infinity as the int64 extremes (as PostgreSQL stores
      // them): the type is fixed before the first batch, whatever later batches hold
      const data = new BigInt64Array(values.length);
      values.forEach((v, i) => {
        if (v === null) return;
        const n = v as number;
        data[i] = n === Infinity ? int64Max : n === -Infinity ? int64Min : BigInt(Math.round(n));
      });
      const t = new arrow.TimestampMicrosecond(type.kind === "timestamptz" ? "UTC" : null);
      return arrow.makeVector(arrow.makeData({
        type: t,
        length: values.length,
        data,
        nullBitmap: arrowValidity(values),
      }));
    }
    case "date": {
      const data = new Int32Array(values.length);
      values.forEach((v, i) => {
        if (v === null) return;
        const n = v as number;
        data[i] = n === Infinity ? int32Max : n === -Infinity ? int32Min : n;
      });
      return arrow.makeVector(arrow.makeData({
        type: new arrow.DateDay(),
        length: values.length,
        data,
        nullBitmap: arrowValidity(values),
      }));
    }
    default:
      break;
  }
  return arrow.vectorFromArray(
    values.map((v) => v === null ? null : formatValue(type, v)),
    new arrow.Utf8(),
  );
}

/** An Arrow validity bitmap (bit set = valid, least significant bit first). */
function arrowValidity(values: readonly Value[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}
