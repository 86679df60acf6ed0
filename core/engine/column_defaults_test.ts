/**
 * Column DEFAULTs end to end: CREATE TABLE ... DEFAULT, INSERT filling omitted columns, the
 * DEFAULT keyword in VALUES, INSERT ... DEFAULT VALUES, and the errors. Expected answers and
 * codes were checked against PostgreSQL 15.
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

const start = Date.UTC(2024, 0, 1) * 1000;

Deno.test("defaults: INSERT fills omitted columns; DEFAULT in VALUES; DEFAULT VALUES", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int DEFAULT 5, b int, c text DEFAULT 'x', d text DEFAULT 5)");
  await db.query("INSERT INTO t (b) VALUES (1)");
  await db.query("INSERT INTO t VALUES (1, DEFAULT, DEFAULT, 'y'), (DEFAULT, 2, 'q', DEFAULT)");
  await db.query("INSERT INTO t (c) VALUES (DEFAULT)");
  await db.query("INSERT INTO t DEFAULT VALUES");
  await db.query("INSERT INTO t VALUES (9)"); // trailing columns omitted
  await db.query("INSERT INTO t (b, a) SELECT 7, 8");
  await check(db, "SELECT a, b, c, d FROM t", [
    [5, 1, "x", "5"],
    [1, null, "x", "y"],
    [5, 2, "q", "5"],
    [5, null, "x", "5"],
    [5, null, "x", "5"],
    [9, null, "x", "5"],
    [8, 7, "x", "5"],
  ]);
  await fails(db, "VALUES (DEFAULT)", "42601", "DEFAULT is not allowed in this context");
  await fails(db, "SELECT 1 FROM t WHERE a = DEFAULT", "42601");
  await db.close();
});

Deno.test("defaults: now() is the statement's time, random() differs per row", async () => {
  const clock = new ManualClock(start);
  const db = await Database.open({ memory: true, env: { ...realEnv(), clock } });
  await db.query(
    "CREATE TABLE t (id int, ts timestamptz DEFAULT now(), r float8 DEFAULT random())",
  );
  await db.query("INSERT INTO t (id) VALUES (1), (2)");
  clock.advanceMs(1000);
  await db.query("INSERT INTO t (id) VALUES (3)");
  await check(db, "SELECT id, ts FROM t ORDER BY id", [[1, start], [2, start], [3, start + 1e6]]);
  await check(db, "SELECT count(DISTINCT r), min(r) >= 0, max(r) < 1 FROM t", [[3, true, true]]);
  await db.close();
});

Deno.test("defaults: PostgreSQL's errors for bad DEFAULT expressions", async () => {
  const db = await Database.open({ memory: true });
  await fails(
    db,
    "CREATE TABLE e (a int DEFAULT a)",
    "0A000",
    "cannot use column reference in DEFAULT expression",
  );
  await fails(
    db,
    "CREATE TABLE e (a int DEFAULT (SELECT 1))",
    "0A000",
    "cannot use subquery in DEFAULT expression",
  );
  await fails(
    db,
    "CREATE TABLE e (a int DEFAULT sum(1))",
    "42803",
    "aggregate functions are not allowed in DEFAULT expressions",
  );
  await fails(
    db,
    "CREATE TABLE e (a int DEFAULT true)",
    "42804",
    'column "a" is of type integer but default expression is of type boolean',
  );
  await fails(
    db,
    "CREATE TABLE e (a int DEFAULT now())",
    "42804",
    'column "a" is of type integer but default expression is of type timestamp with time zone',
  );
  await fails(db, "CREATE TABLE e (a int DEFAULT 'x')", "22P02");
  await fails(db, "CREATE TABLE e (a int DEFAULT $1)", "42P02");
  await fails(db, "CREATE TABLE e (a int DEFAULT row_number() OVER ())", "42P20");
  // A default that fits the type but not the column's range fails when used, as in PostgreSQL.
  await db.query("CREATE TABLE s (a int2 DEFAULT 100000)");
  await fails(db, "INSERT INTO s DEFAULT VALUES", "22003");
  assert.equal((await db.query("SELECT count(*) FROM s")).rows[0]![0], 0n);
  await db.close();
});

Deno.test("defaults: NOT NULL applies to the default's value", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int NOT NULL DEFAULT 1, b int NOT NULL)");
  await fails(db, "INSERT INTO t DEFAULT VALUES", "23502");
  await db.query("INSERT INTO t (b) VALUES (2)");
  await check(db, "SELECT a, b FROM t", [[1, 2]]);
  await db.close();
});

Deno.test("defaults survive a durable reopen and still evaluate per statement", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query(
      "CREATE TABLE t (id int, c text DEFAULT 'x' || 'y', ts timestamptz DEFAULT now())",
    );
    await db.query("INSERT INTO t (id) VALUES (1)");
    await db.close();
    db = await Database.open({ path: dir });
    await db.query("INSERT INTO t (id) VALUES (2)");
    await check(db, "SELECT id, c, ts IS NOT NULL FROM t ORDER BY id", [
      [1, "xy", true],
      [2, "xy", true],
    ]);
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
