/**
 * DataFusion's LEFT/RIGHT SEMI and ANTI JOIN (PostgreSQL rejects the syntax): each kept-side row
 * with (semi) / without (anti) a match, once, and only the kept side's columns. Every case is
 * also checked against the EXISTS / NOT EXISTS query PostgreSQL would answer the same way.
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import type { Value } from "../types/column.ts";

async function setup(): Promise<Database> {
  const db = await Database.open({ memory: true });
  await db.query(`
    CREATE TABLE a (id INT, x TEXT);
    CREATE TABLE b (id INT, v INT);
    INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (3, 'a3'), (NULL, 'an'), (1, 'a1b');
    INSERT INTO b VALUES (1, 5), (1, 6), (2, 0), (NULL, 9);
  `);
  return db;
}

async function rows(db: Database, sql: string): Promise<Value[][]> {
  return (await db.query(sql)).rows.map((r) => [...r]);
}

/** Checks `sql` returns `want` and the same rows as the EXISTS form `pg`. */
async function same(db: Database, sql: string, pg: string, want: Value[][]): Promise<void> {
  assert.deepEqual(await rows(db, sql), want, sql);
  assert.deepEqual(await rows(db, pg), want, pg);
}

Deno.test("LEFT SEMI JOIN keeps each matching left row once, with the left columns", async () => {
  const db = await setup();
  await same(
    db,
    "SELECT * FROM a LEFT SEMI JOIN b ON a.id = b.id ORDER BY x",
    "SELECT * FROM a WHERE EXISTS (SELECT 1 FROM b WHERE a.id = b.id) ORDER BY x",
    [[1, "a1"], [1, "a1b"], [2, "a2"]],
  );
  // a residual condition over the right side, as join.slt's "left semi join with on-filter"
  await same(
    db,
    "SELECT a.x FROM a LEFT SEMI JOIN b ON a.id = b.id AND b.v > 1 ORDER BY x",
    "SELECT a.x FROM a WHERE EXISTS (SELECT 1 FROM b WHERE a.id = b.id AND b.v > 1) ORDER BY x",
    [["a1"], ["a1b"]],
  );
  // no equality key: a nested loop
  await same(
    db,
    "SELECT x FROM a LEFT SEMI JOIN b ON a.id > b.v ORDER BY x",
    "SELECT x FROM a WHERE EXISTS (SELECT 1 FROM b WHERE a.id > b.v) ORDER BY x",
    [["a1"], ["a1b"], ["a2"], ["a3"]],
  );
  await same(
    db,
    "SELECT x FROM a LEFT SEMI JOIN b USING (id) WHERE x <> 'a2' ORDER BY x",
    "SELECT x FROM a WHERE EXISTS (SELECT 1 FROM b WHERE a.id = b.id) AND x <> 'a2' ORDER BY x",
    [["a1"], ["a1b"]],
  );
  assert.deepEqual(await rows(db, "SELECT x FROM a LEFT SEMI JOIN b ON false"), []);
  assert.deepEqual(
    await rows(db, "SELECT count(*) FROM a LEFT SEMI JOIN (SELECT * FROM b WHERE false) s ON true"),
    [[0n]],
  );
  await db.close();
});

Deno.test("LEFT ANTI JOIN keeps the left rows without a match, as NOT EXISTS (not NOT IN)", async () => {
  const db = await setup();
  // a NULL key matches nothing, so the NULL row is kept (NOT IN would return no rows)
  await same(
    db,
    "SELECT * FROM a LEFT ANTI JOIN b ON a.id = b.id ORDER BY x",
    "SELECT * FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE a.id = b.id) ORDER BY x",
    [[3, "a3"], [null, "an"]],
  );
  await same(
    db,
    "SELECT x FROM a LEFT ANTI JOIN b ON a.id = b.id AND b.v > 1 ORDER BY x",
    "SELECT x FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE a.id = b.id AND b.v > 1) ORDER BY x",
    [["a2"], ["a3"], ["an"]],
  );
  await same(
    db,
    "SELECT x FROM a LEFT ANTI JOIN b ON a.id > b.v ORDER BY x",
    "SELECT x FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE a.id > b.v) ORDER BY x",
    [["an"]],
  );
  // a constant NULL or FALSE condition never matches: every left row is kept
  assert.deepEqual(await rows(db, "SELECT count(*) FROM a LEFT ANTI JOIN b ON NULL"), [[5n]]);
  assert.deepEqual(
    await rows(db, "SELECT count(*) FROM a LEFT ANTI JOIN (SELECT * FROM b WHERE false) s ON true"),
    [[5n]],
  );
  await db.close();
});

Deno.test("RIGHT SEMI/ANTI JOIN keep the right side; the other side is hidden", async () => {
  const db = await setup();
  assert.deepEqual(
    await rows(db, "SELECT * FROM b RIGHT SEMI JOIN a ON a.id = b.id ORDER BY x"),
    [[1, "a1"], [1, "a1b"], [2, "a2"]],
  );
  assert.deepEqual(
    await rows(db, "SELECT * FROM b RIGHT ANTI JOIN a ON a.id = b.id ORDER BY x"),
    [[3, "a3"], [null, "an"]],
  );
  await assert.rejects(
    db.query("SELECT b.v FROM a LEFT SEMI JOIN b ON a.id = b.id"),
    (e: unknown) => e instanceof DbError && e.code === "42P01",
  );
  // a bare SEMI/ANTI is PostgreSQL's table alias, not a join type
  assert.deepEqual(
    await rows(db, "SELECT count(*) FROM a semi JOIN b ON semi.id = b.id"),
    [[5n]],
  );
  await db.close();
});
