// INSERT ... ON CONFLICT: DO NOTHING and DO UPDATE, alone and between concurrent sessions
// (expected answers checked on PostgreSQL 15).
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import type { DbError } from "../errors.ts";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as DbError).code;
  }
  return "ok";
}

async function withTable(fn: (db: Database) => Promise<void>): Promise<void> {
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE TABLE t (id INT PRIMARY KEY, v INT, u INT UNIQUE)");
    await db.query("INSERT INTO t VALUES (1, 10, 100), (2, 20, 200)");
    await fn(db);
  } finally {
    await db.close();
  }
}

const rows = async (db: Database, sql = "SELECT * FROM t ORDER BY id") =>
  (await db.query(sql)).rows;

Deno.test("on conflict: DO NOTHING skips taken keys, with or without a target", async () => {
  await withTable(async (db) => {
    const r = await db.query(
      "INSERT INTO t VALUES (1, 11, 101), (3, 30, 300), (3, 31, 301) ON CONFLICT (id) DO NOTHING RETURNING id",
    );
    assert.equal(r.command, "INSERT 0 1");
    assert.deepEqual(r.rows, [[3]]);
    // a key of another unique index: skipped without a target, 23505 with the id target
    assert.equal(
      (await db.query("INSERT INTO t VALUES (5, 50, 100) ON CONFLICT DO NOTHING")).command,
      "INSERT 0 0",
    );
    assert.equal(
      await codeOf(db.query("INSERT INTO t VALUES (5, 50, 100) ON CONFLICT (id) DO NOTHING")),
      "23505",
    );
    assert.deepEqual(await rows(db), [[1, 10, 100], [2, 20, 200], [3, 30, 300]]);
  });
});

Deno.test("on conflict: DO UPDATE reads the existing row and EXCLUDED; WHERE decides", async () => {
  await withTable(async (db) => {
    const r = await db.query(
      "INSERT INTO t VALUES (1, 5, 101), (4, 40, 400) ON CONFLICT (id) DO UPDATE SET v = t.v + excluded.v RETURNING *",
    );
    assert.equal(r.command, "INSERT 0 2");
    assert.deepEqual(r.rows, [[1, 15, 100], [4, 40, 400]]); // in the order proposed
    const skipped = await db.query(
      "INSERT INTO t AS x VALUES (2, 99, 0) ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET v = excluded.v WHERE x.v > 100",
    );
    assert.equal(skipped.command, "INSERT 0 0");
    assert.equal(
      await codeOf(
        db.query("INSERT INTO t VALUES (2, 1, 1), (2, 2, 2) ON CONFLICT (id) DO UPDATE SET v = 0"),
      ),
      "21000",
    );
    // the new version still obeys the other unique index
    assert.equal(
      await codeOf(
        db.query("INSERT INTO t VALUES (2, 0, 0) ON CONFLICT (id) DO UPDATE SET u = 100"),
      ),
      "23505",
    );
    assert.deepEqual(await rows(db), [[1, 15, 100], [2, 20, 200], [4, 40, 400]]);
  });
});

Deno.test("on conflict: a key only this block inserted is updated in place", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("BEGIN; INSERT INTO t VALUES (7, 70, 700)");
    await s.query(
      "INSERT INTO t VALUES (7, 71, 701) ON CONFLICT (id) DO UPDATE SET v = excluded.v",
    );
    assert.deepEqual((await s.query("SELECT v, u FROM t WHERE id = 7")).rows, [[71, 700]]);
    await s.query("COMMIT");
    assert.deepEqual(await rows(db, "SELECT v FROM t WHERE id = 7"), [[71]]);
    await s.close();
  });
});

Deno.test("on conflict: a key another block holds waits; RC then updates, RR fails with 40001", async () => {
  await withTable(async (db) => {
    const a = db.session(), b = db.session();
    // read committed: waits for a, then updates a's committed row
    await a.query("BEGIN; INSERT INTO t VALUES (5, 50, 500)");
    const upsert = b.query(
      "INSERT INTO t VALUES (5, 1, 1) ON CONFLICT (id) DO UPDATE SET v = t.v + 1",
    );
    let settled = false;
    void upsert.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(settled, false, "the upsert waits for the block holding key 5");
    await a.query("COMMIT");
    assert.equal((await upsert).command, "INSERT 0 1");
    assert.deepEqual(await rows(db, "SELECT v FROM t WHERE id = 5"), [[51]]);
    // repeatable read: the conflicting row was committed after b's snapshot
    await b.query("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1 FROM t LIMIT 1");
    await a.query("INSERT INTO t VALUES (6, 60, 600)");
    assert.equal(
      await codeOf(b.query("INSERT INTO t VALUES (6, 1, 1) ON CONFLICT (id) DO NOTHING")),
      "40001",
    );
    await b.query("ROLLBACK");
    await a.close();
    await b.close();
  });
});
