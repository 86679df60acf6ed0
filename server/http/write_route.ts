/**
 * `POST /write` (InfluxDB 1.x) and `POST /api/v2/write` (2.x): line protocol in, rows stored.
 * `db` / `bucket` names a schema and each measurement a table in it, both created on first write;
 * new tags and fields become new columns. Tags are TEXT columns and the table's series key
 * (`dedup_keys`), so the same series and time written again replaces the row (last write wins);
 * `time` is the designated TIMESTAMPTZ column, partitioned by day. Each measurement of a body is
 * stored as one transaction, answered once durable. Bad lines are refused one by one: the good
 * ones are stored and the answer is 400 with InfluxDB's body plus a `lines` list.
 *
 * @module
 */
import { DbError } from "../../core/errors.ts";
import { type Column, makeColumn } from "../../core/types/column.ts";
import { type TypeKind, Types } from "../../core/types/data_type.ts";
import {
  type LineError,
  type ParsedMeasurement,
  parsePrecision,
  type Precision,
} from "../../plugins/line_protocol/mod.ts";
import { jsonTextResponse } from "./_responses.ts";
import type { RouteContext } from "./handler.ts";
import { readBodyBytes } from "./read_body.ts";

/** The column every measurement's table keeps its time in. */
export const timeColumnName = "time";

/** SQL types of line-protocol field types. */
const fieldSqlType: Readonly<Record<string, string>> = {
  float: "DOUBLE PRECISION",
  integer: "BIGINT",
  unsigned: "BIGINT",
  string: "TEXT",
  boolean: "BOOLEAN",
};

/** Which API a write came in by: the error bodies differ. */
export type WriteApi = "v1" | "v2";

/** Handles `POST /write` (`api` v1) and `POST /api/v2/write` (v2). */
export async function writeRoute(
  req: Request,
  ctx: RouteContext,
  api: WriteApi,
): Promise<Response> {
  const params = ctx.url.searchParams;
  const schema = api === "v1" ? params.get("db") : params.get("bucket");
  if (schema === null || schema === "") {
    return badWrite(api, api === "v1" ? "database is required" : "bucket is required", []);
  }
  if (utf8.encode(schema).length > identifierBytesMax) {
    return badWrite(api, `database name is longer than ${identifierBytesMax} bytes`, []);
  }
  const precisionText = params.get("precision") ?? "ns";
  const precision: Precision | null = parsePrecision(precisionText);
  if (precision === null || (api === "v2" && !["ns", "us", "ms", "s"].includes(precisionText))) {
    return badWrite(api, `invalid precision "${precisionText}"`, []);
  }
  const body = await readBodyBytes(req, ctx.limits.bodyBytesMax);
  ctx.metrics.ingest.bytes.inc(body.length);
  const db = ctx.db;
  const result = await ctx.lineProtocol.parse(body, {
    precision,
    defaultTimeMicros: ctx.clock.nowMicros(),
    tableColumns: (m) => {
      const t = db.describeTable(schema, m);
      if (t === null) return undefined;
      return new Map(t.columns.map((c) => [c.name, c.type.kind as TypeKind]));
    },
  });
  ctx.metrics.ingest.lines.inc(result.lines);
  const errors: LineError[] = [...result.errors];
  let rejected = result.rejected;
  let rows = 0, merged = 0;
  for (const m of result.measurements.values()) {
    const problem = columnNameProblem(m);
    if (problem !== null) {
      // whole measurement refused: its line numbers are not known here, so it is reported once
      errors.push({ line: 0, reason: `measurement "${m.name}": ${problem}` });
      rejected += m.rows;
      continue;
    }
    await prepareTable(ctx, schema, m);
    const columns = new Map<string, Column>();
    columns.set(timeColumnName, makeColumn(Types.timestamptz, m.rows, m.time, null));
    for (const [k, c] of m.tags) columns.set(k, c);
    for (const [k, f] of m.fields) columns.set(k, f.column);
    await db.insertBatch(schema, m.name, columns, m.rows);
    rows += m.rows;
    merged += m.mergedPoints;
  }
  ctx.metrics.ingest.rows.inc(rows);
  ctx.metrics.ingest.rejected.inc(rejected);
  ctx.metrics.ingest.mergedPoints.inc(merged);
  if (rejected === 0) {
    const headers: Record<string, string> = merged > 0
      ? { [mergedPointsHeader]: String(merged) }
      : {};
    return new Response(null, { status: 204, headers });
  }
  const first = errors[0]?.reason ?? "some lines were refused";
  const response = badWrite(api, `partial write: ${first} dropped=${rejected}`, errors, merged);
  if (merged > 0) response.headers.set(mergedPointsHeader, String(merged));
  return response;
}

/**
 * The response header that counts points merged into another point of the same series only
 * because their nanosecond timestamps floor to the same microsecond (absent when none).
 */
export const mergedPointsHeader = "X-OmenDB-Merged-Points";

/** Bytes of an identifier OmenDB keeps (PostgreSQL's NAMEDATALEN - 1): longer names are refused. */
const identifierBytesMax = 63;
const utf8 = new TextEncoder();

/** Why a measurement's columns cannot be stored as named, or `null`. */
function columnNameProblem(m: ParsedMeasurement): string | null {
  for (const k of [m.name, ...m.tags.keys(), ...m.fields.keys()]) {
    if (utf8.encode(k).length > identifierBytesMax) {
      return `name "${k.slice(0, 20)}..." is longer than ${identifierBytesMax} bytes`;
    }
  }
  for (const k of m.tags.keys()) {
    // dedup_keys is a comma-separated, trimmed list
    if (k.includes(",") || k.trim() !== k) {
      return `tag key "${k}" has a comma or outer spaces, which a series key cannot hold`;
    }
  }
  return null;
}

/**
 * Creates the schema and the measurement's table, or adds the tags and fields it lacks (new tags
 * also join the series key). Idempotent: concurrent writers may race on it.
 */
async function prepareTable(ctx: RouteContext, schema: string, m: ParsedMeasurement) {
  const db = ctx.db;
  const table = `${quoteIdent(schema)}.${quoteIdent(m.name)}`;
  let t = db.describeTable(schema, m.name);
  const session = db.session();
  try {
    if (t === null) {
      await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      const cols = [
        `${quoteIdent(timeColumnName)} TIMESTAMPTZ NOT NULL`,
        ...[...m.tags.keys()].map((k) => `${quoteIdent(k)} TEXT`),
        ...[...m.fields].map(([k, f]) => `${quoteIdent(k)} ${fieldSqlType[f.type]}`),
      ];
      const keys = m.tags.size > 0 ? [...m.tags.keys()] : [timeColumnName];
      await session.query(
        `CREATE TABLE IF NOT EXISTS ${table} (${cols.join(", ")}) WITH (timestamp = ${
          quoteLiteral(timeColumnName)
        }, partition_by = 'day', dedup_keys = ${quoteLiteral(keys.join(","))})`,
      );
      t = db.describeTable(schema, m.name);
      if (t === null) throw new DbError("XX000", `table ${table} vanished after CREATE`);
    }
    const have = new Set(t.columns.map((c) => c.name));
    const newTags = [...m.tags.keys()].filter((k) => !have.has(k));
    for (const k of newTags) {
      await session.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(k)} TEXT`);
    }
    for (const [k, f] of m.fields) {
      if (have.has(k)) continue;
      await session.query(
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(k)} ${fieldSqlType[f.type]}`,
      );
    }
    if (newTags.length > 0) {
      // the series key grows by the new tags (rows already stored hold NULL there)
      const keys = db.describeTable(schema, m.name)!.dedupKeys;
      const merged = [...keys, ...newTags.filter((k) => !keys.includes(k))];
      await session.query(
        `ALTER TABLE ${table} SET (dedup_keys = ${quoteLiteral(merged.join(","))})`,
      );
    }
  } finally {
    await session.close();
  }
}

/** A 400 with InfluxDB's body for the API, plus the refused lines. */
function badWrite(
  api: WriteApi,
  message: string,
  lines: readonly LineError[],
  merged = 0,
): Response {
  const list = lines.map((l) => ({ line: l.line, reason: l.reason }));
  const extra = merged > 0 ? { mergedPoints: merged } : {};
  const body = api === "v1"
    ? { error: message, lines: list, ...extra }
    : { code: "invalid", message, lines: list, ...extra };
  return jsonTextResponse(JSON.stringify(body), 400);
}

/** An identifier quoted for SQL. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal for SQL. */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
