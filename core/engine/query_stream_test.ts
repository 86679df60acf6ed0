// Session.stream: results batch by batch, at the statement's snapshot, with timeouts,
// cancellation, limits and transaction semantics while streaming.
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { batchRows, type QueryStream } from "./query_stream.ts";
import type { Batch } from "../types/batch.ts";
import { DbError } from "../errors.ts";

async function withDb(
  fn: (db: Database) => Promise<void>,
  options: Parameters<typeof Database.open>[0] = { memory: true },
): Promise<void> {
  const db = await Database.open(options);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** Every value of the stream's first column, read to the end. */
async function firstColumn(stream: QueryStream): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of stream) for (const r of batchRows(b)) out.push(r[0]);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<DbError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DbError, String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected SQLSTATE ${code}`);
}

Deno.test("stream: columns up front, batches of at most batchRowsMax rows, tag at the end", async () => {
  await withDb(async (db) => {
    const s = db.session();
    const stream = await s.stream("SELECT x, x * 2 AS y FROM generate_series(1, 10000) AS g(x)");
    assert.deepEqual(stream.columns.map((c) => c.name), ["x", "y"]);
    assert.equal(stream.command, null, "no tag before the end");
    const sizes: number[] = [];
    let sum = 0;
    for await (const b of stream) {
      sizes.push(b.length);
      for (const [, y] of batchRows(b)) sum += y as number;
    }
    assert.ok(sizes.every((n) => n > 0 && n <= 2048), String(sizes));
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10000);
    assert.equal(sum, 10000 * 10001);
    assert.equal(stream.command, "SELECT 10000");
    assert.equal(stream.state, "done");
    assert.equal(db.stats().activeTransactions, 0, "its transaction ended");
    await s.close();
  });
});

Deno.test("stream: writes and utility statements come back as one-batch streams", async () => {
  await withDb(async (db) => {
    const s = db.session();
    assert.equal((await s.stream("CREATE TABLE t (x INT)")).columns.length, 0);
    const ins = await s.stream(
      "INSERT INTO t SELECT x FROM generate_series(1, 3) g(x) RETURNING x",
    );
    assert.deepEqual(await firstColumn(ins), [1, 2, 3]);
    assert.equal(ins.command, "INSERT 0 3");
    assert.equal(ins.rowCount, 3);
    const empty = await s.stream(";");
    assert.deepEqual(await firstColumn(empty), []);
    assert.equal(empty.command, "EMPTY");
    await s.close();
  });
});

Deno.test("stream: reads at its snapshot while other sessions commit between batches", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    await db.query("INSERT INTO t SELECT x FROM generate_series(1, 10000) g(x)");
    const s = db.session();
    const stream = await s.stream("SELECT x FROM t");
    const first = await stream.next();
    assert.ok(!first.done);
    // other sessions are not blocked by the open stream, and what they commit stays invisible
    await db.query("DELETE FROM t WHERE x > 5000");
    await db.query("INSERT INTO t SELECT x FROM generate_series(20001, 23000) g(x)");
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 8000n);
    const rest = await firstColumn(stream);
    const seen = [...batchRows(first.value).map((r) => r[0]), ...rest] as number[];
    assert.equal(seen.length, 10000);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 10000 }, (_, i) => i + 1),
    );
    await s.close();
  });
});

Deno.test("stream: a durable table streams unchanged across checkpoints and compaction", async () => {
  const dir = await Deno.makeTempDir();
  const insert = (from: number, to: number, sign = 1) =>
    `INSERT INTO m SELECT TIMESTAMPTZ '2024-01-01' + x * INTERVAL '1 second', ${sign} * x
     FROM generate_series(${from}, ${to}) g(x)`;
  // a partition with more than 3 segments is compacted into one at the next checkpoint
  const options = { path: dir, limits: { partitionSegmentsMax: 3 } };
  try {
    await withDb(async (db) => {
      await db.query("CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, v INT) WITH (timestamp = ts)");
      for (let k = 0; k < 2; k++) {
        await db.query(insert(k * 4000 + 1, (k + 1) * 4000));
        await db.query("CHECKPOINT"); // one segment each, in one day partition
      }
      const s = db.session();
      const stream = await s.stream("SELECT v FROM m");
      const first = await stream.next(); // from the first segment
      assert.ok(!first.done);
      // deletes and two more segments: the checkpoint compacts the partition, retiring the
      // segments the stream is part-way through
      await db.query("DELETE FROM m WHERE v % 2 = 0");
      for (let k = 0; k < 2; k++) {
        await db.query(insert(10_000 + k * 1000, 10_999 + k * 1000, -1));
        await db.query("CHECKPOINT");
      }
      const values = [...batchRows(first.value).map((r) => r[0]), ...await firstColumn(stream)];
      assert.equal(values.length, 8000);
      assert.equal(new Set(values).size, 8000);
      assert.ok((values as number[]).every((v) => v >= 1 && v <= 8000));
      await s.close();
      assert.equal((await db.query("SELECT count(*) FROM m")).rows[0]![0], 4000n + 2000n);
    }, options);
    // what the checkpoints wrote is whole after a restart
    await withDb(async (db) => {
      const r = await db.query("SELECT count(*), sum(v) FROM m");
      // the odd values 1..7999, then -10000..-11999
      assert.deepEqual(r.rows[0], [6000n, 4000n * 4000n - (10_000n + 11_999n) * 1000n]);
      assert.deepEqual(await db.verify(), []);
    }, options);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream: old row versions stay while it is open (the horizon waits for it)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withDb(async (db) => {
      await db.query("CREATE TABLE t (x INT)");
      for (let k = 0; k < 10; k++) {
        // small appends: the memtable keeps them in several batches
        await db.query(
          `INSERT INTO t SELECT x FROM generate_series(${k * 1000 + 1}, ${(k + 1) * 1000}) g(x)`,
        );
      }
      const s = db.session();
      const stream = await s.stream("SELECT x FROM t");
      const first = await stream.next();
      assert.ok(!first.done);
      // most rows deleted and committed: without the stream, the memtable drops them at once
      await db.query("DELETE FROM t WHERE x > 1000");
      await db.query("SELECT count(*) FROM t"); // statements move the horizon
      const values = [...batchRows(first.value).map((r) => r[0]), ...await firstColumn(stream)];
      assert.deepEqual(
        (values as number[]).sort((a, b) => a - b),
        Array.from({ length: 10000 }, (_, i) => i + 1),
      );
      await s.close();
      assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 1000n);
    }, { path: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream: the tables it reads cannot be dropped or altered until it ends", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    await db.query("CREATE TABLE u (y INT)");
    await db.query("INSERT INTO t SELECT x FROM generate_series(1, 5000) g(x)");
    const s = db.session();
    const stream = await s.stream("SELECT x FROM t WHERE x IN (SELECT y FROM u) OR x > 0");
    await stream.next();
    const e = await rejectsWith(db.query("DROP TABLE t"), "55006");
    assert.match(e.message, /open query stream/);
    await rejectsWith(db.query("ALTER TABLE u ADD COLUMN z INT"), "55006"); // read by a subquery
    await stream.close();
    assert.equal(stream.state, "closed");
    assert.equal(stream.command, null, "closed early: no tag");
    await db.query("DROP TABLE t");
    await db.query("DROP TABLE u");
    assert.equal(db.stats().activeTransactions, 0);
    await s.close();
  });
});

Deno.test("stream: break in for-await closes it; pulling again after a pause resumes", async () => {
  await withDb(async (db) => {
    const s = db.session();
    const stream = await s.stream("SELECT x FROM generate_series(1, 9000) AS g(x)");
    const a = await stream.next();
    await new Promise((r) => setTimeout(r, 20)); // a consumer that pauses (a suspended portal)
    const b = await stream.next();
    assert.ok(!a.done && !b.done);
    assert.equal(batchRows(b.value)[0]![0], a.value.length + 1);
    for await (const _ of stream) break;
    assert.equal(stream.state, "closed");
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    assert.equal(db.stats().activeTransactions, 0);
    await s.close();
  });
});

Deno.test("stream: the statement timeout ends an idle stream (57014) and releases it", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    await db.query("INSERT INTO t SELECT x FROM generate_series(1, 5000) g(x)");
    const s = db.session();
    const stream = await s.stream("SELECT x FROM t", [], { timeoutMs: 50 });
    assert.ok(!(await stream.next()).done);
    await new Promise((r) => setTimeout(r, 150)); // nobody pulls meanwhile
    assert.equal(stream.state, "failed");
    assert.equal(db.stats().activeTransactions, 0, "released without a pull");
    await db.query("DROP TABLE t"); // no longer pinned
    const e = await rejectsWith(stream.next(), "57014");
    assert.match(e.message, /statement timeout/);
    await s.close();
  });
});

Deno.test("stream: an AbortSignal cancels it (57014), also in a running pull", async () => {
  await withDb(async (db) => {
    const s = db.session();
    const ac = new AbortController();
    const stream = await s.stream(
      "SELECT x FROM generate_series(1, 100000) AS g(x)",
      [],
      { signal: ac.signal },
    );
    assert.ok(!(await stream.next()).done);
    ac.abort();
    await rejectsWith(stream.next(), "57014");
    assert.equal(stream.state, "failed");
    assert.equal(db.stats().activeTransactions, 0);
    await s.close();
  });
});

Deno.test("stream: the result-row limit applies while streaming (54000)", async () => {
  await withDb(async (db) => {
    const s = db.session();
    const stream = await s.stream("SELECT x FROM generate_series(1, 10000) AS g(x)");
    let rows = 0;
    const e = await rejectsWith(
      (async () => {
        for await (const b of stream) rows += b.length;
      })(),
      "54000",
    );
    assert.match(e.message, /more than 3000 rows/);
    assert.ok(rows <= 3000 + 2048, `${rows} rows came before the error`);
    await s.close();
  }, { memory: true, limits: { queryResultRowsMax: 3000 } });
});

Deno.test("stream: an error while streaming fails the BEGIN block (25P02 after it)", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    const s = db.session();
    await s.query("BEGIN");
    await s.query("INSERT INTO t VALUES (1)");
    const stream = await s.stream("SELECT 1 / (x - 3000) FROM generate_series(1, 5000) AS g(x)");
    const batches: Batch[] = [];
    await rejectsWith(
      (async () => {
        for await (const b of stream) batches.push(b);
      })(),
      "22012",
    );
    assert.ok(batches.length >= 1, "rows before the error came out");
    assert.equal(s.transactionStatus, "failed");
    await rejectsWith(s.query("SELECT 1"), "25P02");
    await s.query("ROLLBACK");
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 0n);
    await s.close();
  });
});

Deno.test("stream: inside a block it sees the block's own rows; COMMIT ends the stream", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    const s = db.session();
    await s.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    await s.query("INSERT INTO t SELECT x FROM generate_series(1, 5000) g(x)");
    const stream = await s.stream("SELECT x FROM t");
    assert.ok(!(await stream.next()).done);
    assert.equal(s.transactionStatus, "active");
    await s.query("COMMIT");
    await rejectsWith(stream.next(), "34000");
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 5000n);
    await s.close();
  });
});

Deno.test("stream: a multi-statement message's implicit transaction ends with the stream", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    const s = db.session();
    // an error in the streamed last statement rolls back the statements before it
    const bad = await s.stream(
      "INSERT INTO t VALUES (1); SELECT 1 / (x - 3000) FROM generate_series(1, 5000) AS g(x)",
    );
    assert.equal(s.transactionStatus, "idle", "the stream owns the implicit transaction");
    await rejectsWith(firstColumn(bad), "22012");
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 0n);
    // read to the end (or closed early) it commits
    const good = await s.stream("INSERT INTO t VALUES (2); SELECT x FROM t");
    assert.deepEqual(
      await db.query("SELECT count(*) FROM t").then((r) => r.rows[0]![0]),
      0n,
      "not committed while the stream is open",
    );
    assert.deepEqual(await firstColumn(good), [2], "the stream sees its transaction's row");
    assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 1n);
    await s.close();
  });
});

Deno.test("stream: next(maxRows) returns at most that many rows and resumes where it stopped", async () => {
  await withDb(async (db) => {
    const s = db.session();
    const stream = await s.stream("SELECT x FROM generate_series(1, 5000) AS g(x)");
    const seen: unknown[] = [];
    const sizes: number[] = [];
    for (;;) {
      const r = await stream.next(7); // a portal executed 7 rows at a time
      if (r.done) break;
      sizes.push(r.value.length);
      for (const row of batchRows(r.value)) seen.push(row[0]);
    }
    assert.ok(sizes.every((n) => n >= 1 && n <= 7), String(sizes.filter((n) => n > 7)));
    assert.deepEqual(seen, Array.from({ length: 5000 }, (_, i) => i + 1));
    assert.equal(stream.command, "SELECT 5000");
    // mixed with whole batches, and closed while rows of a batch are still held
    const again = await s.stream("SELECT x FROM generate_series(1, 5000) AS g(x)");
    const a = await again.next(3);
    const b = await again.next();
    assert.ok(!a.done && !b.done);
    assert.deepEqual(batchRows(b.value)[0], [4]);
    assert.equal(b.value.length, 2048 - 3, "the rest of the first batch");
    await again.close();
    assert.equal(again.rowCount, 2048);
    assert.equal(db.stats().activeTransactions, 0);
    await s.close();
  });
});
