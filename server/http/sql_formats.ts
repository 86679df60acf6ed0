/**
 * Result formats of `POST /sql` besides JSON, chosen by the `Accept` header: JSON Lines, CSV and
 * the Arrow IPC stream format. Values are the same as in JSON: JSON Lines uses the JSON value
 * encoders; CSV uses PostgreSQL's text output (as `COPY ... CSV` writes it); Arrow keeps native
 * types (int8 as Int64, timestamps as microsecond timestamps, text as Utf8) and sends the rest as
 * PostgreSQL text.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type { QueryResult } from "../../core/engine/result.ts";
import { DbError } from "../../core/errors.ts";
import { formatValue } from "../../core/types/format.ts";
import { typeName } from "../../core/types/data_type.ts";
import type { DataType } from "../../core/types/data_type.ts";
import type { Value } from "../../core/types/column.ts";
import { jsonValueEncoder, type JsonValueOptions } from "./json_values.ts";

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

/**
 * JSON Lines: a first line `{"columns":[{"name","type"}...]}`, one JSON array per row, and a last
 * line `{"rowCount":N,"command":"...","timingMs":{"total":ms}}`.
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
  const encoders = result.columns.map((c) => jsonValueEncoder(c.type, options));
  const lines: string[] = [
    JSON.stringify({
      columns: result.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    }),
  ];
  for (const row of result.rows) lines.push(JSON.stringify(row.map((v, i) => encoders[i]!(v))));
  lines.push(JSON.stringify({
    rowCount: result.rowCount,
    command: result.command,
    timingMs: { total: Math.round(totalMs * 1000) / 1000 },
  }));
  return lines.join("\n") + "\n";
}

/**
 * CSV (RFC 4180, CRLF line ends): a header of column names, then values in PostgreSQL's text
 * form; NULL is an empty field, an empty string is `""`.
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
  const out: string[] = [result.columns.map((c) => csvField(c.name)).join(",")];
  for (const row of result.rows) {
    out.push(
      row.map((v, i) => {
        const text = formatValue(result.columns[i]!.type, v);
        return text === null ? "" : csvField(text, true);
      }).join(","),
    );
  }
  return out.join("\r\n") + "\r\n";
}

/** A CSV field, quoted when it must be (and an empty value always, so it is not NULL). */
function csvField(text: string, emptyIsValue = false): string {
  if ((emptyIsValue && text === "") || /[",\r\n]/.test(text) || /^\s|\s$/.test(text)) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/**
 * The Arrow IPC stream format of a result (one record batch).
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
  const vectors: Record<string, arrow.Vector> = {};
  const names = new Map<string, number>();
  result.columns.forEach((c, i) => {
    // Arrow field names need not be unique, but a Table built from an object does
    const seen = names.get(c.name) ?? 0;
    names.set(c.name, seen + 1);
    const name = seen === 0 ? c.name : `${c.name}_${seen}`;
    const values = result.rows.map((r) => r[i] ?? null);
    vectors[name] = arrowVector(c.type, values);
  });
  return arrow.tableToIPC(new arrow.Table(vectors), "stream");
}

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
      // ±infinity has no Arrow timestamp: such a column goes as PostgreSQL text
      if (values.some((v) => v !== null && !Number.isFinite(v as number))) break;
      const t = new arrow.TimestampMicrosecond(type.kind === "timestamptz" ? "UTC" : null);
      // microseconds since the epoch: Arrow's JS builder takes milliseconds
      return arrow.vectorFromArray(
        values.map((v) => v === null ? null : (v as number) / 1000),
        t,
      );
    }
    case "date":
      if (values.some((v) => v !== null && !Number.isFinite(v as number))) break;
      return arrow.vectorFromArray(
        values.map((v) => v === null ? null : new Date((v as number) * 86_400_000)),
        new arrow.DateDay(),
      );
    default:
      break;
  }
  return arrow.vectorFromArray(
    values.map((v) => v === null ? null : formatValue(type, v)),
    new arrow.Utf8(),
  );
}
