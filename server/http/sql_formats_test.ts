// POST /sql result formats by Accept, through the handler (no socket) on the real engine.
import assert from "node:assert/strict";
import { tableFromIPC } from "apache-arrow";
import { Database } from "../../mod.ts";
import { createHttpHandler } from "./handler.ts";
import { negotiateSqlFormat } from "./sql_formats.ts";

const query = "SELECT id, name, v, ts, n FROM t ORDER BY id";

async function fetchAs(accept: string | null): Promise<Response> {
  const db = await Database.open({ memory: true });
  try {
    await db.query(
      "CREATE TABLE t (id INT, name TEXT, v DOUBLE PRECISION, ts TIMESTAMPTZ, n BIGINT)",
    );
    await db.query(
      `INSERT INTO t VALUES (1, 'a,"b"', 1.5, '2024-01-01 00:00:00.25+00', 9007199254740993),
       (2, '', 'NaN', NULL, NULL), (3, NULL, -0.5, 'infinity', -1)`,
    );
    const headers: Record<string, string> = { "content-type": "text/plain" };
    if (accept !== null) headers.accept = accept;
    const res = await createHttpHandler({ db })(
      new Request("http://localhost/sql", { method: "POST", headers, body: query }),
    );
    // read the body before the database closes
    const bytes = new Uint8Array(await res.arrayBuffer());
    return new Response(bytes, { status: res.status, headers: res.headers });
  } finally {
    await db.close();
  }
}

Deno.test("sql formats: Accept picks JSON Lines, with a columns line and a trailer", async () => {
  const res = await fetchAs("application/jsonl");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^application\/jsonl/);
  const lines = (await res.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines[0].columns.map((c: { type: string }) => c.type), [
    "int4",
    "text",
    "float8",
    "timestamptz",
    "int8",
  ]);
  assert.deepEqual(lines[1], [1, 'a,"b"', 1.5, "2024-01-01T00:00:00.250000Z", "9007199254740993"]);
  assert.deepEqual(lines[2], [2, "", "NaN", null, null]);
  assert.deepEqual(lines[4], { rowCount: 3, command: "SELECT 3", timingMs: lines[4].timingMs });
});

Deno.test("sql formats: CSV quotes as COPY does; NULL is empty, '' is quoted", async () => {
  const res = await fetchAs("text/csv");
  assert.match(res.headers.get("content-type")!, /^text\/csv/);
  assert.equal(
    await res.text(),
    'id,name,v,ts,n\r\n1,"a,""b""",1.5,2024-01-01 00:00:00.25+00,9007199254740993\r\n' +
      '2,"",NaN,,\r\n3,,-0.5,infinity,-1\r\n',
  );
});

Deno.test("sql formats: Arrow IPC stream keeps types; ±infinity timestamps are the int64 extremes", async () => {
  const res = await fetchAs("application/vnd.apache.arrow.stream");
  assert.equal(res.headers.get("content-type"), "application/vnd.apache.arrow.stream");
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  assert.equal(table.numRows, 3);
  assert.equal(table.getChild("n")!.get(0), 9007199254740993n);
  assert.equal(table.getChild("name")!.get(1), "");
  assert.equal(table.getChild("name")!.get(2), null);
  assert.ok(Number.isNaN(table.getChild("v")!.get(1)));
  const ts = table.getChild("ts")!;
  assert.equal(String(ts.type), "Timestamp<MICROSECOND, UTC>");
  // the column's type is fixed before the first batch: ±infinity is PostgreSQL's own encoding
  const micros = ts.data[0]!.values as BigInt64Array;
  assert.equal(micros[0], 1704067200250000n);
  assert.equal(ts.get(1), null);
  assert.equal(micros[2], 0x7fffffffffffffffn);
});

Deno.test("sql formats: an Accept naming nothing OmenDB sends is 406; q values and */* work", async () => {
  const res = await fetchAs("application/xml");
  assert.equal(res.status, 406);
  assert.equal((await res.json()).error.code, "22023");
  assert.equal(negotiateSqlFormat("text/csv;q=0.2, application/json;q=0.9"), "json");
  assert.equal(negotiateSqlFormat("*/*"), "json");
  assert.equal(negotiateSqlFormat("application/x-ndjson"), "jsonl");
  assert.equal(negotiateSqlFormat("text/csv;q=0, application/jsonl"), "jsonl");
});
