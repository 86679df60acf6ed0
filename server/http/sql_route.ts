/**
 * `POST /sql`: runs SQL and answers JSON (or JSON Lines, CSV, Arrow by `Accept`), streaming the
 * result as the client reads it.
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
 * "timingMs":{"total":x}}`, written as the rows stream: an error after the first row ends it
 * with `],"error":{"code","message"}}` instead of the counts (see docs/http.md).
 *
 * @module
 */
import { assert, DbError, SqlState, toDbError } from "../../core/errors.ts";
import type { Value } from "../../core/types/column.ts";
import type { Batch } from "../../core/types/batch.ts";
import { typeName } from "../../core/types/data_type.ts";
import type { QueryResult } from "../../core/engine/result.ts";
import type { QueryStream } from "../../core/engine/query_stream.ts";
import { errorResponse, HttpSqlState } from "./_responses.ts";
import {
  negotiateSqlFormat,
  type SqlFormat,
  sqlFormatMediaTypes,
  type SqlResultWriter,
  sqlResultWriter,
} from "./sql_formats.ts";
import type { RouteContext } from "./handler.ts";
import { type JsonValue, jsonValueEncoder, type JsonValueOptions } from "./json_values.ts";
import { queryTimeoutMsMax } from "./limits.ts";
import { readBodyText } from "./read_body.ts";
import {
  sqlStateClassOf,
  type StatementKind,
  statementKindOf,
  statementKindOfSql,
} from "../server_metrics.ts";

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
  const observe = (kind: StatementKind, error: DbError | null) => {
    const seconds = (ctx.clock.monotonicMs() - queryStarted) / 1000;
    ctx.metrics.query.byKind[kind].observe(seconds);
    if (error !== null) ctx.metrics.query.errors.labels(sqlStateClassOf(error.code)).inc();
  };
  let stream: QueryStream;
  let first: IteratorResult<Batch, undefined>;
  try {
    // an error before the first row is an error response with its status code
    stream = await session.stream(request.sql, request.params, {
      timeoutMs: request.timeoutMs,
      signal,
    });
    first = await stream.next();
  } catch (e) {
    observe(statementKindOfSql(request.sql), toDbError(e));
    await session.close();
    throw e;
  }
  return new Response(
    resultBody(stream, first.done ? null : first.value, sqlResultWriter(format, request.json), {
      started,
      ctx,
      end: async (error) => {
        observe(
          error === null ? statementKindOf(stream.command ?? "") : statementKindOfSql(request.sql),
          error,
        );
        await session.close();
      },
    }),
    { status: 200, headers: { "content-type": sqlFormatMediaTypes[format] } },
  );
}

/**
 * The response body: the writer's start, one chunk per batch as the client reads (so the server
 * holds about one batch, whatever the result's size), then its end, or its error trailer when
 * the stream fails after the response began (CSV and Arrow: the body is aborted). A client that
 * goes away cancels the query (57014) and rolls back what it did.
 */
function resultBody(
  stream: QueryStream,
  first: Batch | null,
  writer: SqlResultWriter,
  options: {
    started: number;
    ctx: RouteContext;
    end: (error: DbError | null) => Promise<void>;
  },
): ReadableStream<Uint8Array> {
  const { ctx } = options;
  const utf8 = new TextEncoder();
  const release = ctx.holdInFlight();
  let pending = first;
  let started = false;
  let ended = false;
  const end = async (error: DbError | null) => {
    if (ended) return;
    ended = true;
    try {
      if (error !== null) await stream.abort(error);
      else await stream.close();
      await options.end(error);
    } finally {
      release();
    }
  };
  const bytes = (part: string | Uint8Array) => typeof part === "string" ? utf8.encode(part) : part;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          controller.enqueue(bytes(writer.start(stream.columns)));
        }
        let batch = pending;
        pending = null;
        if (batch === null) {
          const next = await stream.next();
          batch = next.done ? null : next.value;
        }
        if (batch !== null) {
          controller.enqueue(bytes(writer.batch(batch)));
          return;
        }
        await end(null);
        controller.enqueue(bytes(writer.end({
          rowCount: stream.rowCount,
          command: stream.command ?? "",
          totalMs: ctx.clock.monotonicMs() - options.started,
        })));
        controller.close();
      } catch (e) {
        const error = toDbError(e);
        await end(error);
        ctx.log.warn("sql_stream_failed", { code: error.code, message: error.message });
        const tail = writer.error(error);
        if (tail === null) controller.error(error);
        else {
          controller.enqueue(bytes(tail));
          controller.close();
        }
      }
    },
    async cancel() {
      await end(
        new DbError(
          SqlState.queryCanceled,
          "canceling statement: the client closed the connection",
        ),
      );
    },
  }, { highWaterMark: 1 });
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
