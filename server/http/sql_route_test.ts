// POST /sql through the handler (no socket) against the real engine.
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { createHttpHandler, type HttpHandler } from "./handler.ts";

async function withHandler(fn: (handler: HttpHandler) => Promise<void>): Promise<void> {
  const db = await Database.open({ memory: true });
  try {
    await fn(createHttpHandler({ db }));
  } finally {
    await db.close();
  }
}

async function post(
  handler: HttpHandler,
  body: unknown,
  query = "",
): Promise<{ status: number; body: Record<string, unknown> & { rows?: unknown[][] } }> {
  const res = await handler(
    new Request(`http://localhost/sql${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, body: await res.json() };
}

Deno.test("sql: create, insert and select through the handler", async () => {
  await withHandler(async (handler) => {
    let r = await post(handler, {
      sql: "CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION, ok BOOLEAN, " +
        "d DATE, i INTEGER)",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.command, "CREATE TABLE");

    r = await post(handler, {
      sql: "INSERT INTO m VALUES ('2016-01-01 00:00:00.5+00', 'a', 0.1, true, '2016-02-29', 1), " +
        "($1, $2, $3, $4, $5, $6)",
      params: ["2016-01-01 00:00:01+00", "b", null, false, "1999-12-31", -7],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.command, "INSERT 0 2");
    assert.equal(r.body.rowCount, 2);

    r = await post(handler, { sql: "SELECT ts, host, v, ok, d, i FROM m ORDER BY ts DESC" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.columns, [
      { name: "ts", type: "timestamptz" },
      { name: "host", type: "text" },
      { name: "v", type: "float8" },
      { name: "ok", type: "bool" },
      { name: "d", type: "date" },
      { name: "i", type: "int4" },
    ]);
    assert.deepEqual(r.body.rows, [
      ["2016-01-01T00:00:01.000000Z", "b", null, false, "1999-12-31", -7],
      ["2016-01-01T00:00:00.500000Z", "a", 0.1, true, "2016-02-29", 1],
    ]);
    assert.equal(r.body.rowCount, 2);
    assert.equal(r.body.command, "SELECT 2");
    const timing = r.body.timingMs as { total: number };
    assert.ok(timing.total >= 0 && timing.total < 10_000);
  });
});

Deno.test("sql: syntax error is 400 42601 with a position", async () => {
  await withHandler(async (handler) => {
    const r = await post(handler, { sql: "SELECT (1 + 2 FROM t" });
    assert.equal(r.status, 400);
    const error = r.body.error as { code: string; message: string; position: number };
    assert.equal(error.code, "42601");
    assert.equal(typeof error.position, "number");
    assert.equal(error.position, 15, error.message); // at FROM, 1-based
  });
});

Deno.test("sql: unsupported feature is 400 0A000; missing table 400 42P01", async () => {
  await withHandler(async (handler) => {
    await post(handler, { sql: "CREATE TABLE t (a INTEGER)" });
    const unsupported = await post(handler, { sql: "SELECT row_number() OVER () FROM t" });
    assert.equal(unsupported.status, 400);
    assert.equal((unsupported.body.error as { code: string }).code, "0A000");
    const missing = await post(handler, { sql: "SELECT * FROM nope" });
    assert.equal(missing.status, 400);
    assert.equal((missing.body.error as { code: string }).code, "42P01");
  });
});

Deno.test("sql: int8 is exact; ?int8=string sends every int8 as a string", async () => {
  await withHandler(async (handler) => {
    await post(handler, { sql: "CREATE TABLE b (n BIGINT)" });
    await post(handler, {
      sql: "INSERT INTO b VALUES (1), (9007199254740993), (-9223372036854775808), (NULL)",
    });
    const auto = await post(handler, { sql: "SELECT n FROM b ORDER BY n NULLS FIRST" });
    assert.equal(auto.status, 200, JSON.stringify(auto.body));
    assert.deepEqual(auto.body.rows, [[null], ["-9223372036854775808"], [1], ["9007199254740993"]]);
    const strings = await post(
      handler,
      { sql: "SELECT n FROM b ORDER BY n NULLS FIRST" },
      "?int8=string",
    );
    assert.deepEqual(strings.body.rows, [[null], ["-9223372036854775808"], ["1"], [
      "9007199254740993",
    ]]);
  });
});

Deno.test("sql: NaN and infinities are strings", async () => {
  await withHandler(async (handler) => {
    const r = await post(handler, {
      sql:
        "SELECT CAST('NaN' AS DOUBLE PRECISION) AS a, CAST('Infinity' AS DOUBLE PRECISION) AS b, " +
        "CAST('-Infinity' AS DOUBLE PRECISION) AS c, 1.5::float8 AS d",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.rows, [["NaN", "Infinity", "-Infinity", 1.5]]);
  });
});

Deno.test("sql: ?timeout_ms= cancels a long query with 504 57014", async () => {
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE TABLE big (x DOUBLE PRECISION)");
    const rows = 300_000;
    await db.insertColumns("big", { x: new Float64Array(rows).map((_, i) => (i * 7919) % rows) });
    const handler = createHttpHandler({ db });
    const sql = { sql: "SELECT x * 2 AS y FROM big WHERE x > 10 ORDER BY y DESC LIMIT 3" };
    const quick = await post(handler, sql, "?timeout_ms=1");
    assert.equal(quick.status, 504, JSON.stringify(quick.body));
    assert.equal((quick.body.error as { code: string }).code, "57014");
    const patient = await post(handler, sql); // the default 30 s is plenty
    assert.equal(patient.status, 200, JSON.stringify(patient.body));
    assert.deepEqual(patient.body.rows, [[599998], [599996], [599994]]);
  } finally {
    await db.close();
  }
});

Deno.test("sql: each request is its own session; SET lasts until the request ends", async () => {
  await withHandler(async (handler) => {
    let r = await post(handler, {
      sql: "SET TIME ZONE 'Asia/Tokyo'; SELECT TIMESTAMPTZ '2024-01-01 09:00'",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // local 09:00 in Tokyo is midnight UTC; JSON answers carry the instant in UTC
    assert.deepEqual(r.body.rows, [["2024-01-01T00:00:00.000000Z"]]);
    r = await post(handler, { sql: "SHOW timezone" });
    assert.deepEqual(r.body.rows, [["UTC"]]);
  });
});

/** POSTs SQL text with an Accept header; the response as it comes (its body unread). */
function postSql(handler: HttpHandler, sql: string, accept = "application/json", query = "") {
  return handler(
    new Request(`http://localhost/sql${query}`, {
      method: "POST",
      headers: { "content-type": "text/plain", accept },
      body: sql,
    }),
  );
}

/** A query whose rows fail at x = 3000, after a first batch of 2048 rows went out. */
const failsMidStream = "SELECT x, 6000 / (x - 3000) AS y FROM generate_series(1, 5000) AS g(x)";

Deno.test("sql: an error after streaming began ends the JSON with an error member", async () => {
  await withHandler(async (handler) => {
    const res = await postSql(handler, failsMidStream);
    assert.equal(res.status, 200, "the first rows went out before the error");
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ["columns", "rows", "error"]);
    assert.equal(body.error.code, "22012");
    assert.ok(body.rows.length >= 2048 && body.rows.length < 3000, String(body.rows.length));
    assert.deepEqual(body.rows[0], [1, -2]);
    // an error before the first row keeps its status
    const early = await postSql(handler, "SELECT 10 / (x - 1) FROM generate_series(1, 5000) g(x)");
    assert.equal(early.status, 400);
    assert.equal((await early.json()).error.code, "22012");
  });
});

Deno.test("sql: JSON Lines ends with an error line; CSV and Arrow bodies are aborted", async () => {
  await withHandler(async (handler) => {
    const jsonl = (await (await postSql(handler, failsMidStream, "application/jsonl")).text())
      .trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(jsonl[1], [1, -2]);
    assert.equal(jsonl.at(-1).error.code, "22012");
    assert.ok(jsonl.length > 2048);
    for (const accept of ["text/csv", "application/vnd.apache.arrow.stream"]) {
      const res = await postSql(handler, failsMidStream, accept);
      assert.equal(res.status, 200);
      await assert.rejects(res.arrayBuffer(), (e: unknown) => {
        assert.equal((e as { code?: string }).code, "22012", String(e));
        return true;
      });
    }
  });
});

Deno.test("sql: large results stream as rows are read: counts, Arrow batches, CSV lines", async () => {
  await withHandler(async (handler) => {
    const sql = "SELECT x, x * 0.5 AS f, 'h' || x AS h FROM generate_series(1, 10000) AS g(x)";
    const json = await (await postSql(handler, sql)).json();
    assert.equal(json.rows.length, 10000);
    assert.deepEqual(json.rows[9999], [10000, 5000, "h10000"]);
    assert.equal(json.rowCount, 10000);
    assert.equal(json.command, "SELECT 10000");
    assert.ok(json.timingMs.total >= 0);
    const csv = await (await postSql(handler, sql, "text/csv")).text();
    const lines = csv.split("\r\n");
    assert.equal(lines.length, 10002); // header, rows, and the empty string after the last CRLF
    assert.equal(lines[10000], "10000,5000.0,h10000");
    const { tableFromIPC } = await import("apache-arrow");
    const table = tableFromIPC(
      new Uint8Array(
        await (await postSql(handler, sql, "application/vnd.apache.arrow.stream")).arrayBuffer(),
      ),
    );
    assert.equal(table.numRows, 10000);
    assert.ok(table.batches.length >= 5, "one record batch per engine batch");
    assert.equal(table.getChild("h")!.get(9999), "h10000");
    const empty = tableFromIPC(
      new Uint8Array(
        await (await postSql(
          handler,
          "SELECT 1 AS one WHERE false",
          "application/vnd.apache.arrow.stream",
        ))
          .arrayBuffer(),
      ),
    );
    assert.equal(empty.numRows, 0);
    assert.deepEqual(empty.schema.fields.map((f) => f.name), ["one"]);
  });
});

Deno.test("sql: the query timeout applies while the body streams (57014 in the trailer)", async () => {
  await withHandler(async (handler) => {
    const res = await postSql(
      handler,
      "SELECT x FROM generate_series(1, 100000) AS g(x)",
      "application/jsonl",
      "?timeout_ms=100",
    );
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read(); // the columns line and the first rows
    await new Promise((r) => setTimeout(r, 300)); // a slow client
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const last = JSON.parse(text.trimEnd().split("\n").at(-1)!);
    assert.equal(last.error.code, "57014");
    assert.match(last.error.message, /statement timeout/);
  });
});

Deno.test("sql: a client that stops reading cancels the query and rolls back the message", async () => {
  const db = await Database.open({ memory: true });
  try {
    const handler = createHttpHandler({ db });
    await db.query("CREATE TABLE t (x INT)");
    const res = await postSql(
      handler,
      "INSERT INTO t VALUES (1); SELECT x FROM generate_series(1, 100000) AS g(x)",
    );
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal(db.stats().activeTransactions, 1, "the message's transaction is open");
    await reader.cancel(); // what Deno.serve does when the client disconnects
    assert.equal(db.stats().activeTransactions, 0);
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 0n);
  } finally {
    await db.close();
  }
});

Deno.test("sql: several statements in one request are one implicit transaction", async () => {
  await withHandler(async (handler) => {
    await postSql(handler, "CREATE TABLE t (x INT)");
    const bad = await postSql(
      handler,
      "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT 1/0",
    );
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "22012");
    const count = await (await postSql(handler, "SELECT count(*) FROM t")).json();
    assert.deepEqual(count.rows, [[0]], "the two inserts were rolled back with it");
    const good = await (await postSql(handler, "INSERT INTO t VALUES (1); SELECT count(*) FROM t"))
      .json();
    assert.deepEqual(good.rows, [[1]]);
  });
});

Deno.test("sql: the result-row limit (query.result_rows_max) applies to streamed results", async () => {
  const db = await Database.open({ memory: true, limits: { queryResultRowsMax: 3000 } });
  try {
    const handler = createHttpHandler({ db });
    const small = await postSql(handler, "SELECT x FROM generate_series(1, 3000) AS g(x)");
    assert.equal((await small.json()).rowCount, 3000);
    // over the limit in the first batch: an error response
    const early = await postSql(
      handler,
      "SELECT x FROM generate_series(1, 3000) AS g(x), (VALUES (1), (2)) v(y)",
    );
    assert.equal(early.status, 400);
    assert.equal((await early.json()).error.code, "54000");
    // over the limit later: the rows so far, then the error
    const late = await (await postSql(handler, "SELECT x FROM generate_series(1, 5000) AS g(x)"))
      .json();
    assert.equal(late.error.code, "54000");
    assert.equal(late.rows.length, 2048);
  } finally {
    await db.close();
  }
});
