import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { type FsOp, MemoryFileSystem, realEnv, SeededRandom } from "../../core/env/mod.ts";

const ddl =
  "CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, batch BIGINT, k INTEGER, v DOUBLE PRECISION) " +
  "WITH (timestamp = 'ts', partition_by = 'hour')";
/** Small limits: the workload checkpoints every few calls and compacts often. */
const limits = { memtableBytesMax: 2048, partitionSegmentsMax: 1 };
const hourMicros = 3600 * 1_000_000;
const startMicros = Date.UTC(2024, 0, 1) * 1000;

function open(fs: MemoryFileSystem): Promise<Database> {
  return Database.open({ path: "/db", env: { ...realEnv(), fs }, limits });
}

/** Batch `b`: `rows` rows with k = 0.., v = b * 1000 + k, over three hour partitions. */
function batchColumns(b: number, rows: number) {
  const ts = new Float64Array(rows), k = new Int32Array(rows), v = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    ts[i] = startMicros + ((b * 7 + i) % 3) * hourMicros + i * 1000;
    k[i] = i;
    v[i] = b * 1000 + i;
  }
  return { ts, batch: Array.from({ length: rows }, () => b), k, v };
}

/** What calls that resolved promise, and which calls failed (their effect is unknown). */
interface Outcome {
  readonly live: Map<number, number>;
  readonly deleted: Set<number>;
  readonly uncertainInserts: Map<number, number>;
  readonly uncertainDeletes: Set<number>;
}

function emptyOutcome(): Outcome {
  return {
    live: new Map(),
    deleted: new Set(),
    uncertainInserts: new Map(),
    uncertainDeletes: new Set(),
  };
}

/** Inserts, deletes and checkpoints; a failed call is recorded as uncertain and the loop goes on. */
async function workload(db: Database, first: number, calls: number, out: Outcome): Promise<void> {
  for (let b = first; b < first + calls; b++) {
    const rows = 5 + (b % 11);
    try {
      if (b % 3 === 0) {
        const values = Array.from({ length: rows }, (_, i) => {
          const c = batchColumns(b, rows);
          return `(${
            c.ts[i]
          }::BIGINT * INTERVAL '1 microsecond' + TIMESTAMPTZ '1970-01-01 00:00:00+00', ${b}, ${i}, ${
            c.v[i]
          })`;
        });
        await db.query(`INSERT INTO t VALUES ${values.join(", ")}`);
      } else await db.insertColumns("t", batchColumns(b, rows));
      out.live.set(b, rows);
    } catch {
      out.uncertainInserts.set(b, rows);
    }
    if (b % 5 === 4) {
      const victim = [...out.live.keys()][0];
      if (victim !== undefined) {
        try {
          await db.query(`DELETE FROM t WHERE batch = ${victim}`);
          out.live.delete(victim);
          out.deleted.add(victim);
        } catch {
          out.uncertainDeletes.add(victim);
        }
      }
    }
    if (b % 7 === 6) await db.query("CHECKPOINT").catch(() => {});
  }
}

/**
 * Checks the table against the outcome and settles the uncertain calls: a batch is whole or
 * absent, never partial, never twice; acknowledged ones are there, acknowledged deletes are not.
 */
async function check(db: Database, out: Outcome, what: string): Promise<void> {
  const r = await db.query(
    "SELECT batch, count(*), count(DISTINCT k), sum(v) FROM t GROUP BY batch ORDER BY batch",
  );
  const found = new Map(r.rows.map((row) => [Number(row[0]), row.slice(1).map(Number)]));
  for (const [b, [count, distinct, sum]] of found) {
    const rows = out.live.get(b) ?? out.uncertainInserts.get(b);
    assert.ok(rows !== undefined, `${what}: batch ${b} should not be there`);
    assert.equal(count, rows, `${what}: batch ${b} has ${count} of ${rows} rows`);
    assert.equal(distinct, rows, `${what}: batch ${b} has duplicate rows`);
    assert.equal(sum, rows * b * 1000 + rows * (rows - 1) / 2, `${what}: batch ${b} values`);
  }
  for (const [b, rows] of out.live) {
    if (out.uncertainDeletes.has(b) && !found.has(b)) {
      out.live.delete(b);
      out.deleted.add(b);
      continue;
    }
    assert.ok(found.has(b), `${what}: acknowledged batch ${b} (${rows} rows) is missing`);
  }
  for (const [b, rows] of out.uncertainInserts) {
    if (found.has(b)) out.live.set(b, rows);
    else out.deleted.add(b); // must stay absent
  }
  out.uncertainInserts.clear();
  out.uncertainDeletes.clear();
  assert.deepEqual(await db.verify(), [], `${what}: verify`);
}

/** How many operations of each kind a fault-free run of the workload performs. */
async function opCountsOfWorkload(): Promise<Record<FsOp, number>> {
  const fs = new MemoryFileSystem();
  const db = await open(fs);
  await db.query(ddl);
  const before = fs.opCounts();
  const out = emptyOutcome();
  await workload(db, 1, 30, out);
  await check(db, out, "fault-free run");
  const after = fs.opCounts();
  await db.close();
  return Object.fromEntries(
    Object.entries(after).map(([op, n]) => [op, n - before[op as FsOp]]),
  ) as Record<FsOp, number>;
}

Deno.test("fault-free: the workload checkpoints, compacts and deletes", async () => {
  const counts = await opCountsOfWorkload();
  // segments, indexes and manifests are renamed into place; compactions remove old segments
  assert.ok(counts.rename > 10 && counts.remove > 10 && counts.write > 30, JSON.stringify(counts));
});

/** Runs the workload with the `nth` `op` failing, crashes (tearing unsynced tails), reopens. */
async function faultRun(op: FsOp, nth: number): Promise<"open failed" | "checked"> {
  const fs = new MemoryFileSystem();
  let db = await open(fs);
  await db.query(ddl);
  fs.failAt({ op, nth });
  const out = emptyOutcome();
  await workload(db, 1, 30, out);
  const random = new SeededRandom(nth * 31 + op.length);
  fs.crash({ tear: true, random: () => random.nextFloat() });
  const what = `${op} #${nth}`;
  try {
    db = await open(fs);
  } catch (e) {
    // allowed, if it says why; silently wrong data is not
    assert.ok(e instanceof DbError && /^[0-9A-Z]{5}$/.test(e.code), `${what}: ${e}`);
    return "open failed";
  }
  await check(db, out, `${what}, first reopen`);
  // the next calls must not bring back what the crash cut short (see WalRecordType.abort)
  await workload(db, 100, 6, out);
  fs.crash({ tear: true, random: () => random.nextFloat() });
  db = await open(fs);
  await check(db, out, `${what}, second reopen`);
  await db.close();
  return "checked";
}

for (const op of ["write", "sync", "rename", "syncDir"] as const) {
  Deno.test(`faults: the Nth ${op} fails during inserts, deletes and checkpoints; a torn crash keeps every acknowledged batch whole and nothing else`, async () => {
    const total = (await opCountsOfWorkload())[op];
    const stride = Math.ceil(total / 10);
    let checked = 0;
    for (let nth = 1 + (total % stride); nth <= total; nth += stride) {
      if (await faultRun(op, nth) === "checked") checked++;
    }
    assert.ok(checked > 0);
  });
}

Deno.test("recovery: a call that a crash cut short stays dropped after the next call commits", async () => {
  const fs = new MemoryFileSystem();
  let db = await open(fs);
  await db.query("CREATE TABLE u (x INTEGER)");
  await db.query("INSERT INTO u VALUES (1); CHECKPOINT");
  // CREATE TABLE ... AS logs its DDL record (write 1) and its rows (write 2) before the commit
  // record: write 2 fails, so the DDL record is in the log without a commit
  fs.failAt({ op: "write", nth: 2 });
  await assert.rejects(db.query("CREATE TABLE v AS SELECT 2 AS x"), DbError);
  fs.crash({ tear: true, random: () => 0.9999999 }); // the unsynced record survives
  const events: Record<string, unknown>[] = [];
  db = await Database.open({ path: "/db", env: { ...realEnv(), fs }, log: (e) => events.push(e) });
  assert.ok(events.some((e) => e.event === "wal_uncommitted_dropped"));
  assert.deepEqual((await db.query("SELECT x FROM u ORDER BY x")).rows, [[1]]);
  await db.query("INSERT INTO u VALUES (3)");
  fs.crash();
  db = await open(fs);
  assert.deepEqual((await db.query("SELECT x FROM u ORDER BY x")).rows, [[1], [3]]);
  await assert.rejects(db.query("SELECT * FROM v"), (e: DbError) => e.code === "42P01");
  await db.close();
});

Deno.test("Database.verify: clean after checkpoints; names a missing segment and a damaged WAL record", async () => {
  const fs = new MemoryFileSystem();
  const db = await open(fs);
  await db.query(ddl);
  await db.insertColumns("t", batchColumns(1, 10));
  await db.query("CHECKPOINT");
  await db.insertColumns("t", batchColumns(2, 10));
  assert.deepEqual(await db.verify(), []);
  const segment = (await fs.readDir("/db/tables/1-t/ts_hour=2024-01-01T00")).find((n) =>
    n.endsWith(".parquet")
  )!;
  await fs.remove(`/db/tables/1-t/ts_hour=2024-01-01T00/${segment}`);
  const wal = (await fs.readDir("/db/wal"))[0]!;
  const bytes = (await fs.readFile(`/db/wal/${wal}`))!;
  bytes[bytes.length - 20]! ^= 0xff; // inside the last record
  await fs.writeFileAtomic(`/db/wal/${wal}`, bytes);
  const problems = await db.verify();
  assert.equal(problems.length, 2, problems.join("\n"));
  assert.match(problems[0]!, new RegExp(`${segment}: segment file is missing`));
  assert.match(problems[1]!, /^WAL: \/db\/wal\/.*: (error|warning) at offset \d+/);
  await db.close().catch(() => {});
});
