import assert from "node:assert/strict";
import { Database, DbError, defaultPlugins } from "../../mod.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";
import type { Value } from "../types/column.ts";
import { defaultLimits } from "../limits.ts";

async function rows(
  db: Database,
  sql: string,
  params: Value[] = [],
): Promise<readonly (readonly Value[])[]> {
  return (await db.query(sql, params)).rows;
}

async function code(db: Database, sql: string): Promise<string> {
  try {
    await db.query(sql);
  } catch (e) {
    assert.ok(e instanceof DbError, `not a DbError: ${e}`);
    return e.code;
  }
  return "ok";
}

Deno.test("with no plugins the kernel cannot even parse SQL (0A000)", async () => {
  const db = await Database.open({ memory: true, plugins: [] });
  assert.equal(await code(db, "SELECT 1"), "0A000");
  await db.close();
});

Deno.test("skeleton SQL: create, insert, select with expressions, where, order, limit", async () => {
  const db = await Database.open({ memory: true });
  await db.query(
    "CREATE TABLE t (a INTEGER, b VARCHAR(10), c DOUBLE PRECISION, d BOOLEAN, e BIGINT NOT NULL)",
  );
  const ins = await db.query(
    "INSERT INTO t VALUES (1, 'x', 1.5, true, 10), (2, 'y', NULL, false, 20), (NULL, 'z', 3.5, NULL, 9223372036854775807)",
  );
  assert.equal(ins.command, "INSERT 0 3");
  assert.deepEqual(await rows(db, "SELECT a, b FROM t WHERE c > 1 ORDER BY a DESC"), [[null, "z"], [
    1,
    "x",
  ]]);
  assert.deepEqual(await rows(db, "SELECT e FROM t ORDER BY e LIMIT 1 OFFSET 2"), [[
    9223372036854775807n,
  ]]);
  assert.deepEqual(
    await rows(
      db,
      "SELECT a + 1, coalesce(a, -1), nullif(a, 1), upper(b) FROM t ORDER BY 1 NULLS FIRST",
    ),
    [
      [null, -1, null, "Z"],
      [2, 1, null, "X"],
      [3, 2, 2, "Y"],
    ],
  );
  assert.deepEqual(
    await rows(db, "SELECT a FROM t WHERE a BETWEEN 1 AND 2 AND b IN ('x', 'y') ORDER BY a"),
    [[1], [2]],
  );
  assert.deepEqual(await rows(db, "SELECT DISTINCT d FROM t ORDER BY d"), [[false], [true], [
    null,
  ]]);
  assert.deepEqual(
    await rows(db, "SELECT CASE WHEN a IS NULL THEN 'none' ELSE b END FROM t ORDER BY 1"),
    [["none"], ["x"], ["y"]],
  );
  assert.deepEqual(await rows(db, "SELECT a FROM t WHERE a > $1 AND b <> $2", [1, "q"]), [[2]]);
  const r = await db.query("SELECT 7 / 2 AS q, 1 IS NULL, 'a' || 1, NULL");
  assert.deepEqual(r.rows, [[3, false, "a1", null]]);
  assert.deepEqual(r.columns.map((c) => [c.name, c.type.kind]), [
    ["q", "int4"],
    ["?column?", "bool"],
    ["?column?", "text"],
    ["?column?", "text"],
  ]);
  await db.close();
});

Deno.test("user errors carry SQLSTATE codes", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a INTEGER NOT NULL)");
  const cases: [string, string][] = [
    ["SELECT 1/0", "22012"],
    ["SELECT 2147483647 + 1", "22003"],
    ["SELECT 'x'::integer", "22P02"],
    ["SELECT nope FROM t", "42703"],
    ["SELECT * FROM missing", "42P01"],
    ["CREATE TABLE t (b INT)", "42P07"],
    ["INSERT INTO t VALUES (NULL)", "23502"],
    ["SELECT row_number() OVER () FROM t", "0A000"],
    ["SELECT no_such_function(1)", "42883"],
    ["SELECT 1 + 'a'::text", "42883"],
    ["SELEC 1", "42601"],
    ["ALTER TABLE t ALTER COLUMN a TYPE text", "0A000"],
    ["DELETE FROM missing", "42P01"],
  ];
  for (const [sql, want] of cases) assert.equal(await code(db, sql), want, sql);
  // a failed statement changed nothing
  assert.deepEqual(await rows(db, "SELECT a FROM t"), []);
  await db.close();
});

Deno.test("insertColumns appends typed arrays; missing columns are NULL", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE cpu (ts TIMESTAMPTZ, host TEXT, usage DOUBLE PRECISION, n BIGINT)");
  const n = await db.insertColumns("cpu", {
    ts: new Float64Array([0, 10_000_000]),
    host: ["a", "b"],
    usage: new Float64Array([1.25, 2.5]),
  });
  assert.equal(n, 2);
  assert.deepEqual(await rows(db, "SELECT host, usage, n FROM cpu WHERE usage > 2"), [[
    "b",
    2.5,
    null,
  ]]);
  await assert.rejects(
    db.insertColumns("cpu", { nope: [1] }),
    (e: unknown) => e instanceof DbError && e.code === "42703",
  );
  await assert.rejects(
    db.insertColumns("none", {}),
    (e: unknown) => e instanceof DbError && e.code === "42P01",
  );
  await db.close();
});

Deno.test("a durable database survives reopen, and its LOCK keeps a second opener out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await Database.open({ path: dir });
    await db.query("CREATE TABLE t (a INTEGER, b TEXT)");
    await db.query("INSERT INTO t VALUES (1, 'one'), (2, NULL)");
    await db.insertColumns("t", { a: new Int32Array([3]), b: ["three"] });
    await assert.rejects(
      Database.open({ path: dir }),
      (e: unknown) => e instanceof DbError && e.code === "55006",
    );
    await db.close();
    const again = await Database.open({ path: dir });
    assert.deepEqual(await rows(again, "SELECT a, b FROM t ORDER BY a"), [[1, "one"], [2, null], [
      3,
      "three",
    ]]);
    await again.query("DROP TABLE t");
    await again.close();
    const third = await Database.open({ path: dir });
    assert.equal(await code(third, "SELECT * FROM t"), "42P01");
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acknowledged writes survive a simulated power cut; unsynced bytes do not corrupt", async () => {
  const fs = new MemoryFileSystem();
  const env = { ...realEnv(), fs };
  const db = await Database.open({ path: "/data", env });
  await db.query("CREATE TABLE t (a INTEGER)");
  await db.query("INSERT INTO t VALUES (1), (2)");
  fs.crash(); // everything acknowledged was fsynced
  const after = await Database.open({ path: "/data", env });
  assert.deepEqual(await rows(after, "SELECT a FROM t ORDER BY a"), [[1], [2]]);
  fs.crash(); // not close(): a clean close checkpoints and drops the WAL file
  // a torn tail (half a record) is truncated on open
  const wal = (await fs.readFile("/data/wal/0000000000000001.wal"))!;
  const f = await fs.openAppend("/data/wal/0000000000000001.wal");
  await f.write(new Uint8Array([200, 0, 0, 0, 1, 2]));
  await f.sync();
  fs.crash();
  const logged: Record<string, unknown>[] = [];
  const third = await Database.open({ path: "/data", env, log: (e) => logged.push(e) });
  assert.deepEqual(await rows(third, "SELECT a FROM t ORDER BY a"), [[1], [2]]);
  assert.ok(logged.some((e) => e.event === "wal_torn_tail_truncated"));
  assert.equal((await fs.readFile("/data/wal/0000000000000001.wal"))!.length, wal.length);
  await third.close();
});

Deno.test("a checksum failure before the tail stops the open with a clear error", async () => {
  const fs = new MemoryFileSystem();
  const env = { ...realEnv(), fs };
  const db = await Database.open({ path: "/d", env });
  await db.query("CREATE TABLE t (a INTEGER)");
  await db.query("INSERT INTO t VALUES (1)");
  fs.crash(); // not close(): a clean close checkpoints and drops the WAL file
  const path = "/d/wal/0000000000000001.wal";
  const bytes = (await fs.readFile(path))!;
  bytes[30] = bytes[30]! ^ 0xff; // inside the first record
  await fs.writeFileAtomic(path, bytes);
  await assert.rejects(Database.open({ path: "/d", env }), (e: unknown) => {
    assert.ok(e instanceof DbError);
    assert.equal(e.code, "XX001");
    assert.match(e.message, /0000000000000001\.wal: checksum mismatch .* offset 8/);
    return true;
  });
  assert.deepEqual(await fs.readFile(path), bytes, "nothing was rewritten");
});

Deno.test("a query past its timeout is cancelled with 57014", async () => {
  const db = await Database.open({ memory: true, plugins: defaultPlugins });
  await db.query("CREATE TABLE t (a INTEGER)");
  await db.insertColumns("t", { a: new Int32Array(200_000).map((_, i) => i) });
  await assert.rejects(
    db.query("SELECT a FROM t ORDER BY a DESC", [], { timeoutMs: 1 }),
    (e: unknown) => e instanceof DbError && e.code === "57014",
  );
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    db.query("SELECT a FROM t", [], { signal: ac.signal }),
    (e: unknown) => e instanceof DbError && e.code === "57014",
  );
  await db.close();
});

Deno.test("stats: open transactions and sessions, unflushed bytes, tables", async () => {
  const db = await Database.open({ path: "/s", env: { ...realEnv(), fs: new MemoryFileSystem() } });
  assert.deepEqual(db.stats(), {
    activeTransactions: 0,
    sessions: 1,
    unflushedBytes: 0,
    tables: 0,
    planCacheEntries: 0,
    planCacheHits: 0,
    planCacheMisses: 0,
    syncQueries: 0,
  });
  await db.query("CREATE TABLE t (a INTEGER)");
  await db.query("INSERT INTO t VALUES (1), (2)");
  const s = db.session();
  await s.query("BEGIN; INSERT INTO t VALUES (3)");
  const open = db.stats();
  assert.equal(open.activeTransactions, 1);
  assert.equal(open.sessions, 2);
  assert.equal(open.tables, 1);
  assert.ok(open.unflushedBytes > 0, "committed rows wait in a memtable");
  await s.close();
  await db.query("CHECKPOINT");
  assert.deepEqual(db.stats(), {
    activeTransactions: 0,
    sessions: 1,
    unflushedBytes: 0,
    tables: 1,
    planCacheEntries: 0,
    planCacheHits: 0,
    planCacheMisses: 0,
    syncQueries: 0,
  });
  await db.close();
});

Deno.test("a failed WAL write fails the statement, applies nothing, and stops further writes", async () => {
  const fs = new MemoryFileSystem();
  const env = { ...realEnv(), fs };
  const db = await Database.open({ path: "/w", env });
  await db.query("CREATE TABLE t (a INTEGER)");
  await db.query("INSERT INTO t VALUES (1)");
  const before = db.writeFailure;
  assert.equal(before, null);
  fs.failNextWrites = 1;
  assert.equal(await code(db, "INSERT INTO t VALUES (2)"), "58030");
  assert.equal(await code(db, "INSERT INTO t VALUES (3)"), "58030");
  assert.equal(db.writeFailure?.code, "58030", "the stopped state is visible");
  assert.deepEqual(await rows(db, "SELECT a FROM t"), [[1]]);
  await db.close();
  const again = await Database.open({ path: "/w", env });
  assert.equal(again.writeFailure, null, "reopening recovers");
  await again.query("INSERT INTO t VALUES (4)");
  assert.deepEqual(await rows(again, "SELECT a FROM t ORDER BY a"), [[1], [4]]);
  await again.close();
});

Deno.test("the parse cache: a repeated text runs as parsed, with each call's parameters, at any cache size", async () => {
  for (const parseCacheEntriesMax of [0, 1, 512]) {
    const db = await Database.open({
      memory: true,
      limits: { ...defaultLimits, parseCacheEntriesMax },
    });
    await db.query("CREATE TABLE t (x INTEGER)");
    await db.query("INSERT INTO t VALUES (1), (2), (3)");
    const texts = [
      "SELECT x FROM t WHERE x >= $1 ORDER BY x",
      "SELECT count(*) FROM t WHERE x < $1",
    ];
    for (let round = 0; round < 3; round++) {
      assert.deepEqual((await db.query(texts[0]!, [round + 1])).rows, [[1], [2], [3]].slice(round));
      assert.deepEqual((await db.query(texts[1]!, [round + 1])).rows, [[BigInt(round)]]);
    }
    // a syntax error is never cached as a success
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        db.query("SELEC 1"),
        (e: unknown) => e instanceof DbError && e.code === "42601",
      );
    }
    await db.close();
  }
});
