// Sessions and transaction blocks through the embedded API: control statements, the failed
// state, read-only blocks, schema changes in blocks, timeouts, limits and deadlocks.
// Isolation anomalies are in tests/txn (Hermitage, isolation_test, bank).
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import type { DbError } from "../errors.ts";
import type { Session } from "./session.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as DbError).code;
  }
  return "ok";
}

async function withTable(fn: (db: Database) => Promise<void>, limits = {}): Promise<void> {
  const db = await Database.open({ memory: true, limits });
  try {
    await db.query("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    await db.query("INSERT INTO t VALUES (1, 10), (2, 20)");
    await fn(db);
  } finally {
    await db.close();
  }
}

const rowsOf = async (s: Session | Database, sql: string) => (await s.query(sql)).rows;

Deno.test("session: BEGIN / COMMIT / ROLLBACK tags and transaction status", async () => {
  await withTable(async (db) => {
    const s = db.session();
    assert.equal(s.transactionStatus, "idle");
    assert.deepEqual(
      (await s.queryAll("begin; set transaction isolation level repeatable read;")).map((r) =>
        r.command
      ),
      ["BEGIN", "SET"],
    );
    assert.equal(s.transactionStatus, "active");
    assert.deepEqual(await rowsOf(s, "SHOW transaction_isolation"), [["repeatable read"]]);
    assert.equal((await s.query("BEGIN")).command, "BEGIN"); // already in a block: a no-op
    assert.equal((await s.query("UPDATE t SET v = 0")).command, "UPDATE 2");
    assert.equal((await s.query("ROLLBACK")).command, "ROLLBACK");
    assert.deepEqual(await rowsOf(db, "SELECT v FROM t ORDER BY id"), [[10], [20]]);
    assert.equal((await s.query("COMMIT")).command, "COMMIT"); // no block: PostgreSQL warns
    assert.equal((await s.query("START TRANSACTION READ WRITE")).command, "START TRANSACTION");
    await s.query("DELETE FROM t WHERE id = 2");
    assert.equal((await s.query("END")).command, "COMMIT");
    assert.deepEqual(await rowsOf(db, "SELECT id FROM t"), [[1]]);
    await s.close();
  });
});

Deno.test("session: an error fails the block (25P02) until ROLLBACK; COMMIT answers ROLLBACK", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("BEGIN");
    await s.query("INSERT INTO t VALUES (3, 30)");
    assert.equal(await codeOf(s.query("INSERT INTO t VALUES (1, 0)")), "23505");
    assert.equal(s.transactionStatus, "failed");
    assert.equal(await codeOf(s.query("SELECT 1")), "25P02");
    assert.equal(await codeOf(s.query("SELEC 1")), "42601");
    assert.equal((await s.query("COMMIT")).command, "ROLLBACK");
    assert.equal(s.transactionStatus, "idle");
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t"), [[2n]]);
  });
});

Deno.test("session: savepoints undo inserts, updates and deletes after them", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("BEGIN; INSERT INTO t VALUES (3, 30); SAVEPOINT a");
    await s.query("UPDATE t SET v = v + 1; DELETE FROM t WHERE id = 1; SAVEPOINT b");
    await s.query("INSERT INTO t VALUES (4, 40)");
    assert.deepEqual(await rowsOf(s, "SELECT id, v FROM t ORDER BY id"), [[2, 21], [3, 31], [
      4,
      40,
    ]]);
    assert.equal((await s.query("ROLLBACK TO SAVEPOINT b")).command, "ROLLBACK");
    assert.deepEqual(await rowsOf(s, "SELECT id, v FROM t ORDER BY id"), [[2, 21], [3, 31]]);
    await s.query("ROLLBACK TO a");
    assert.deepEqual(await rowsOf(s, "SELECT id, v FROM t ORDER BY id"), [[1, 10], [2, 20], [
      3,
      30,
    ]]);
    // an error, then ROLLBACK TO leaves the failed state
    assert.equal(await codeOf(s.query("SELECT 1/0")), "22012");
    await s.query("ROLLBACK TO SAVEPOINT a");
    assert.equal(s.transactionStatus, "active");
    assert.equal((await s.query("RELEASE a")).command, "RELEASE");
    assert.equal(await codeOf(s.query("ROLLBACK TO a")), "3B001");
    await s.query("ROLLBACK");
    assert.equal(await codeOf(s.query("SAVEPOINT x")), "25P01");
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t"), [[2n]]);
  });
});

Deno.test("session: READ ONLY refuses writes (25006); late SET TRANSACTION is 25001", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("BEGIN READ ONLY");
    assert.deepEqual(await rowsOf(s, "SHOW transaction_read_only"), [["on"]]);
    assert.equal(await codeOf(s.query("INSERT INTO t VALUES (5, 5)")), "25006");
    await s.query("ROLLBACK");
    await s.query("BEGIN; SELECT 1");
    assert.equal(
      await codeOf(s.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")),
      "25001",
    );
    await s.query("ROLLBACK");
    await s.query("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await s.query("BEGIN");
    assert.deepEqual(await rowsOf(s, "SHOW transaction_isolation"), [["repeatable read"]]);
    await s.query("COMMIT");
  });
});

Deno.test("session: schema changes refuse blocks (25001) and tables in use (55006)", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("BEGIN");
    assert.equal(await codeOf(s.query("CREATE TABLE u (x INT)")), "25001");
    await s.query("ROLLBACK; BEGIN; INSERT INTO t VALUES (7, 7)");
    assert.equal(await codeOf(db.query("ALTER TABLE t ADD COLUMN w INT")), "55006");
    assert.equal(await codeOf(db.query("DROP TABLE t")), "55006");
    await s.query("COMMIT");
    await db.query("ALTER TABLE t ADD COLUMN w INT");
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t"), [[3n]]);
  });
});

Deno.test("session: a block idle past its timeout is rolled back and the session ends (25P03)", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("SET idle_in_transaction_session_timeout = '30ms'");
    await s.query("BEGIN; UPDATE t SET v = 99 WHERE id = 1");
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(await codeOf(s.query("COMMIT")), "25P03");
    assert.equal(await codeOf(s.query("SELECT 1")), "08003");
    // its row is free again
    assert.equal((await db.query("UPDATE t SET v = 11 WHERE id = 1")).command, "UPDATE 1");
    assert.deepEqual(await rowsOf(db, "SELECT v FROM t WHERE id = 1"), [[11]]);
  });
});

Deno.test("session: a block older than transaction_timeout ends with 25P04", async () => {
  await withTable(async (db) => {
    const s = db.session();
    await s.query("SET transaction_timeout = '40ms'; SET idle_in_transaction_session_timeout = 0");
    await s.query("BEGIN; INSERT INTO t VALUES (9, 9)");
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(await codeOf(s.query("SELECT 1")), "25P04");
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t WHERE id = 9"), [[0n]]);
  });
});

Deno.test("session: 100 concurrent open blocks; the open limit refuses more with 54000", async () => {
  await withTable(async (db) => {
    const sessions = Array.from({ length: 100 }, () => db.session());
    await Promise.all(
      sessions.map((s, i) => s.query(`BEGIN; INSERT INTO t VALUES (${100 + i}, ${i})`)),
    );
    const extra = db.session();
    assert.equal(await codeOf(extra.query("BEGIN")), "ok");
    assert.equal(await codeOf(db.session().query("BEGIN")), "ok");
    // the default session's next write needs a 103rd transaction: over the limit of 102
    assert.equal(await codeOf(db.query("INSERT INTO t VALUES (999, 0)")), "54000");
    // a lone query runs to its end at once and holds no transaction slot
    assert.equal(await codeOf(db.query("SELECT 1")), "ok");
    await Promise.all(sessions.map((s, i) => s.query(i % 2 === 0 ? "COMMIT" : "ROLLBACK")));
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t"), [[52n]]);
  }, { transactionsOpenMax: 102 });
});

Deno.test("session: a wait that would close a cycle is a deadlock (40P01)", async () => {
  await withTable(async (db) => {
    const a = db.session(), b = db.session();
    await a.query("BEGIN; UPDATE t SET v = 1 WHERE id = 1");
    await b.query("BEGIN; UPDATE t SET v = 2 WHERE id = 2");
    const waiting = a.query("UPDATE t SET v = 1 WHERE id = 2"); // waits for b
    assert.equal(await codeOf(b.query("UPDATE t SET v = 2 WHERE id = 1")), "40P01");
    assert.equal(b.transactionStatus, "failed");
    await b.query("ROLLBACK");
    assert.equal((await waiting).command, "UPDATE 1");
    await a.query("COMMIT");
    assert.deepEqual(await rowsOf(db, "SELECT v FROM t ORDER BY id"), [[1], [1]]);
  });
});

Deno.test("session: a wait ends with the statement timeout (57014) and fails the block", async () => {
  await withTable(async (db) => {
    const a = db.session(), b = db.session();
    await a.query("BEGIN; UPDATE t SET v = 1 WHERE id = 1");
    await b.query("BEGIN; SET statement_timeout = '50ms'");
    assert.equal(await codeOf(b.query("DELETE FROM t WHERE id = 1")), "57014");
    assert.equal(b.transactionStatus, "failed");
    await a.query("COMMIT");
    await b.query("ROLLBACK");
  });
});

Deno.test("session: closing a session or the database rolls back its open block", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    const s = db.session();
    await s.query("BEGIN; INSERT INTO t VALUES (1, 1)");
    await s.close();
    const s2 = db.session();
    await s2.query("BEGIN; INSERT INTO t VALUES (2, 2)");
    const s3 = db.session();
    await s3.query("BEGIN; INSERT INTO t VALUES (3, 3); COMMIT");
    await db.close();
    db = await Database.open({ path: dir });
    assert.deepEqual(await rowsOf(db, "SELECT id FROM t"), [[3]]);
    await db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("session: concurrent commits share fsyncs (group commit); each is durable when answered", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    const before = db.walStats()!.fsyncs;
    const sessions = Array.from({ length: 40 }, () => db.session());
    const answers = await Promise.all(
      sessions.map((s, i) => s.query(`INSERT INTO t VALUES (${i}, ${i})`)),
    );
    assert.ok(answers.every((r) => r.durability === "fsync"));
    const fsyncs = db.walStats()!.fsyncs - before;
    assert.ok(fsyncs < 40, `40 commits took ${fsyncs} fsyncs`);
    await db.close();
    db = await Database.open({ path: dir });
    assert.deepEqual(await rowsOf(db, "SELECT count(*) FROM t"), [[40n]]);
    await db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("session: a commit whose sync fails is never visible, and writes stop (58030)", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.open({ path: "/f", env: { ...realEnv(), fs } });
  await db.query("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  await db.query("INSERT INTO t VALUES (1, 1)");
  fs.failAt({ op: "sync", nth: 1 });
  assert.equal(await codeOf(db.query("INSERT INTO t VALUES (2, 2)")), "58030");
  assert.deepEqual(await rowsOf(db, "SELECT id FROM t"), [[1]]);
  assert.equal(await codeOf(db.session().query("UPDATE t SET v = 9")), "58030");
  assert.deepEqual(await rowsOf(db, "SELECT v FROM t"), [[1]]);
  await db.close();
});

Deno.test("session: overlapping calls on one session never join another call's implicit transaction", async () => {
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE TABLE t (x INT)");
    // db.query shares one session between callers; the second call must not run inside (and
    // be rolled back with) the first call's implicit transaction
    const failing = db.query(
      "INSERT INTO t VALUES (1); INSERT INTO t SELECT x FROM generate_series(2, 100000) g(x) " +
        "WHERE x < 0; SELECT 1 / 0",
    );
    const single = db.query("INSERT INTO t VALUES (42)");
    await assert.rejects(failing, (e: unknown) => (e as { code?: string }).code === "22012");
    await single;
    assert.deepEqual((await db.query("SELECT x FROM t")).rows, [[42]]);
  } finally {
    await db.close();
  }
});
