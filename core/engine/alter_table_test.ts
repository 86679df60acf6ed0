/**
 * ALTER TABLE end to end: ADD / DROP / RENAME COLUMN, RENAME TO, ALTER COLUMN SET / DROP DEFAULT
 * and SET / DROP NOT NULL, their errors, indexes and views over changed columns, and WAL replay
 * of all of it. Expected answers and codes were checked against PostgreSQL 15.
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { ManualClock, realEnv } from "../env/mod.ts";
import type { Value } from "../types/column.ts";

function plain(rows: readonly (readonly Value[])[]): unknown[][] {
  return rows.map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
}

async function check(db: Database, sql: string, want: unknown[][]): Promise<void> {
  assert.deepEqual(plain((await db.query(sql)).rows), want, sql);
}

async function fails(db: Database, sql: string, code: string, message?: string): Promise<void> {
  await assert.rejects(
    db.query(sql),
    (e: unknown) =>
      e instanceof DbError && e.code === code && (message === undefined || e.message === message),
    sql,
  );
}

async function columns(db: Database, table: string): Promise<string[]> {
  return (await db.query(`SELECT * FROM ${table} LIMIT 0`)).columns.map((c) => c.name);
}

Deno.test("ALTER TABLE ADD COLUMN: existing rows get the default; NOT NULL needs one", async () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1) * 1000);
  const db = await Database.open({ memory: true, env: { ...realEnv(), clock } });
  await db.query("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2), (3)");
  assert.equal((await db.query("ALTER TABLE t ADD COLUMN b int")).command, "ALTER TABLE");
  await db.query("ALTER TABLE t ADD c text NOT NULL DEFAULT 'x'");
  await db.query("ALTER TABLE t ADD COLUMN r float8 DEFAULT random()");
  await db.query("ALTER TABLE t ADD COLUMN ts timestamptz DEFAULT now()");
  await check(db, "SELECT a, b, c FROM t ORDER BY a", [[1, null, "x"], [2, null, "x"], [
    3,
    null,
    "x",
  ]]);
  // random() runs per existing row, now() once per statement (PostgreSQL)
  await check(db, "SELECT count(DISTINCT r), count(DISTINCT ts) FROM t", [[3, 1]]);
  await fails(
    db,
    "ALTER TABLE t ADD COLUMN d int NOT NULL",
    "23502",
    'column "d" of relation "t" contains null values',
  );
  await fails(db, "ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT NULL", "23502");
  await fails(db, "ALTER TABLE t ADD COLUMN d int DEFAULT a", "0A000");
  await fails(db, "ALTER TABLE t ADD COLUMN d int DEFAULT 'no'", "22P02");
  assert.deepEqual(await columns(db, "t"), ["a", "b", "c", "r", "ts"]);
  // an empty table takes a NOT NULL column without a default
  await db.query("CREATE TABLE e (a int); ALTER TABLE e ADD COLUMN b int NOT NULL");
  await fails(db, "INSERT INTO e (a) VALUES (1)", "23502");
  // several actions are one change: the failing second one leaves no column behind
  await fails(db, "ALTER TABLE t ADD COLUMN x int, ADD COLUMN y int NOT NULL", "23502");
  assert.deepEqual(await columns(db, "t"), ["a", "b", "c", "r", "ts"]);
  await db.query("ALTER TABLE t ADD COLUMN x int DEFAULT 7, ADD COLUMN y int");
  await check(db, "SELECT x, y FROM t WHERE a = 1", [[7, null]]);
  await db.query("INSERT INTO t (a) VALUES (4)");
  await check(db, "SELECT a, b, c, x, y FROM t WHERE a = 4", [[4, null, "x", 7, null]]);
  await db.close();
});

Deno.test("ALTER TABLE DROP COLUMN: data, indexes, zero-column tables, dependent views", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int PRIMARY KEY, b text, c int)");
  await db.query("INSERT INTO t VALUES (1, 'x', 10), (2, 'y', 20)");
  await db.query("CREATE INDEX t_c ON t (c)");
  await db.query("ALTER TABLE t DROP COLUMN b");
  await check(db, "SELECT * FROM t ORDER BY a", [[1, 10], [2, 20]]);
  await db.query("ALTER TABLE t DROP c"); // its index goes with it, as in PostgreSQL
  await fails(db, "DROP INDEX t_c", "42704");
  await db.query("ALTER TABLE t ADD COLUMN c int DEFAULT 0"); // a new column: not the old data
  await check(db, "SELECT * FROM t ORDER BY a", [[1, 0], [2, 0]]);
  await fails(db, "INSERT INTO t VALUES (1, 5)", "23505"); // the primary key still holds
  await db.query("ALTER TABLE t DROP COLUMN a"); // drops the primary key's index
  await db.query("INSERT INTO t VALUES (5), (5)");
  await check(db, "SELECT c FROM t ORDER BY c", [[0], [0], [5], [5]]);
  // PostgreSQL allows tables with no columns
  await db.query("ALTER TABLE t DROP COLUMN c");
  await check(db, "SELECT count(*) FROM t", [[4]]);
  assert.deepEqual(await columns(db, "t"), []);
  await db.query("ALTER TABLE t ADD COLUMN z int DEFAULT 9");
  await check(db, "SELECT sum(z) FROM t", [[36]]);

  await db.query("CREATE TABLE u (a int, b int); CREATE VIEW v AS SELECT a FROM u");
  await db.query("CREATE VIEW w AS SELECT * FROM u WHERE b > 0");
  await assert.rejects(
    db.query("ALTER TABLE u DROP COLUMN a"),
    (e: unknown) =>
      e instanceof DbError && e.code === "2BP01" &&
      e.message === "cannot drop column a of table u because other objects depend on it" &&
      e.detail === "view v depends on column a of table u",
  );
  await fails(db, "ALTER TABLE u DROP COLUMN b", "2BP01"); // w reads it through * and WHERE
  await db.query("DROP VIEW w");
  await db.query("ALTER TABLE u DROP COLUMN b");
  await check(db, "SELECT * FROM v", []);
  await db.close();
});

Deno.test("ALTER TABLE RENAME: columns and tables keep their data and indexes", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int UNIQUE, b text); INSERT INTO t VALUES (1, 'x')");
  await db.query("ALTER TABLE t RENAME COLUMN a TO k");
  await db.query("ALTER TABLE t RENAME b TO v");
  assert.deepEqual(await columns(db, "t"), ["k", "v"]);
  await fails(db, "INSERT INTO t VALUES (1, 'y')", "23505");
  await db.query("ALTER TABLE t RENAME TO u");
  await fails(db, "SELECT * FROM t", "42P01");
  await fails(db, "INSERT INTO u VALUES (1, 'y')", "23505");
  await db.query("INSERT INTO u VALUES (2, 'y')");
  await check(db, "SELECT k, v FROM u ORDER BY k", [[1, "x"], [2, "y"]]);
  await db.close();
});

Deno.test("ALTER TABLE ALTER COLUMN: SET / DROP DEFAULT, SET / DROP NOT NULL", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int PRIMARY KEY, b int DEFAULT 1, c int)");
  await db.query("INSERT INTO t (a) VALUES (1)");
  await db.query("ALTER TABLE t ALTER COLUMN b SET DEFAULT 2");
  await db.query("INSERT INTO t (a) VALUES (2)");
  await db.query("ALTER TABLE t ALTER b DROP DEFAULT");
  await db.query("INSERT INTO t (a) VALUES (3)");
  await check(db, "SELECT a, b FROM t ORDER BY a", [[1, 1], [2, 2], [3, null]]);
  await fails(db, "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x'", "22P02");
  await fails(db, "ALTER TABLE t ALTER COLUMN b SET DEFAULT c", "0A000");
  await fails(db, "ALTER TABLE t ALTER COLUMN b SET DEFAULT true", "42804");
  await fails(
    db,
    "ALTER TABLE t ALTER COLUMN b SET NOT NULL",
    "23502",
    'column "b" of relation "t" contains null values',
  );
  await db.query("ALTER TABLE t ALTER COLUMN c SET DEFAULT 0");
  await db.query("DELETE FROM t WHERE a = 3");
  await db.query("ALTER TABLE t ALTER COLUMN b SET NOT NULL");
  await fails(db, "INSERT INTO t (a) VALUES (4)", "23502");
  await db.query("ALTER TABLE t ALTER COLUMN b DROP NOT NULL");
  await db.query("INSERT INTO t (a) VALUES (4)");
  await check(db, "SELECT a, b, c FROM t ORDER BY a", [[1, 1, null], [2, 2, null], [4, null, 0]]);
  await fails(
    db,
    "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
    "42P16",
    'column "a" is in a primary key',
  );
  await db.close();
});

Deno.test("ALTER TABLE errors and IF [NOT] EXISTS, with PostgreSQL's codes", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int, c int); CREATE TABLE other (x int)");
  await db.query("CREATE VIEW v AS SELECT a FROM t");
  await fails(db, "ALTER TABLE nope ADD COLUMN x int", "42P01", 'relation "nope" does not exist');
  await db.query("ALTER TABLE IF EXISTS nope ADD COLUMN x int");
  await fails(
    db,
    "ALTER TABLE t ADD COLUMN a int",
    "42701",
    'column "a" of relation "t" already exists',
  );
  await db.query("ALTER TABLE t ADD COLUMN IF NOT EXISTS a text");
  await fails(
    db,
    "ALTER TABLE t DROP COLUMN zz",
    "42703",
    'column "zz" of relation "t" does not exist',
  );
  await db.query("ALTER TABLE t DROP COLUMN IF EXISTS zz");
  await fails(db, "ALTER TABLE t RENAME COLUMN zz TO y", "42703", 'column "zz" does not exist');
  await fails(
    db,
    "ALTER TABLE t RENAME COLUMN a TO c",
    "42701",
    'column "c" of relation "t" already exists',
  );
  await fails(db, "ALTER TABLE t ALTER COLUMN zz SET DEFAULT 1", "42703");
  await fails(db, "ALTER TABLE t ALTER COLUMN zz SET NOT NULL", "42703");
  await fails(db, "ALTER TABLE t RENAME TO other", "42P07", 'relation "other" already exists');
  await fails(db, "ALTER TABLE t RENAME TO v", "42P07");
  await fails(db, "ALTER TABLE t RENAME TO t", "42P07"); // PostgreSQL: even to its own name
  await fails(db, "ALTER TABLE t RENAME COLUMN a TO a", "42701");
  await fails(
    db,
    "ALTER TABLE v ADD COLUMN x int",
    "42809",
    'ALTER action ADD COLUMN cannot be performed on relation "v"',
  );
  await fails(db, "ALTER TABLE t RENAME TO u, ADD COLUMN r int", "42601");
  await fails(db, "ALTER TABLE t ADD COLUMN u int UNIQUE", "0A000");
  await fails(db, "ALTER TABLE t ALTER COLUMN a TYPE text", "0A000");
  assert.deepEqual(await columns(db, "t"), ["a", "c"]);
  await db.close();
});

Deno.test("views read tables by name: renaming what a view reads breaks it, not the engine", async () => {
  // PostgreSQL binds views by OID and keeps them working; OmenDB binds the stored SQL text
  // when the view is used (documented in docs/sql.md).
  const db = await Database.open({ memory: true });
  await db.query(
    "CREATE TABLE t (a int); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT a FROM t",
  );
  await db.query("ALTER TABLE t RENAME COLUMN a TO b");
  await fails(db, "SELECT * FROM v", "42703");
  await db.query("ALTER TABLE t RENAME COLUMN b TO a");
  await check(db, "SELECT * FROM v", [[1]]);
  await db.query("ALTER TABLE t RENAME TO u");
  await fails(db, "SELECT * FROM v", "42P01");
  await db.query("CREATE OR REPLACE VIEW v AS SELECT a FROM u");
  await check(db, "SELECT * FROM v", [[1]]);
  await db.close();
});

Deno.test("ALTER TABLE is replayed from the WAL after reopen, fills included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE t (a int PRIMARY KEY, b text, c int)");
    await db.query("INSERT INTO t VALUES (1, 'x', 10), (2, 'y', 20)");
    await db.query("ALTER TABLE t ADD COLUMN r float8 DEFAULT random()");
    await db.query("ALTER TABLE t ADD COLUMN ts timestamptz DEFAULT now()");
    await db.query("ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 4");
    await db.query("ALTER TABLE t DROP COLUMN b");
    await db.query("ALTER TABLE t RENAME COLUMN c TO cc");
    await db.query("ALTER TABLE t RENAME TO u");
    await db.query("ALTER TABLE u ALTER COLUMN cc SET DEFAULT 99, ALTER COLUMN cc SET NOT NULL");
    await db.query("INSERT INTO u (a) VALUES (3)");
    await db.query("UPDATE u SET cc = cc + 1 WHERE a = 1");
    await db.query("DELETE FROM u WHERE a = 2");
    const before = await db.query("SELECT * FROM u ORDER BY a");
    await db.close();

    db = await Database.open({ path: dir });
    const after = await db.query("SELECT * FROM u ORDER BY a");
    assert.deepEqual(after.columns.map((c) => c.name), ["a", "cc", "r", "ts", "d"]);
    assert.deepEqual(after.rows, before.rows); // random() and now() fills come from the log
    await fails(db, "SELECT * FROM t", "42P01");
    await fails(db, "INSERT INTO u (a) VALUES (1)", "23505"); // the renamed table's key
    await fails(db, "INSERT INTO u (a, cc) VALUES (5, NULL)", "23502");
    await db.query("INSERT INTO u (a) VALUES (5)");
    await check(db, "SELECT a, cc, d FROM u ORDER BY a", [[1, 11, 4], [3, 99, 4], [5, 99, 4]]);
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
