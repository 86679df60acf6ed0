// The HTTP handler without a socket, against a scripted database: routing, request parsing,
// limits and the SQLSTATE -> status mapping. sql_route_test.ts runs the real engine.
import { QueryStream } from "../../core/engine/query_stream.ts";
import assert from "node:assert/strict";
import { DbError, SqlSyntaxError } from "../../core/errors.ts";
import { ManualClock } from "../../core/env/clock.ts";
import type { QueryOptions, QueryResult } from "../../core/engine/result.ts";
import type { Value } from "../../core/types/column.ts";
import { Types } from "../../core/types/data_type.ts";
import { createLogger } from "../log.ts";
import { createHttpHandler, type HttpDatabase } from "./handler.ts";

interface Call {
  sql: string;
  params: readonly Value[] | undefined;
  options: QueryOptions | undefined;
}

/** A database that records each call and answers with `answer` (or throws it). */
function scriptedDb(answer: QueryResult | Error): HttpDatabase & { calls: Call[] } {
  const calls: Call[] = [];
  const query = (sql: string, params?: readonly Value[], options?: QueryOptions) => {
    calls.push({ sql, params, options });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return {
    calls,
    query,
    session: () => ({ query, stream: streamOf(query), close: () => Promise.resolve() }),
    ...noTables,
  };
}

/** A scripted session's `stream`: its `query`'s result as a one-batch stream. */
function streamOf(
  query: (sql: string, params?: readonly Value[], options?: QueryOptions) => Promise<QueryResult>,
) {
  return async (sql: string, params?: readonly Value[], options?: QueryOptions) =>
    QueryStream.fromResult(await query(sql, params, options), 2048);
}

/** The table methods of a scripted database: it has no tables. */
const noTables = {
  describeTable: () => null,
  insertBatch: () => Promise.reject(new Error("a scripted database stores nothing")),
};

const oneRow: QueryResult = {
  command: "SELECT 1",
  columns: [{ name: "x", type: Types.int4 }],
  rows: [[1]],
  rowCount: 1,
};

function post(path: string, body: BodyInit, contentType?: string): Request {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers["content-type"] = contentType;
  return new Request(`http://localhost${path}`, { method: "POST", body, headers });
}

function postJson(path: string, body: unknown): Request {
  return post(path, JSON.stringify(body), "application/json");
}

async function errorOf(
  res: Response,
): Promise<{ code: string; message: string; position?: number }> {
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.equal(typeof body.error?.code, "string", JSON.stringify(body));
  return body.error;
}

Deno.test("GET /health answers ok; HEAD too", async () => {
  const handler = createHttpHandler({ db: scriptedDb(oneRow) });
  const res = await handler(new Request("http://localhost/health"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok" });
  const head = await handler(new Request("http://localhost/health", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
});

Deno.test("unknown route is 404 JSON, wrong method is 405 with Allow", async () => {
  const handler = createHttpHandler({ db: scriptedDb(oneRow) });
  const missing = await handler(new Request("http://localhost/nope"));
  assert.equal(missing.status, 404);
  const e404 = await errorOf(missing);
  assert.equal(e404.code, "08P01");
  assert.match(
    e404.message,
    /no such endpoint: GET \/nope; endpoints: GET \/health, GET \/ready, .*POST \/sql/,
  );

  const wrong = await handler(new Request("http://localhost/sql"));
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  assert.match((await errorOf(wrong)).message, /method GET is not allowed on \/sql; use POST/);

  const wrongHealth = await handler(post("/health", "x"));
  assert.equal(wrongHealth.status, 405);
  assert.equal(wrongHealth.headers.get("allow"), "GET, HEAD");
  await wrongHealth.body?.cancel();
});

Deno.test("POST /sql passes sql, params and the timeout; encodes the result", async () => {
  const db = scriptedDb({
    command: "SELECT 2",
    columns: [
      { name: "i", type: Types.int4 },
      { name: "big", type: Types.int8 },
      { name: "f", type: Types.float8 },
      { name: "ts", type: Types.timestamptz },
      { name: "d", type: Types.date },
      { name: "b", type: Types.bool },
      { name: "s", type: Types.text },
    ],
    rows: [
      [1, 2n ** 62n, NaN, Date.UTC(2016, 0, 1) * 1000, 16801, true, "a"],
      [null, 5n, -Infinity, null, null, false, null],
    ],
    rowCount: 2,
  });
  const clock = new ManualClock();
  const handler = createHttpHandler({ db, clock, limits: { queryTimeoutMs: 1234 } });
  const res = await handler(postJson("/sql", { sql: "SELECT $1, $2", params: [1, "x"] }));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body, {
    columns: [
      { name: "i", type: "int4" },
      { name: "big", type: "int8" },
      { name: "f", type: "float8" },
      { name: "ts", type: "timestamptz" },
      { name: "d", type: "date" },
      { name: "b", type: "bool" },
      { name: "s", type: "text" },
    ],
    rows: [
      [1, "4611686018427387904", "NaN", "2016-01-01T00:00:00.000000Z", "2016-01-01", true, "a"],
      [null, 5, "-Infinity", null, null, false, null],
    ],
    rowCount: 2,
    command: "SELECT 2",
    timingMs: { total: 0 },
  });
  assert.equal(db.calls.length, 1);
  assert.equal(db.calls[0]?.sql, "SELECT $1, $2");
  assert.deepEqual(db.calls[0]?.params, [1, "x"]);
  assert.equal(db.calls[0]?.options?.timeoutMs, 1234);
  assert.ok(db.calls[0]?.options?.signal instanceof AbortSignal);

  const asStrings = await handler(postJson("/sql?int8=string&timeout_ms=0", { sql: "x" }));
  assert.equal((await asStrings.json()).rows[1][1], "5");
  assert.equal(db.calls[1]?.options?.timeoutMs, 0);
});

Deno.test("POST /sql accepts text/plain, application/sql and curl's default form type", async () => {
  const db = scriptedDb(oneRow);
  const handler = createHttpHandler({ db });
  const bytes = (s: string) => new TextEncoder().encode(s);
  for (const type of ["text/plain; charset=utf-8", "application/sql", undefined]) {
    // A Uint8Array body gets no automatic content type.
    const res = await handler(post("/sql", bytes("SELECT 1"), type));
    assert.equal(res.status, 200, String(type));
    await res.body?.cancel();
  }
  const form = await handler(post("/sql", "SELECT 'a=b&c'", "application/x-www-form-urlencoded"));
  assert.equal(form.status, 200);
  await form.body?.cancel();
  const sniffed = await handler(post("/sql", '{"sql":"SELECT 2"}', "text/plain"));
  assert.equal(sniffed.status, 200);
  await sniffed.body?.cancel();
  assert.deepEqual(db.calls.map((c) => c.sql), [
    "SELECT 1",
    "SELECT 1",
    "SELECT 1",
    "SELECT 'a=b&c'",
    "SELECT 2",
  ]);
  const xml = await handler(post("/sql", "<q/>", "application/xml"));
  assert.equal(xml.status, 400);
  assert.match((await errorOf(xml)).message, /unsupported content type "application\/xml"/);
});

Deno.test("POST /sql rejects bad bodies with clear 400s and never calls the database", async () => {
  const db = scriptedDb(oneRow);
  const handler = createHttpHandler({ db });
  const cases: [Request, string, RegExp][] = [
    [post("/sql", '{"sql": "SELECT 1"', "application/json"), "22P02", /not valid JSON/],
    [post("/sql", "[1]", "application/json"), "08P01", /must be a JSON object/],
    [
      postJson("/sql", { query: "SELECT 1" }),
      "08P01",
      /unknown field "query".*accepted: sql, params/,
    ],
    [postJson("/sql", { sql: 1 }), "08P01", /needs "sql", a string/],
    [postJson("/sql", { sql: "S", params: 1 }), "08P01", /"params" must be an array/],
    [postJson("/sql", { sql: "S", params: [{}] }), "08P01", /parameter \$1 must be a string/],
    [
      post("/sql", '{"sql":"S","params":[1, 9007199254740993]}', "application/json"),
      "22003",
      /parameter \$2 .*send it as a string/,
    ],
    [postJson("/sql", { sql: "  \n" }), "42601", /empty query/],
    [post("/sql", new Uint8Array([0x53, 0xff]), "text/plain"), "22021", /not valid UTF-8/],
    [postJson("/sql?timeout_ms=-1", { sql: "S" }), "22023", /invalid timeout_ms "-1"/],
    [postJson("/sql?timeout_ms=1e3", { sql: "S" }), "22023", /invalid timeout_ms/],
    [postJson("/sql?int8=bigint", { sql: "S" }), "22023", /invalid int8 "bigint"/],
    [postJson("/sql?format=csv", { sql: "S" }), "22023", /unknown query parameter "format"/],
  ];
  for (const [req, code, re] of cases) {
    const res = await handler(req);
    assert.equal(res.status, 400, `${code} ${re}`);
    const e = await errorOf(res);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
  }
  assert.equal(db.calls.length, 0);
});

Deno.test("POST /sql over httpBodyBytesMax is 413, by Content-Length or by streaming", async () => {
  const db = scriptedDb(oneRow);
  const handler = createHttpHandler({ db, limits: { bodyBytesMax: 16 } });
  const big = await handler(post("/sql", "SELECT 1 + 1 + 1 + 1 + 1", "text/plain"));
  assert.equal(big.status, 413);
  const e = await errorOf(big);
  assert.equal(e.code, "54000");
  assert.match(e.message, /httpBodyBytesMax \(16 bytes\)/);

  // A chunked body (no Content-Length) is cut off as soon as it passes the limit.
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(new TextEncoder().encode("SELECT 1;"));
      if (pulls > 1000) controller.close();
    },
  });
  const chunked = await handler(post("/sql", stream, "text/plain"));
  assert.equal(chunked.status, 413);
  await chunked.body?.cancel();
  assert.ok(pulls < 10, `read ${pulls} chunks before stopping`);

  const exact = await handler(post("/sql", "SELECT 12345678", "text/plain")); // 15 bytes
  assert.equal(exact.status, 200);
  await exact.body?.cancel();
  assert.equal(db.calls.length, 1);
});

Deno.test("database errors map to statuses and keep code and position", async () => {
  const lines: string[] = [];
  const log = createLogger({
    write: (l) => lines.push(l),
    clock: new ManualClock(),
    level: "info",
  });
  const cases: [Error, number, string][] = [
    [SqlSyntaxError.at("SELEC 1", 0, 'unexpected "SELEC"'), 400, "42601"],
    [new DbError("0A000", "GROUP BY is not supported yet"), 400, "0A000"],
    [new DbError("42P01", 'relation "t" does not exist', { position: 15 }), 400, "42P01"],
    [new DbError("23502", "null value violates not-null constraint"), 400, "23502"],
    [new DbError("57014", "canceling statement due to statement timeout"), 504, "57014"],
    [new DbError("40001", "could not serialize access"), 409, "40001"],
    [new DbError("53200", "out of memory"), 503, "53200"],
    [new DbError("XX001", "checksum mismatch"), 500, "XX001"],
    [new TypeError("undefined is not a function"), 500, "XX000"],
  ];
  for (const [error, status, code] of cases) {
    const handler = createHttpHandler({ db: scriptedDb(error), log });
    const res = await handler(postJson("/sql", { sql: "SELEC 1" }));
    assert.equal(res.status, status, code);
    const e = await errorOf(res);
    assert.equal(e.code, code);
    if (error instanceof DbError && error.position !== undefined) {
      assert.equal(e.position, error.position);
    }
  }
  // Internal errors are logged (with the cause), resource errors warned, user errors and
  // timeouts are not logged.
  const logged = lines.map((l) => JSON.parse(l));
  assert.deepEqual(logged.map((l) => [l.level, l.event, l.code]), [
    ["warn", "resources_exhausted", "53200"],
    ["error", "internal_error", "XX001"],
    ["error", "internal_error", "XX000"],
  ]);
  assert.match(logged[2].error.message, /undefined is not a function/);
});

/** A database whose queries wait until `release()`, or until their signal aborts (57014). */
function blockingDb(): HttpDatabase & { release(): void; started: number } {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const db = {
    started: 0,
    release: () => release(),
    query: () => Promise.reject(new Error("unused")),
    session: () => {
      const query = (_sql: string, _params?: readonly Value[], options?: QueryOptions) => {
        db.started++;
        const aborted = new Promise<never>((_, reject) => {
          const fail = () =>
            reject(new DbError("57014", "canceling statement due to user request"));
          if (options?.signal?.aborted) fail();
          options?.signal?.addEventListener("abort", fail, { once: true });
        });
        return Promise.race([released.then(() => oneRow), aborted]);
      };
      return { query, stream: streamOf(query), close: () => Promise.resolve() };
    },
    ...noTables,
  };
  return db;
}

Deno.test("over inflightRequestsMax a request gets 503 53300 with Retry-After; probes still answer", async () => {
  const db = blockingDb();
  const handler = createHttpHandler({ db, limits: { inflightRequestsMax: 2 } });
  const first = handler(postJson("/sql", { sql: "SELECT 1" }));
  const second = handler(postJson("/sql", { sql: "SELECT 2" }));
  while (db.started < 2) await new Promise((r) => setTimeout(r, 1));

  const refused = await handler(postJson("/sql", { sql: "SELECT 3" }));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  const e = await errorOf(refused);
  assert.equal(e.code, "53300");
  assert.match(e.message, /too many requests in flight \(http\.inflight_requests_max = 2\)/);
  assert.equal(db.started, 2, "the refused request never reached the database");

  // probes and /metrics do not count and are not refused
  for (const path of ["/health", "/ready", "/metrics"]) {
    const res = await handler(new Request(`http://localhost${path}`));
    assert.equal(res.status, 200, path);
    const text = await res.text();
    if (path === "/metrics") {
      assert.match(text, /^omendb_http_requests_in_flight 3$/m);
      assert.match(text, /^omendb_http_requests_rejected_total 1$/m);
      assert.match(text, /^omendb_http_requests_total\{route="\/sql",status_class="5xx"\} 1$/m);
    }
  }
  assert.equal((await handler(new Request("http://localhost/ping"))).status, 204);

  db.release();
  const done = [await first, await second];
  assert.deepEqual(done.map((r) => r.status), [200, 200]);
  // a result's body streams: the request counts in flight until it is read
  const waiting = await handler(postJson("/sql", { sql: "SELECT 4" }));
  assert.equal(waiting.status, 503, "both bodies are unread: the requests still hold their slots");
  await waiting.body?.cancel();
  for (const r of done) assert.deepEqual((await r.json()).rows, [[1]]);
  const after = await handler(postJson("/sql", { sql: "SELECT 4" }));
  assert.equal(after.status, 200, "slots are given back");
  await after.body?.cancel();
});

Deno.test("aborting the handler's signal cancels running queries with 57014", async () => {
  const db = blockingDb();
  const shutdown = new AbortController();
  const handler = createHttpHandler({ db, signal: shutdown.signal });
  const running = handler(postJson("/sql", { sql: "SELECT pg_sleep(60)" }));
  while (db.started < 1) await new Promise((r) => setTimeout(r, 1));
  shutdown.abort();
  const res = await running;
  assert.equal(res.status, 504);
  assert.equal((await errorOf(res)).code, "57014");
});

Deno.test("while stopping, requests get 503 57P03 with Connection: close; probes still answer", async () => {
  const db = scriptedDb(oneRow);
  let stopping = false;
  const handler = createHttpHandler({ db, stopping: () => stopping });
  const before = await handler(postJson("/sql", { sql: "SELECT 1" }));
  assert.equal(before.status, 200);
  await before.body?.cancel();
  stopping = true;
  const refused = await handler(postJson("/sql", { sql: "SELECT 1" }));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("connection"), "close");
  assert.equal((await errorOf(refused)).code, "57P03");
  assert.equal(db.calls.length, 1, "the refused request never reached the database");
  assert.equal((await handler(new Request("http://localhost/health"))).status, 200);
  const metrics = await handler(new Request("http://localhost/metrics"));
  assert.match(await metrics.text(), /^omendb_ready 0$/m);
});

Deno.test("a request body that breaks off is a client error (08006), not an internal one", async () => {
  const lines: string[] = [];
  const log = createLogger({
    write: (l) => lines.push(l),
    clock: new ManualClock(),
    level: "warn",
  });
  const handler = createHttpHandler({ db: scriptedDb(oneRow), log });
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("SELECT "));
    },
    pull(c) {
      c.error(new Error("connection reset"));
    },
  });
  const res = await handler(
    new Request("http://localhost/sql", { method: "POST", body, duplex: "half" } as RequestInit),
  );
  assert.equal(res.status, 400);
  const e = await errorOf(res);
  assert.equal(e.code, "08006");
  assert.match(e.message, /could not read the request body: connection reset/);
  assert.deepEqual(lines, []);
});
