/**
 * The PostgreSQL protocol server against node-postgres and hand-built protocol messages, over
 * real sockets on 127.0.0.1.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { Database } from "../../mod.ts";
import { PgServer, type PgServerOptions } from "./mod.ts";
import {
  concat,
  dataRowValues,
  errorFields,
  errorText,
  message,
  RawClient,
  startupPacket,
} from "./_raw_client.ts";
import { typeOids } from "./values.ts";

interface PgResult {
  command: string;
  rowCount: number | null;
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
}
interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(text: string | Record<string, unknown>, values?: unknown[]): Promise<PgResult>;
  on(event: string, fn: (...args: unknown[]) => void): void;
  processID: number;
  secretKey: number;
}
type ClientCtor = new (config: Record<string, unknown>) => PgClient;
const Client = (pg as unknown as { Client: ClientCtor }).Client;
const Pool = (pg as unknown as {
  Pool: new (config: Record<string, unknown>) => {
    query(text: string, values?: unknown[]): Promise<PgResult>;
    end(): Promise<void>;
  };
}).Pool;

async function withServer(
  fn: (server: PgServer, db: Database) => Promise<void>,
  options: Partial<PgServerOptions> = {},
): Promise<void> {
  const db = await Database.open({ memory: true });
  const server = await PgServer.listen({ db, host: "127.0.0.1", port: 0, ...options });
  try {
    await fn(server, db);
  } finally {
    await server.close({ graceMs: 1000 });
    await db.close();
  }
  assert.equal(server.connectionCount, 0);
}

async function client(server: PgServer, extra: Record<string, unknown> = {}): Promise<PgClient> {
  const c = new Client({
    host: "127.0.0.1",
    port: server.port,
    user: "omendb",
    database: "omendb",
    ...extra,
  });
  c.on("error", () => {});
  await c.connect();
  return c;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("pgwire: node-postgres simple and extended queries, errors and recovery", async () => {
  await withServer(async (server) => {
    const c = await client(server);
    try {
      await c.query("CREATE TABLE t (x INTEGER, s TEXT)");
      const ins = await c.query("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL)");
      assert.equal(ins.command, "INSERT");
      assert.equal(ins.rowCount, 3);
      // extended (parameters), text results parsed by type
      const r = await c.query("SELECT x, s FROM t WHERE x >= $1 ORDER BY x", [2]);
      assert.deepEqual(r.rows, [{ x: 2, s: "b" }, { x: 3, s: null }]);
      assert.deepEqual(r.fields.map((f) => f.dataTypeID), [23, 25]);
      // several statements in one simple query: one result each
      const multi = await c.query("SELECT 1 AS a; SELECT 'z' AS b") as unknown as PgResult[];
      assert.deepEqual(multi.map((m) => m.rows), [[{ a: 1 }], [{ b: "z" }]]);
      // empty query
      const empty = await c.query("");
      assert.equal(empty.rows.length, 0);
      // errors carry SQLSTATE and a 1-based position
      const err = await c.query("SELECT nope FROM t").catch((e) => e);
      assert.equal(err.code, "42703");
      assert.equal(err.position, "8");
      // pipelined: the middle one fails, the others are answered and the session goes on
      const [a, b, d] = await Promise.allSettled([
        c.query("SELECT 1 AS one"),
        c.query("SELECT 1/0"),
        c.query("SELECT $1::int AS two", [2]),
      ]);
      assert.equal(a.status, "fulfilled");
      assert.equal(b.status === "rejected" && (b.reason as { code: string }).code, "22012");
      assert.deepEqual(d.status === "fulfilled" && d.value.rows, [{ two: 2 }]);
      // a failed block answers 25P02 until ROLLBACK
      await c.query("BEGIN");
      assert.equal(await codeOf(c.query("SELECT 1/0")), "22012");
      assert.equal(await codeOf(c.query("SELECT 1")), "25P02");
      await c.query("ROLLBACK");
      assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM t")).rows, [{ n: 3 }]);
      // two statements in one message are one implicit transaction, as in PostgreSQL: the
      // second fails, so the first one's INSERT is rolled back
      assert.equal(await codeOf(c.query("INSERT INTO t VALUES (4, 'd'); SELECT 1/0")), "22012");
      assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM t")).rows, [{ n: 3 }]);
      // and both are kept when both succeed
      await c.query("INSERT INTO t VALUES (4, 'd'); SELECT 1");
      assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM t")).rows, [{ n: 4 }]);
    } finally {
      await c.end();
    }
  });
});

Deno.test("pgwire: parameters and results of every type, text and binary", async () => {
  await withServer(async (server) => {
    const c = await client(server);
    try {
      await c.query(
        "CREATE TABLE v (b BOOLEAN, i2 SMALLINT, i4 INTEGER, i8 BIGINT, f4 REAL, f8 DOUBLE PRECISION, " +
          "n NUMERIC, t TEXT, vc VARCHAR(10), ts TIMESTAMP, tz TIMESTAMPTZ, d DATE, iv INTERVAL)",
      );
      const values = [
        true,
        -12,
        123456,
        "9007199254740993",
        1.5,
        -2.25,
        "-12345.006700",
        "héllo",
        "vc",
        "2024-02-29 12:34:56.789012",
        "2024-02-29 12:34:56.5+00",
        "2024-02-29",
        "1 year 2 mons 3 days 04:05:06.5",
      ];
      await c.query(
        `INSERT INTO v VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")})`,
        values,
      );
      await c.query(
        "INSERT INTO v VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
      );
      const text = await c.query({
        text: "SELECT * FROM v ORDER BY b",
        rowMode: "array",
        types: { getTypeParser: () => (s: string) => s },
      });
      assert.deepEqual(text.rows[0], [
        "t",
        "-12",
        "123456",
        "9007199254740993",
        "1.5",
        "-2.25",
        "-12345.006700",
        "héllo",
        "vc",
        "2024-02-29 12:34:56.789012",
        "2024-02-29 12:34:56.5+00",
        "2024-02-29",
        "1 year 2 mons 3 days 04:05:06.5",
      ]);
      assert.deepEqual(text.rows[1], Array(13).fill(null));
      assert.deepEqual(
        text.fields.map((f) => f.dataTypeID),
        [16, 21, 23, 20, 700, 701, 1700, 25, 1043, 1114, 1184, 1082, 1186],
      );
      // binary results, decoded by node-postgres's binary parsers
      const bin = await c.query({
        text: "SELECT b, i2, i4, i8, f4, f8, t, vc, tz, d FROM v ORDER BY b",
        rowMode: "array",
        binary: true,
      });
      const row = bin.rows[0] as unknown[];
      assert.deepEqual(row.slice(0, 8), [
        true,
        -12,
        123456,
        "9007199254740993",
        1.5,
        -2.25,
        "héllo",
        "vc",
      ]);
      assert.equal((row[8] as Date).toISOString(), "2024-02-29T12:34:56.500Z");
    } finally {
      await c.end();
    }
    // binary parameters of declared types, and binary results, byte for byte
    const raw = await RawClient.connect(server.port);
    try {
      const cases: [number, Uint8Array, string][] = [
        [typeOids.bool, new Uint8Array([1]), "t"],
        [typeOids.int2, be(2, -7), "-7"],
        [typeOids.int4, be(4, 70000), "70000"],
        [typeOids.int8, be8(-9007199254740993n), "-9007199254740993"],
        [typeOids.float4, f32(0.25), "0.25"],
        [typeOids.float8, f64(-1e300), "-1e+300"],
        [typeOids.numeric, numericBytes(1, 0x4000, 3, [12, 3456, 7000]), "-123456.700"],
        [typeOids.text, new TextEncoder().encode("x y"), "x y"],
        [typeOids.varchar, new TextEncoder().encode("vv"), "vv"],
        [typeOids.date, be(4, 366), "2001-01-01"],
        [typeOids.timestamp, be8(1_000_000n), "2000-01-01 00:00:01"],
        [typeOids.timestamptz, be8(-1n), "1999-12-31 23:59:59.999999+00"],
        [
          typeOids.interval,
          concat(be8(3_600_000_000n), be(4, 2), be(4, 14)),
          "1 year 2 mons 2 days 01:00:00",
        ],
      ];
      const names: Record<number, string> = {
        16: "bool",
        21: "int2",
        23: "int4",
        20: "int8",
        700: "float4",
        701: "float8",
        1700: "numeric",
        25: "text",
        1043: "varchar",
        1082: "date",
        1114: "timestamp",
        1184: "timestamptz",
        1186: "interval",
      };
      for (const [oid, bytes, expected] of cases) {
        // the cast names the result type (the engine types an uncast parameter by its value)
        const sql = `SELECT $1::${names[oid]}`;
        await raw.send(concat(
          message("P", (w) => w.cstring("").cstring(sql).int16(1).int32(oid)),
          message(
            "B",
            (w) =>
              w.cstring("").cstring("").int16(1).int16(1).int16(1).int32(bytes.length).bytes(bytes)
                .int16(1).int16(0),
          ),
          message("E", (w) => w.cstring("").int32(0)),
          message("P", (w) => w.cstring("").cstring(sql).int16(1).int32(oid)),
          message(
            "B",
            (w) =>
              w.cstring("").cstring("").int16(1).int16(1).int16(1).int32(bytes.length).bytes(bytes)
                .int16(1).int16(1),
          ),
          message("E", (w) => w.cstring("").int32(0)),
          message("S", () => {}),
        ));
        const msgs = await raw.untilReady();
        assert.equal(errorText(msgs), "", `oid ${oid}`);
        const rows = msgs.filter((m) => m.type === "D").map((m) => dataRowValues(m.body)[0]!);
        assert.equal(new TextDecoder().decode(rows[0]!), expected, `text of oid ${oid}`);
        {
          assert.deepEqual(rows[1], bytes, `binary of oid ${oid}`);
        }
      }
    } finally {
      raw.close();
    }
  });
});

function be(bytes: 2 | 4, v: number): Uint8Array {
  const b = new Uint8Array(bytes);
  if (bytes === 2) new DataView(b.buffer).setInt16(0, v);
  else new DataView(b.buffer).setInt32(0, v);
  return b;
}
function be8(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v);
  return b;
}
function f32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v);
  return b;
}
function f64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return b;
}
function numericBytes(
  weight: number,
  sign: number,
  dscale: number,
  digits: number[],
): Uint8Array {
  return concat(
    be(2, digits.length),
    be(2, weight),
    be(2, sign === 0x4000 ? 0x4000 : 0),
    be(2, dscale),
    ...digits.map((d) => be(2, d)),
  );
}

Deno.test("pgwire: a prepared statement reused 10,000 times; Describe; Execute with a row limit", async () => {
  await withServer(async (server) => {
    const c = await client(server);
    try {
      await c.query("CREATE TABLE p (k INTEGER, v TEXT)");
      await c.query("INSERT INTO p SELECT g, 'v' || g FROM generate_series(1, 100) AS s(g)");
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        const r = await c.query({
          name: "point",
          text: "SELECT v FROM p WHERE k = $1",
          values: [(i % 100) + 1],
        });
        sum += r.rows.length;
        if (i === 9_999) assert.deepEqual(r.rows, [{ v: "v100" }]);
      }
      assert.equal(sum, 10_000);
    } finally {
      await c.end();
    }
    const raw = await RawClient.connect(server.port);
    try {
      // Describe statement: inferred parameter types and the row description, nothing run
      await raw.send(concat(
        message(
          "P",
          (w) => w.cstring("s1").cstring("SELECT v, k FROM p WHERE k = $1 AND v = $2").int16(0),
        ),
        message("D", (w) => w.int8("S".charCodeAt(0)).cstring("s1")),
        message(
          "B",
          (w) =>
            w.cstring("c1").cstring("s1").int16(0).int16(2).int32(1).text("5").int32(2).text("v5")
              .int16(0),
        ),
        message("E", (w) => w.cstring("c1").int32(0)),
        message("P", (w) => w.cstring("").cstring("SELECT k FROM p ORDER BY k").int16(0)),
        message("B", (w) => w.cstring("cur").cstring("").int16(0).int16(0).int16(0)),
        message("E", (w) => w.cstring("cur").int32(40)),
        message("E", (w) => w.cstring("cur").int32(40)),
        message("E", (w) => w.cstring("cur").int32(40)),
        message("C", (w) => w.int8("S".charCodeAt(0)).cstring("s1")),
        message("S", () => {}),
      ));
      const msgs = await raw.untilReady();
      assert.equal(errorText(msgs), "");
      const types = msgs.map((m) => m.type).join("");
      assert.equal(
        types,
        "1" + "tT" + "2" + "DC" + "12" + "D".repeat(40) + "s" + "D".repeat(40) + "s" +
          "D".repeat(20) + "C" + "3" + "Z",
      );
      const pd = msgs.find((m) => m.type === "t")!.body;
      assert.deepEqual([...pd], [0, 2, 0, 0, 0, 23, 0, 0, 0, 25]);
      const tags = msgs.filter((m) => m.type === "C").map((m) =>
        new TextDecoder().decode(m.body.subarray(0, -1))
      );
      assert.deepEqual(tags, ["SELECT 1", "SELECT 20"]);
      // an error in extended mode skips to Sync
      await raw.send(concat(
        message("P", (w) => w.cstring("").cstring("SELECT 1/0").int16(0)),
        message("B", (w) => w.cstring("").cstring("").int16(0).int16(0).int16(0)),
        message("E", (w) => w.cstring("").int32(0)),
        message("P", (w) => w.cstring("").cstring("SELECT 1").int16(0)),
        message("S", () => {}),
      ));
      const after = await raw.untilReady();
      assert.deepEqual(after.map((m) => m.type), ["1", "2", "E", "Z"]);
      assert.equal(errorFields(after[2]!.body).C, "22012");
    } finally {
      raw.close();
    }
  });
});

Deno.test("pgwire: a pool of 100 clients; 53300 beyond the limit, the others keep working", async () => {
  await withServer(async (server) => {
    const pool = new Pool({
      host: "127.0.0.1",
      port: server.port,
      user: "omendb",
      database: "omendb",
      max: 100,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => pool.query("SELECT $1::int AS i", [i])),
      );
      assert.deepEqual(
        results.map((r) => (r.rows[0] as { i: number }).i),
        Array.from({ length: 300 }, (_, i) => i),
      );
    } finally {
      await pool.end();
    }
    await until(() => server.connectionCount === 0);
  }, { maxConnections: 100 });
  await withServer(async (server) => {
    const held = await Promise.all(Array.from({ length: 3 }, () => client(server)));
    const refused = await client(server).then(() => "connected", (e) => e.code);
    assert.equal(refused, "53300");
    assert.equal(server.stats().refused, 1);
    for (const c of held) assert.equal((await c.query("SELECT 1 AS x")).rows.length, 1);
    await held[0]!.end();
    await until(() => server.connectionCount === 2);
    const again = await client(server);
    await again.end();
    await Promise.all(held.slice(1).map((c) => c.end()));
  }, { maxConnections: 3 });
});

Deno.test("pgwire: cancel a waiting query from another connection (57014); statement_timeout", async () => {
  await withServer(async (server) => {
    const a = await client(server);
    const b = await client(server);
    try {
      await a.query("CREATE TABLE k (id INTEGER PRIMARY KEY, v INTEGER)");
      await a.query("INSERT INTO k VALUES (1, 0)");
      await a.query("BEGIN");
      await a.query("UPDATE k SET v = 1 WHERE id = 1");
      const waiting = b.query("UPDATE k SET v = 2 WHERE id = 1");
      await new Promise((r) => setTimeout(r, 100));
      // what pg_stat_activity will show: b runs its statement, a idles in its block
      const activity = server.activity();
      assert.equal(activity.length, 2);
      const [pa, pb] = [
        activity.find((x) => x.pid === a.processID),
        activity.find((x) => x.pid === b.processID),
      ];
      assert.equal(pa?.state, "idle in transaction");
      assert.equal(pa?.query, "UPDATE k SET v = 1 WHERE id = 1");
      assert.equal(pb?.state, "active");
      assert.equal(pb?.query, "UPDATE k SET v = 2 WHERE id = 1");
      assert.equal(pb?.user, "omendb");
      assert.equal(pb?.clientAddress?.replace(/^::ffff:/, ""), "127.0.0.1");
      const cancelled = codeOf(waiting);
      // a CancelRequest with b's pid but a wrong secret cancels nothing
      const wrong = await RawClient.open(server.port);
      await wrong.send(
        concat(be(4, 16), be(4, 80877102), be(4, b.processID), be(4, b.secretKey ^ 1)),
      );
      assert.equal(await wrong.next(), null, "a cancel request gets no answer, only a close");
      wrong.close();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await Promise.race([cancelled, Promise.resolve("pending")]), "pending");
      // pg's own cancel: a new connection sending CancelRequest with b's key
      const canceller = new Client({
        host: "127.0.0.1",
        port: server.port,
        user: "omendb",
        database: "omendb",
      });
      (canceller as unknown as { cancel(c: PgClient, q: unknown): void }).cancel(
        b,
        (b as unknown as { activeQuery: unknown }).activeQuery,
      );
      assert.equal(await cancelled, "57014");
      // statement_timeout ends a wait too
      await b.query("SET statement_timeout = 200");
      const t0 = Date.now();
      assert.equal(await codeOf(b.query("UPDATE k SET v = 3 WHERE id = 1")), "57014");
      assert.ok(Date.now() - t0 >= 150);
      await a.query("COMMIT");
      await b.query("SET statement_timeout = 0");
      assert.deepEqual((await b.query("SELECT v FROM k")).rows, [{ v: 1 }]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});

Deno.test("pgwire: startup: wrong database 3D000, SSLRequest without TLS gets N, idle session timeout", async () => {
  await withServer(async (server) => {
    const code = await client(server, { database: "other" }).then(() => "ok", (e) => e.code);
    assert.equal(code, "3D000");
    const raw = await RawClient.open(server.port);
    await raw.send(concat(be(4, 8), be(4, 80877103)));
    assert.equal(await raw.byte(), "N"); // one byte, not a message
    await raw.send(concat(be(4, 8), be(4, 80877104))); // GSSENCRequest: declined too
    assert.equal(await raw.byte(), "N");
    await raw.send(startupPacket({ user: "omendb", database: "omendb", application_name: "t" }));
    const startup = await raw.untilReady();
    assert.equal(startup.at(-1)?.type, "Z");
    const statuses = startup.filter((m) => m.type === "S").map((m) =>
      new TextDecoder().decode(m.body).split("\0").slice(0, 2).join("=")
    );
    for (
      const s of [
        "server_version=15.0 (OmenDB 0.1.0)",
        "client_encoding=UTF8",
        "DateStyle=ISO, MDY",
        "integer_datetimes=on",
        "standard_conforming_strings=on",
        "application_name=t",
        "TimeZone=UTC",
      ]
    ) assert.ok(statuses.includes(s), s);
    assert.ok(startup.some((m) => m.type === "K"));
    raw.close();
    const idle = await client(server);
    const closed = new Promise((r) => idle.on("error", r));
    const err = await closed as { code: string };
    assert.equal(err.code, "57P05");
  }, { idleSessionTimeoutMs: 200 });
});

Deno.test("pgwire: SCRAM-SHA-256 login; a wrong password is 28P01 without detail", async () => {
  const { createScramAuth } = await import("../../plugins/auth/mod.ts");
  const db = await Database.open({ memory: true });
  await db.query("CREATE USER ann WITH PASSWORD 'secret pw'");
  const server = await PgServer.listen({
    db,
    host: "127.0.0.1",
    port: 0,
    auth: {
      required: true,
      trustLoopback: false,
      method: "scram-sha-256",
      plugin: createScramAuth(),
      directory: db.authDirectory(),
    },
  });
  try {
    const ok = await client(server, { user: "ann", password: "secret pw" });
    assert.deepEqual((await ok.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    await ok.end();
    for (const [user, password] of [["ann", "wrong"], ["nobody", "secret pw"]]) {
      const e = await client(server, { user, password }).then(() => null, (x) => x);
      assert.equal(e?.code, "28P01");
      assert.equal(e?.message, `password authentication failed for user "${user}"`);
      assert.equal(e?.detail, undefined);
    }
  } finally {
    await server.close();
    await db.close();
  }
});

Deno.test("pgwire: a Grafana-style time-series panel query ($__timeGroupAlias, $__timeFilter) over the extended protocol", async () => {
  await withServer(async (server) => {
    const c = await client(server);
    try {
      await c.query(
        "CREATE TABLE cpu (time TIMESTAMPTZ NOT NULL, hostname TEXT, usage_user DOUBLE PRECISION)",
      );
      await c.query(
        "INSERT INTO cpu SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * interval '10 seconds', " +
          "'host_' || (g % 2), g FROM generate_series(0, 359) AS s(g)",
      );
      // what Grafana's PostgreSQL data source sends for `$__timeGroupAlias(time, 5m)` and
      // `$__timeFilter(time)` over the last hour of this data
      const r = await c.query({
        text:
          `SELECT floor(extract(epoch from "time")/300)*300 AS "time", avg(usage_user) AS "usage_user"
FROM cpu
WHERE "time" BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-01T00:59:59Z' AND hostname = $1
GROUP BY 1
ORDER BY 1`,
        values: ["host_0"],
        rowMode: "array",
      });
      assert.deepEqual(r.fields.map((f) => f.name), ["time", "usage_user"]);
      assert.equal(r.rows.length, 12);
      const epoch0 = Date.parse("2024-01-01T00:00:00Z") / 1000;
      assert.deepEqual((r.rows[0] as unknown[]).map(Number), [epoch0, 14]);
      assert.deepEqual((r.rows[11] as unknown[]).map(Number), [epoch0 + 3300, 344]);
      // $__timeGroup with date_trunc, the other common shape
      const d = await c.query(
        `SELECT date_trunc('minute', "time") AS "time", count(*)::int AS n FROM cpu ` +
          `WHERE "time" >= $1 AND "time" < $2 GROUP BY 1 ORDER BY 1`,
        ["2024-01-01T00:00:00Z", "2024-01-01T00:03:00Z"],
      );
      assert.deepEqual(d.rows.map((row) => (row as { n: number }).n), [6, 6, 6]);
      assert.equal((d.rows[0] as { time: Date }).time.toISOString(), "2024-01-01T00:00:00.000Z");
    } finally {
      await c.end();
    }
  });
});

Deno.test("pgwire: a session ended by idle_in_transaction_session_timeout closes its connection (FATAL)", async () => {
  await withServer(async (server) => {
    const c = await client(server);
    const closed = new Promise<unknown>((r) => c.on("error", r));
    await c.query("SET idle_in_transaction_session_timeout = 100");
    await c.query("BEGIN");
    await new Promise((r) => setTimeout(r, 300));
    const code = await codeOf(c.query("SELECT 1"));
    assert.equal(code, "25P03");
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("the connection stayed open")), 3000)
    );
    await Promise.race([closed, timeout]);
    await until(() => server.connectionCount === 0);
  });
});
