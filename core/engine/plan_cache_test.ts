// The plan cache: one generic plan per parsed query, run with each execution's parameter values,
// and bound again whenever what it was bound under changes.
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";
import { defaultLimits } from "../limits.ts";
import type { Value } from "../types/column.ts";

async function fails(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof DbError && e.code === code);
}

const point = "SELECT v FROM cpu WHERE hostname = $1 AND time = $2";

/** A durable table of 4 hosts x 100 readings, checkpointed into Parquet segments. */
async function cpu(): Promise<Database> {
  const db = await Database.open({
    path: "/pc",
    env: { ...realEnv(), fs: new MemoryFileSystem() },
  });
  await db.query(
    "CREATE TABLE cpu (hostname TEXT, time TIMESTAMPTZ, v DOUBLE PRECISION) " +
      "WITH (timestamp = 'time', partition_by = 'day', dedup_keys = 'hostname')",
  );
  await db.query(
    "INSERT INTO cpu SELECT 'host_' || (i % 4), TIMESTAMPTZ '2016-01-01' + (i / 4) * " +
      "INTERVAL '1 hour', i FROM generate_series(0, 399) AS g(i)",
  );
  await db.query("CHECKPOINT");
  return db;
}

Deno.test("plan cache: one plan serves every execution of a query, with that execution's values", async () => {
  const db = await cpu();
  const s = db.session();
  const before = db.stats();
  for (let i = 0; i < 400; i += 37) {
    const host = `host_${i % 4}`;
    const time = new Date(Date.UTC(2016, 0, 1) + Math.floor(i / 4) * 3_600_000).toISOString();
    assert.deepEqual((await s.query(point, [host, time])).rows, [[i]], `${host} ${time}`);
    // no such reading: the pruning by this execution's values must not keep a stale one
    assert.deepEqual((await s.query(point, [host, "2015-12-31T00:00:00Z"])).rows, []);
  }
  const after = db.stats();
  assert.equal(after.planCacheMisses - before.planCacheMisses, 1);
  assert.equal(after.planCacheHits - before.planCacheHits, 21);
  // a range with parameters, an aggregate, and the parameter in the select list
  assert.deepEqual(
    (await s.query(
      "SELECT $3 || hostname, count(*), max(v) FROM cpu WHERE time >= $1 AND time < $2 " +
        "GROUP BY hostname ORDER BY 1",
      ["2016-01-02T00:00:00Z", "2016-01-02T02:00:00Z", "h:"],
    )).rows,
    [["h:host_0", 2n, 100], ["h:host_1", 2n, 101], ["h:host_2", 2n, 102], ["h:host_3", 2n, 103]],
  );
  // a value that is not a timestamp fails this execution only
  await fails(s.query(point, ["host_0", "yesterday-ish"]), "22007");
  assert.deepEqual((await s.query(point, ["host_1", "2016-01-01T00:00:00Z"])).rows, [[1]]);
  await s.close();
  await db.close();
});

Deno.test("plan cache: parameter types, values read while binding, now() and sequences", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (3), (1), (2)");
  await db.query("CREATE SEQUENCE q");
  const one = async (sql: string, params: Value[] = []) => {
    const r = await db.query(sql, params);
    return { type: r.columns[0]!.type.kind, rows: r.rows };
  };
  // the same text with a number, then a string: bound again for the other type
  assert.deepEqual(await one("SELECT $1", [7]), { type: "int4", rows: [[7]] });
  assert.deepEqual(await one("SELECT $1", ["a"]), { type: "text", rows: [["a"]] });
  assert.deepEqual(await one("SELECT $1", [8]), { type: "int4", rows: [[8]] });
  // LIMIT reads its value while binding: that plan is not kept
  assert.deepEqual((await one("SELECT x FROM t ORDER BY x LIMIT $1", ["1"])).rows, [[1]]);
  assert.deepEqual((await one("SELECT x FROM t ORDER BY x LIMIT $1", ["2"])).rows, [[1], [2]]);
  // now() is the statement's time, and nextval moves the sequence every time
  const t1 = (await one("SELECT now()")).rows[0]![0] as number;
  await new Promise((r) => setTimeout(r, 5));
  const t2 = (await one("SELECT now()")).rows[0]![0] as number;
  assert.ok(t2 > t1, `${t2} > ${t1}`);
  assert.deepEqual((await one("SELECT nextval('q')")).rows, [[1n]]);
  assert.deepEqual((await one("SELECT nextval('q')")).rows, [[2n]]);
  await db.close();
});

Deno.test("plan cache: schema changes, time zone, search_path and row estimates bind again", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
  assert.deepEqual((await db.query("SELECT * FROM t")).rows, [[1]]);
  await db.query("ALTER TABLE t ADD COLUMN y TEXT DEFAULT 'd'");
  assert.deepEqual((await db.query("SELECT * FROM t")).rows, [[1, "d"]]);
  await db.query("DROP TABLE t; CREATE TABLE t (z TEXT); INSERT INTO t VALUES ('new')");
  assert.deepEqual((await db.query("SELECT * FROM t")).rows, [["new"]]);
  // a literal read in the session time zone
  const literal = "SELECT TIMESTAMPTZ '2020-01-01 00:00:00'";
  const utc = (await db.query(literal)).rows[0]![0];
  await db.query("SET TIME ZONE '+02'");
  const east = (await db.query(literal)).rows[0]![0];
  assert.equal(Number(utc) - Number(east), 2 * 3_600_000_000);
  // the same name in another schema of the search path
  await db.query("CREATE SCHEMA s; CREATE TABLE s.t (z TEXT); INSERT INTO s.t VALUES ('in s')");
  assert.deepEqual((await db.query("SELECT z FROM t")).rows, [["new"]]);
  await db.query("SET search_path = s, public");
  assert.deepEqual((await db.query("SELECT z FROM t")).rows, [["in s"]]);
  // a table that grew past twice its planned size is planned again (its join order may change)
  await db.query("CREATE TABLE big (k INTEGER)");
  const join = "SELECT count(*) FROM public.t, big WHERE big.k > 0";
  await db.query(join);
  await db.query("INSERT INTO big SELECT i FROM generate_series(1, 1000) AS g(i)");
  const misses = db.stats().planCacheMisses;
  assert.deepEqual((await db.query(join)).rows, [[1000n]]);
  assert.equal(db.stats().planCacheMisses, misses + 1);
  await db.close();
});

Deno.test("plan cache: planCacheEntriesMax bounds it; 0 turns it off", async () => {
  for (const planCacheEntriesMax of [0, 2]) {
    const db = await Database.open({
      memory: true,
      limits: { ...defaultLimits, planCacheEntriesMax },
    });
    for (let round = 0; round < 2; round++) {
      for (const n of [1, 2, 3]) assert.deepEqual((await db.query(`SELECT ${n}`)).rows, [[n]]);
    }
    const s = db.stats();
    assert.equal(s.planCacheEntries, planCacheEntriesMax);
    // with two entries and three texts used in turn, the least recently used is always gone
    assert.equal(s.planCacheHits, 0);
    await db.close();
  }
});
