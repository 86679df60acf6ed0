// reduce_outer_joins: results are PostgreSQL 15's for the same statements.
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import type { Value } from "../types/column.ts";

async function rows(db: Database, sql: string): Promise<unknown[][]> {
  return (await db.query(sql)).rows.map((r: readonly Value[]) =>
    r.map((v) => (typeof v === "bigint" ? Number(v) : v))
  );
}

async function setup(): Promise<Database> {
  const db = await Database.open({ memory: true });
  await db.query(`
    CREATE TABLE a (id INT, x INT);
    CREATE TABLE b (id INT, y INT);
    INSERT INTO a VALUES (1, 10), (2, 20), (3, NULL);
    INSERT INTO b VALUES (1, 100), (2, NULL), (4, 400);
  `);
  return db;
}

Deno.test("reduce_outer_joins: strict WHERE conjuncts make outer joins inner, NULL tests keep them", async () => {
  const db = await setup();
  const q = (sql: string) => rows(db, sql);
  assert.deepEqual(
    await q("SELECT a.id, b.y FROM a LEFT JOIN b ON a.id = b.id WHERE b.y > 50 ORDER BY 1"),
    [[1, 100]],
  );
  // IS NULL and COALESCE are not strict: the anti-join pattern stays a LEFT JOIN
  assert.deepEqual(
    await q("SELECT a.id, b.id FROM a LEFT JOIN b ON a.id = b.id WHERE b.id IS NULL ORDER BY 1"),
    [[3, null]],
  );
  assert.deepEqual(
    await q(
      "SELECT a.id, b.y FROM a LEFT JOIN b ON a.id = b.id WHERE coalesce(b.y, 0) = 0 ORDER BY 1",
    ),
    [[2, null], [3, null]],
  );
  // FULL: a strict conjunct on one side keeps that side, on both sides makes it inner
  assert.deepEqual(
    await q("SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id WHERE a.x + 1 > 0 ORDER BY 1"),
    [[1, 1], [2, 2]],
  );
  assert.deepEqual(
    await q("SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id WHERE b.y < 1000 ORDER BY 2"),
    [[1, 1], [null, 4]],
  );
  assert.deepEqual(
    await q("SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id WHERE a.id = b.id ORDER BY 1"),
    [[1, 1], [2, 2]],
  );
  assert.deepEqual(
    await q(
      "SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id WHERE a.id IS NULL OR b.id IS NULL ORDER BY 1, 2",
    ),
    [[3, null], [null, 4]],
  );
  // an inner join's ON above a RIGHT JOIN
  assert.deepEqual(
    await q(
      "SELECT a.id, c.id FROM (a RIGHT JOIN b ON a.id = b.id) JOIN a AS c ON a.x = c.x ORDER BY 1",
    ),
    [[1, 1], [2, 2]],
  );
  // COALESCE(x) is not strict in PostgreSQL even with one argument: the join stays outer, and a
  // cast that fails on the rows of the nullable side is not evaluated there (fuzz seed 9001)
  await db.query("CREATE TABLE s (k INT, t TEXT)");
  await db.query("INSERT INTO s VALUES (1, 'not a boolean')");
  assert.deepEqual(
    await q(
      "SELECT * FROM s AS x RIGHT JOIN s AS y ON x.k = y.k + 1 WHERE coalesce(CAST(x.t AS BOOLEAN))",
    ),
    [],
  );
  const plan =
    (await db.query("EXPLAIN SELECT a.id FROM a LEFT JOIN b ON a.id = b.id WHERE b.y > 50"))
      .rows.map((r) => String(r[0])).join("\n");
  assert.doesNotMatch(plan, /Left/i);
  await db.close();
});

Deno.test("reduce_outer_joins: the WHERE then filters the scan below, so errors are PostgreSQL's (fuzz seeds 4242, 2026)", async () => {
  const db = await Database.open({ memory: true });
  await db.query(`
    CREATE TABLE t0 (c0 DATE, c1 BIGINT, c2 INTERVAL);
    INSERT INTO t0 VALUES (DATE '1993-10-27', -1, INTERVAL '00:00:01.5'),
      (DATE '2066-12-29', -66, INTERVAL '00:00:01.5'), (DATE '2024-02-29', NULL, INTERVAL '9 months -1 days -18:32:41');
    CREATE TABLE t1 (c1 NUMERIC(12,3), c3 BIGINT);
    INSERT INTO t1 VALUES (770.996, 2147483647), (-489.823, 73), (438.104, NULL), (-300.940, 1234567890123456789);
    CREATE TABLE t2 (c0 NUMERIC(12,3));
    INSERT INTO t2 VALUES (41.975), (-1), (0), (NULL);
  `);
  // PostgreSQL: no rows; the FULL JOIN becomes LEFT, the WHERE filters a's scan to nothing, and
  // the ON condition's division by zero never runs
  assert.deepEqual(
    await rows(
      db,
      "SELECT * FROM t0 AS a LEFT JOIN t0 AS b ON ((a.c0 = b.c0) AND " +
        "((CAST(EXTRACT(DOY FROM a.c0) AS INTEGER) % (- 0)))::BOOLEAN) FULL JOIN t0 AS c " +
        "ON (b.c0 = c.c0) WHERE (a.c2 = INTERVAL '00:00:00')",
    ),
    [],
  );
  // PostgreSQL: 22003; the RIGHT JOIN becomes inner and the ON conjunct over a alone is
  // evaluated on every row of a
  await assert.rejects(
    db.query(
      "SELECT * FROM t1 AS a RIGHT JOIN t2 AS b ON (a.c3 = b.c0) INNER JOIN t2 AS c " +
        "ON ((a.c1 = c.c0) AND (CAST(a.c3 AS INTEGER))::BOOLEAN)",
    ),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  await db.close();
});

Deno.test("reduce_outer_joins: an outer join's ON reduces joins on its nullable side (fuzz seed 31337)", async () => {
  const db = await setup();
  // b.y > 50 rejects the NULL-extended rows of (b LEFT JOIN a): they could never match
  assert.deepEqual(
    await rows(
      db,
      "SELECT a.id, z.bid, z.x FROM a LEFT JOIN (SELECT b.id AS bid, a.x FROM b LEFT JOIN a " +
        "ON a.id = b.id) AS z ON z.x > 5 AND z.bid = a.id ORDER BY 1",
    ),
    [[1, 1, 10], [2, 2, 20], [3, null, null]],
  );
  // the preserved side is never reduced: a.x > 5 says nothing about the rows of a it keeps
  assert.deepEqual(
    await rows(
      db,
      "SELECT q.id, b.id FROM (SELECT a.id, b2.y FROM a LEFT JOIN b AS b2 ON a.id = b2.id) " +
        "AS q LEFT JOIN b ON q.y > 50 AND b.id = q.id ORDER BY 1",
    ),
    [[1, 1], [2, null], [3, null]],
  );
  await db.query(`
    CREATE TABLE t0 (c0 TEXT, c1 DATE);
    INSERT INTO t0 VALUES ('N#', DATE '2080-11-03'), ('A', DATE '2100-12-31');
    CREATE TABLE t2 (c0 INTERVAL, c3 DATE);
    INSERT INTO t2 VALUES (INTERVAL '-3 days', DATE '2087-03-01'), (NULL, DATE '2024-03-01');
  `);
  // PostgreSQL: 2 rows; a.c3 = c.c1 makes (a RIGHT JOIN b ON FALSE) inner, hence empty, so the
  // date arithmetic that overflows for b's rows never runs
  assert.deepEqual(
    await rows(
      db,
      "SELECT c.c0, a.c3, b.c3 FROM t2 AS a RIGHT JOIN t2 AS b ON FALSE RIGHT JOIN t0 AS c " +
        "ON ((a.c3 = c.c1) AND (nullif((a.c3 + 0), (b.c3 + 2147483647)) = " +
        "(b.c3 + nullif(INTERVAL '00:00:00', a.c0)))) ORDER BY 1",
    ),
    [["A", null, null], ["N#", null, null]],
  );
  await db.close();
});

Deno.test("reduce_outer_joins: an OR rejects a side's NULLs when each arm does (fuzz seed 271828)", async () => {
  const db = await setup();
  // either arm is NULL when b is NULL-extended: the LEFT JOIN is inner
  const plan = (await db.query(
    "EXPLAIN SELECT * FROM a LEFT JOIN b ON a.id = b.id WHERE b.y > 150 OR b.id < 2",
  )).rows.map((r) => String(r[0])).join("\n");
  assert.doesNotMatch(plan, /Left/i);
  assert.deepEqual(
    await rows(
      db,
      "SELECT a.id, b.y FROM a LEFT JOIN b ON a.id = b.id WHERE b.y > 150 OR b.id < 2",
    ),
    [[1, 100]],
  );
  // an arm that does not read b keeps it outer
  assert.deepEqual(
    await rows(
      db,
      "SELECT a.id, b.y FROM a LEFT JOIN b ON a.id = b.id WHERE b.y > 150 OR a.id = 3 ORDER BY 1",
    ),
    [[3, null]],
  );
  // PostgreSQL: no rows; the join is inner, its key matches nothing, so the overflowing
  // a.x + a.x in the WHERE never runs
  await db.query("CREATE TABLE big (x INT); INSERT INTO big VALUES (2147483600)");
  assert.deepEqual(
    await rows(
      db,
      "SELECT * FROM big LEFT JOIN b ON big.x = b.id WHERE (big.x + big.x) / 2 < b.y OR " +
        "(big.x + big.x) / 2 > b.id",
    ),
    [],
  );
  await db.close();
});
