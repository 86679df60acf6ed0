import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { type Env, MemoryFileSystem, realEnv } from "../env/mod.ts";
import type { Value } from "../types/column.ts";

async function fixture(db: Database): Promise<void> {
  await db.query(
    "CREATE TABLE t (x INTEGER, s TEXT, d DOUBLE PRECISION); " +
      "INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (0, NULL, -3), (7, 'c', 2e10)",
  );
}

Deno.test("querySync answers cached scan/filter/project/limit plans as queryAll does", async () => {
  const db = await Database.open({ memory: true });
  await fixture(db);
  const s = db.session();
  const cases: [string, Value[]][] = [
    ["SELECT 1", []],
    ["SELECT 1 + $1::int, upper($2)", [41, "x"]],
    ["VALUES (1, 'a'), (2, NULL)", []],
    ["SELECT x, s FROM t", []],
    ["SELECT s FROM t WHERE x = $1", [2]],
    ["SELECT s FROM t WHERE x = $1", [9]],
    ["SELECT x * 2, d FROM t WHERE d IS NOT NULL AND x > 0", []],
    ["SELECT x FROM t LIMIT 2 OFFSET 1", []],
    ["SELECT x FROM t WHERE 1 = 2", []],
    ["SELECT * FROM (SELECT x + 1 AS y FROM t) u WHERE y > 2", []],
  ];
  const seen = new Set<string>();
  for (const [sql, params] of cases) {
    if (!seen.has(sql)) assert.equal(s.querySync(sql, params), null, `${sql}: not planned yet`);
    seen.add(sql);
    const expected = await s.queryAll(sql, params);
    const got = s.querySync(sql, params);
    assert.notEqual(got, null, `${sql}: runs synchronously once planned`);
    assert.deepEqual(got, expected, sql);
  }
  await s.close();
  await db.close();
});

Deno.test("querySync declines what only the asynchronous path decides; the session stays usable", async () => {
  const db = await Database.open({ memory: true });
  await fixture(db);
  const s = db.session();
  const declined = [
    "SELECT count(*) FROM t", // an aggregate
    "SELECT x FROM t ORDER BY x", // a sort
    "SELECT x FROM t WHERE x IN (SELECT x FROM t)", // a subquery
    "SELECT x FROM t WHERE 10 / x > 1", // an error: the asynchronous path raises it
    // an error in a batch: the asynchronous path decides which rows before it come out (here
    // the first row passes and the LIMIT stops before the failing one)
    "SELECT x FROM t WHERE 10 / x > 1 LIMIT 1",
    "SELECT now()", // volatile: never cached
  ];
  for (const sql of declined) {
    await s.queryAll(sql).catch(() => {});
    assert.equal(s.querySync(sql), null, sql);
  }
  // a failing query's error comes from queryAll
  await assert.rejects(s.queryAll("SELECT x FROM t WHERE 10 / x > 1"), { code: "22012" });
  assert.deepEqual((await s.queryAll("SELECT x FROM t WHERE 10 / x > 1 LIMIT 1"))[0]!.rows, [[1]]);
  // inside a transaction block: declined (the block's snapshot and own rows apply)
  await s.queryAll("SELECT x FROM t WHERE x = 7");
  assert.deepEqual(s.querySync("SELECT x FROM t WHERE x = 7")![0]!.rows, [[7]]);
  await s.query("BEGIN");
  assert.equal(s.querySync("SELECT x FROM t WHERE x = 7"), null);
  await s.query("INSERT INTO t VALUES (7, 'own', 0)");
  assert.equal((await s.query("SELECT x FROM t WHERE x = 7")).rows.length, 2);
  await s.query("ROLLBACK");
  assert.deepEqual(s.querySync("SELECT x FROM t WHERE x = 7")![0]!.rows, [[7]]);
  // multi-statement text and DDL are declined
  assert.equal(s.querySync("SELECT 1; SELECT 2"), null);
  assert.equal(s.querySync("CREATE TABLE u (y INT)"), null);
  // a schema change invalidates the cached plan
  await s.query("ALTER TABLE t ADD COLUMN e INT");
  assert.equal(s.querySync("SELECT x FROM t WHERE x = 7"), null);
  // the activity view shows the last query, idle again
  await s.queryAll("SELECT x FROM t WHERE x = 7");
  assert.notEqual(s.querySync("SELECT x FROM t WHERE x = 7"), null);
  assert.equal(s.activity.state, "idle");
  assert.equal(s.activity.query, "SELECT x FROM t WHERE x = 7");
  await s.close();
  assert.equal(s.querySync("SELECT 1"), null, "a closed session declines");
  await db.close();
});

Deno.test("querySync over Parquet segments: a cold segment defers to queryAll, then runs synchronously", async () => {
  const env: Env = { ...realEnv(), fs: new MemoryFileSystem() };
  const open = () => Database.open({ path: "/db", env });
  let db = await open();
  await db.query(
    "CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage DOUBLE PRECISION) " +
      "WITH (timestamp = 'ts', partition_by = 'day', dedup_keys = 'host')",
  );
  await db.query(
    "INSERT INTO cpu SELECT timestamptz '2016-01-01' + g * interval '1 minute', 'h' || (g % 5), g " +
      "FROM generate_series(0, 2999) AS g",
  );
  await db.query("CHECKPOINT");
  await db.close();
  db = await open(); // nothing of the segment is in memory now
  const s = db.session();
  const sql = "SELECT usage FROM cpu WHERE host = $1 AND ts = $2";
  const params = ["h3", "2016-01-01 00:08:00+00"];
  const expected = await s.queryAll(sql, params);
  assert.deepEqual(expected[0]!.rows, [[8]]);
  // the async run loaded what the point lookup reads; the synchronous path now answers
  assert.deepEqual(s.querySync(sql, params), expected);
  assert.deepEqual(s.querySync(sql, ["h4", "2016-01-01 00:09:00+00"])![0]!.rows, [[9]]);
  // rows in the memtable over the same partition: which rows replace which (dedup_keys) is
  // worked out asynchronously, so the query defers, and queryAll sees the new row
  await db.query("INSERT INTO cpu VALUES ('2016-01-01 00:08:00+00', 'h3', -1)");
  assert.equal(s.querySync(sql, params), null);
  assert.deepEqual((await s.queryAll(sql, params))[0]!.rows, [[-1]]);
  await s.close();
  await db.close();
});
