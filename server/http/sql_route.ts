/**
 * `POST /sql`: runs SQL and answers JSON.
 *
 * Request body: JSON `{"sql": "...", "params": [...]}` (`Content-Type: application/json`) or the
 * SQL text itself (`text/plain` or `application/sql`; also no content type, or curl's default
 * `application/x-www-form-urlencoded`). A text body whose first non-blank character is `{` is read
 * as JSON, since SQL never starts with `{`.
 *
 * Query string: `timeout_ms=N` overrides the query timeout (0 = none); `int8=string` sends every
 * int8 as a JSON string (by default only those outside ±(2^53 - 1)).
 *
 * Response: `{"columns":[{"name","type"}],"rows":[[...]],"rowCount":N,"command":"SELECT 2",
 * "timingMs":{"total":x}}`.
 *
 * @module
 */
import { assert, DbError, SqlState, toDbError } from "../../core/errors.ts";
import type { Value } from "../../core/types/column.ts";
import { typeName } from "../../core/types/data_type.ts";
import type { QueryResult } from "../../core/engine/result.ts";
import { errorResponse, HttpSqlState, jsonTextResponse } from "./_responses.ts";
import {
  encodeArrow,
  encodeCsv,
  encodeJsonl,
  negotiateSqlFormat,
  type SqlFormat,
  sqlFormatMediaTypes,
} from "./sql_formats.ts";
import type { RouteContext } from "./handler.ts";
import { type JsonValue, jsonValueEncoder, type JsonValueOptions } from "./json_values.ts";
import { queryTimeoutMsMax } from "./limits.ts";
import { readBodyText } from "./read_body.ts";
import { sqlStateClassOf, statementKindOf, statementKindOfSql } from "../server_metrics.ts";

/** A parsed `POST /sql` request. */
export interface SqlRequest {
  /** The SQL text: one or more statements. */
  readonly sql: string;
  /** Values of `$1...$n`. */
  readonly params: readonly Value[];
  /** Query timeout for this request, in milliseconds (0 = none). */
  readonly timeoutMs: number;
  /** How values are encoded in the response. */
  readonly json: JsonValueOptions;
}

/** The JSON body of a successful `POST /sql`. */
export interface SqlResponseBody {
  /** Result columns: name and PostgreSQL type name (`int4`, `timestamptz`...). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** One array of JSON values per row, in column order. */
  readonly rows: readonly (readonly JsonValue[])[];
  /** Rows returned (SELECT) or affected (INSERT...). */
  readonly rowCount: number;
  /** PostgreSQL's command tag: `SELECT 2`, `INSERT 0 3`, `CREATE TABLE`. */
  readonly command: string;
  /** Server-side time spent on the request, in milliseconds. */
  readonly timingMs: { readonly total: number };
}

const queryParamNames = ["timeout_ms", "int8"] as const;
const bodyKeys = ["sql", "params"] as const;
/** Content types read as SQL text (or JSON when the body starts with `{`). */
const textContentTypes = new Set([
  "",
  "text/plain",
  "application/sql",
  "application/x-www-form-urlencoded",
]);

/** Handles `POST /sql`. */
export async function sqlRoute(req: Request, ctx: RouteContext): Promise<Response> {
  const started = ctx.clock.monotonicMs();
  let format: SqlFormat;
  try {
    format = negotiateSqlFormat(req.headers.get("accept"));
  } catch (e) {
    return errorResponse(toDbError(e), 406);
  }
  const request = await parseSqlRequest(req, ctx);
  // each request is its own session: a SET or an open transaction block lasts until the request
  // ends (a block left open is rolled back)
  const session = ctx.db.session();
  const signal = ctx.signal === undefined ? req.signal : AbortSignal.any([req.signal, ctx.signal]);
  const queryStarted = ctx.clock.monotonicMs();
  let result: QueryResult;
  try {
    result = await session.query(request.sql, request.params, {
      timeoutMs: request.timeoutMs,
      signal,
    });
  } catch (e) {
    const seconds = (ctx.clock.monotonicMs() - queryStarted) / 1000;
    ctx.metrics.query.byKind[statementKindOfSql(request.sql)].observe(seconds);
    ctx.metrics.query.errors.labels(sqlStateClassOf(toDbError(e).code)).inc();
    throw e;
  } finally {
    await session.close();
  }
  const seconds = (ctx.clock.monotonicMs() - queryStarted) / 1000;
  ctx.metrics.query.byKind[statementKindOf(result.command)].observe(seconds);
  const totalMs = ctx.clock.monotonicMs() - started;
  switch (format) {
    case "json":
      return jsonTextResponse(JSON.stringify(encodeSqlResult(result, request.json, totalMs)));
    case "jsonl":
      return formatResponse(encodeJsonl(result, request.json, totalMs), format);
    case "csv":
      return formatResponse(encodeCsv(result), format);
    case "arrow":
      return formatResponse(encodeArrow(result), format);
  }
}

function formatResponse(body: string | Uint8Array, format: SqlFormat): Response {
  return new Response(body as BodyInit, {
    status: 200,
    headers: { "content-type": sqlFormatMediaTypes[format] },
  });
}

/** Reads and checks the URL parameters and the body of a `POST /sql` request. */
export async function parseSqlRequest(req: Request, ctx: RouteContext): Promise<SqlRequest> {
  const { timeoutMs, json } = parseQueryString(ctx.url.searchParams, ctx.limits.queryTimeoutMs);
  const text = await readBodyText(req, ctx.limits.bodyBytesMax);
  const contentType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  let sql: string;
  let params: readonly Value[] = [];
  const isJson = contentType === "application/json" || contentType?.endsWith("+json") === true;
  if (!isJson && !textContentTypes.has(contentType ?? "")) {
    throw protocolError(
      `unsupported content type "${contentType}"; send application/json or text/plain`,
    );
  }
  // SQL never starts with "{", so a JSON body sent as text (curl -d, fetch without headers)
  // is still understood.
  if (isJson || text.trimStart().startsWith("{")) ({ sql, params } = parseJsonBody(text));
  else sql = text;
  if (sql.trim() === "") {
    throw new DbError(SqlState.syntaxError, "empty query: the request has no SQL text");
  }
  return { sql, params, timeoutMs, json };
}

function parseQueryString(
  search: URLSearchParams,
  defaultTimeoutMs: number,
): { timeoutMs: number; json: JsonValueOptions } {
  for (const name of search.keys()) {
    if (!(queryParamNames as readonly string[]).includes(name)) {
      throw new DbError(
        SqlState.invalidParameterValue,
        `unknown query parameter "${name}"; accepted: ${queryParamNames.join(", ")}`,
      );
    }
  }
  let timeoutMs = defaultTimeoutMs;
  const timeout = search.get("timeout_ms");
  if (timeout !== null) {
    timeoutMs = Number(timeout);
    if (!/^\d+$/.test(timeout) || timeoutMs > queryTimeoutMsMax) {
      throw new DbError(
        SqlState.invalidParameterValue,
        `invalid timeout_ms "${timeout}"; accepted: an integer from 0 to ${queryTimeoutMsMax} ` +
          `(milliseconds, 0 = no timeout)`,
      );
    }
  }
  const int8 = search.get("int8") ?? "auto";
  if (int8 !== "auto" && int8 !== "string") {
    throw new DbError(
      SqlState.invalidParameterValue,
      `invalid int8 "${int8}"; accepted: string (every int8 as a JSON string) or auto`,
    );
  }
  return { timeoutMs, json: { int8AsString: int8 === "string" } };
}

function protocolError(message: string): DbError {
  return new DbError(HttpSqlState.protocolViolation, message);
}

/** `{"sql": "...", "params": [...]}`: params are strings, numbers, booleans or null. */
function parseJsonBody(text: string): { sql: string; params: readonly Value[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DbError(SqlState.invalidTextRepresentation, `request body is not valid JSON: ${why}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw protocolError('request body must be a JSON object like {"sql": "SELECT 1"}');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(bodyKeys as readonly string[]).includes(key)) {
      throw protocolError(
        `unknown field "${key}" in request body; accepted: ${bodyKeys.join(", ")}`,
      );
    }
  }
  const sql = record.sql;
  if (typeof sql !== "string") {
    throw protocolError('request body needs "sql", a string, like {"sql": "SELECT 1"}');
  }
  const raw = record.params ?? [];
  if (!Array.isArray(raw)) throw protocolError('"params" must be an array');
  const params: Value[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p: unknown = raw[i];
    if (typeof p === "number" && Number.isInteger(p) && !Number.isSafeInteger(p)) {
      throw new DbError(
        SqlState.numericValueOutOfRange,
        `parameter $${i + 1} is an integer outside ±(2^53 - 1) and would lose precision in JSON; ` +
          `send it as a string`,
      );
    }
    if (p === null || typeof p === "string" || typeof p === "number" || typeof p === "boolean") {
      params.push(p);
    } else {
      throw protocolError(
        `parameter $${i + 1} must be a string, number, boolean or null, not ${
          Array.isArray(p) ? "an array" : "an object"
        }`,
      );
    }
  }
  return { sql, params };
}

/** The JSON body for a query result. */
export function encodeSqlResult(
  result: QueryResult,
  options: JsonValueOptions,
  totalMs: number,
): SqlResponseBody {
  const encoders = result.columns.map((c) => jsonValueEncoder(c.type, options));
  const width = encoders.length;
  const rows: JsonValue[][] = new Array(result.rows.length);
  for (let r = 0; r < result.rows.length; r++) {
    const row = result.rows[r];
    assert(
      row !== undefined && row.length === width,
      `row ${r} has ${row?.length} of ${width} values`,
    );
    const out: JsonValue[] = new Array(width);
    for (let c = 0; c < width; c++) {
      const encode = encoders[c];
      const v = row[c];
      assert(encode !== undefined && v !== undefined, `value ${c} of row ${r} is missing`);
      out[c] = encode(v);
    }
    rows[r] = out;
  }
  return {
    columns: result.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    rows,
    rowCount: result.rowCount,
    command: result.command,
    timingMs: { total: Math.round(totalMs * 1000) / 1000 },
  };
}
