import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { type Env, MemoryFileSystem, realEnv, SeededRandom } from "../../core/env/mod.ts";
import { defaultLimits } from "../../core/limits.ts";
import { columnFromValues, valueAt } from "../../core/types/column.ts";
import { Types } from "../../core/types/mod.ts";
import type { Value } from "../../core/types/column.ts";
import { ParquetStorage } from "./parquet_storage.ts";
import { decodeManifest, manifestFileName } from "./manifest.ts";
import type { TableOptions, TableSchema } from "../../core/catalog/table.ts";
import type { DataType } from "../../core/types/data_type.ts";
import type { RowView, ScanRequest } from "../../core/plugin/storage.ts";
import { storageConformance } from "../../core/plugin/storage_conformance.ts";

function memEnv(): Env & { fs: MemoryFileSystem } {
  return { ...realEnv(), fs: new MemoryFileSystem() };
}

async function rows(db: Database, sql: string): Promise<readonly (readonly Value[])[]> {
  return (await db.query(sql)).rows;
}

async function files(env: Env, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const name of await env.fs.readDir(`${dir}/${rel}`)) {
      const p = rel === "" ? name : `${rel}/${name}`;
      if ((await env.fs.stat(`${dir}/${p}`))?.isDirectory) await walk(p);
      else out.push(p);
    }
  };
  await walk("");
  return out.sort();
}

storageConformance("parquet", async () => {
  const engine = await ParquetStorage.open({ env: memEnv(), dir: "/db", limits: defaultLimits });
  return { engine, close: () => engine.close() };
});

// every step ends in a checkpoint that also rewrites each partition (partitionSegmentsMax 0):
// marks ride memtable -> segment -> merged segment, in memory only
storageConformance("parquet (checkpoint between steps)", async () => {
  const limits = { ...defaultLimits, partitionSegmentsMax: 0 };
  const engine = await ParquetStorage.open({ env: memEnv(), dir: "/db", limits });
  let lsn = 1_000_000n;
  return {
    engine,
    close: () => engine.close(),
    settle: async () => void await engine.checkpoint(lsn++, null),
  };
});

// the same in the checkpoint Worker, merging once a partition has two segments
storageConformance("parquet (background checkpoint between steps)", async () => {
  const limits = { ...defaultLimits, partitionSegmentsMax: 1 };
  const engine = await ParquetStorage.open({ env: memEnv(), dir: "/db", limits });
  let lsn = 1_000_000n;
  return {
    engine,
    close: () => engine.close(),
    settle: async () => void await engine.checkpointInBackground(lsn++, null),
  };
});

const cpuDdl = "CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host VARCHAR, usage DOUBLE PRECISION) " +
  "WITH (timestamp = 'ts', partition_by = 'day')";

Deno.test("checkpoint writes one Parquet segment per day partition in Hive folders; reopen reads them", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query(
    "INSERT INTO cpu VALUES ('2016-01-01 00:00:00+00', 'b', 1), ('2016-01-01 10:00:00+00', 'a', 2), " +
      "('2016-01-02 00:00:00+00', 'a', 3), ('2016-01-03 23:59:59+00', 'c', 4)",
  );
  await db.query("CHECKPOINT");
  const fl = await files(env, "/db");
  const segs = fl.filter((f) => f.endsWith(".parquet"));
  assert.deepEqual(segs.map((f) => f.split("/").slice(0, 3).join("/")), [
    "tables/1-cpu/ts_day=2016-01-01",
    "tables/1-cpu/ts_day=2016-01-02",
    "tables/1-cpu/ts_day=2016-01-03",
  ]);
  assert.ok(fl.includes(manifestFileName));
  // the learned index sits beside each segment
  assert.equal(fl.filter((f) => f.endsWith(".rmi")).length, 3);
  await db.close();
  env.fs.crash();
  db = await Database.open({ path: "/db", env });
  assert.deepEqual(await rows(db, "SELECT host, usage FROM cpu ORDER BY ts"), [
    ["b", 1],
    ["a", 2],
    ["a", 3],
    ["c", 4],
  ]);
  // segments are sorted by (series, time) inside: one day's rows come out by host
  assert.deepEqual(
    await rows(db, "SELECT host FROM cpu WHERE ts < '2016-01-02'"),
    [["a"], ["b"]],
  );
  await db.close();
});

Deno.test("rows after a checkpoint come back from the WAL after a power cut; uncommitted ones do not", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query("INSERT INTO cpu VALUES ('2016-01-01 00:00:00+00', 'a', 1)");
  await db.query("CHECKPOINT");
  await db.query("INSERT INTO cpu VALUES ('2016-01-01 00:00:10+00', 'a', 2)");
  await db.query("UPDATE cpu SET usage = usage * 10 WHERE ts = '2016-01-01 00:00:00+00'");
  await db.query("ALTER TABLE cpu ADD COLUMN note TEXT DEFAULT 'n'");
  env.fs.crash(); // no close: the memtables are lost, the WAL is not
  db = await Database.open({ path: "/db", env });
  assert.deepEqual(await rows(db, "SELECT usage, note FROM cpu ORDER BY ts"), [[10, "n"], [
    2,
    "n",
  ]]);
  await db.close();
});

Deno.test("deletes after a checkpoint are delete vectors in the manifest; compaction applies them", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env, limits: { partitionSegmentsMax: 2 } });
  await db.query("CREATE TABLE t (x INTEGER)");
  for (let i = 0; i < 3; i++) {
    await db.query(`INSERT INTO t SELECT g FROM generate_series(${i * 10}, ${i * 10 + 9}) AS g`);
    await db.query("CHECKPOINT");
  }
  await db.query("DELETE FROM t WHERE x % 2 = 0");
  await db.query("CHECKPOINT");
  await db.close();
  db = await Database.open({ path: "/db", env, limits: { partitionSegmentsMax: 2 } });
  assert.deepEqual(await rows(db, "SELECT count(*), sum(x) FROM t"), [[15n, 225n]]);
  // three segments were more than two: the checkpoint merged them into one, deletes applied
  assert.equal((await files(env, "/db")).filter((f) => f.endsWith(".parquet")).length, 1);
  await db.close();
});

Deno.test("dedup_keys: the last write to (keys, time) wins at read time, before and after compaction", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  await db.query(
    "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, v INTEGER) " +
      "WITH (timestamp = 'ts', dedup_keys = 'host')",
  );
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 1), ('2020-01-01', 'b', 1)");
  await db.query("CHECKPOINT");
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 2)");
  assert.deepEqual(await rows(db, "SELECT host, v FROM m ORDER BY host"), [["a", 2], ["b", 1]]);
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 3), ('2020-01-01', 'a', 4)");
  assert.deepEqual(await rows(db, "SELECT host, v FROM m ORDER BY host"), [["a", 4], ["b", 1]]);
  await db.query("CHECKPOINT");
  assert.deepEqual(await rows(db, "SELECT host, v FROM m ORDER BY host"), [["a", 4], ["b", 1]]);
  assert.deepEqual(await rows(db, "SELECT count(*) FROM m"), [[2n]]);
  await db.close();
});

Deno.test("dedup_keys: two writes to one (keys, time) before any checkpoint show the last", async () => {
  const db = await Database.open({ path: "/db", env: memEnv() });
  await db.query(
    "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, v INTEGER) " +
      "WITH (timestamp = 'ts', dedup_keys = 'host')",
  );
  // both rows land in one memtable batch (a single source): it is deduplicated too
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 1)");
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 2)");
  assert.deepEqual(await rows(db, "SELECT host, v FROM m"), [["a", 2]]);
  await db.close();
});

Deno.test("a scan at a snapshot LSN ignores rows and deletes committed after it", async () => {
  const env = memEnv();
  const s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  const col = { id: 1, name: "x", type: Types.int4, notNull: false, default: null };
  await s.createTable({ id: 1, schema: "public", name: "t", columns: [col], nextColumnId: 2 });
  await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 5n);
  await s.append(1, { columns: [columnFromValues(Types.int4, [3])], length: 1 }, 9n);
  await s.deleteRows(1, [0], 7n);
  const read = async (snapshotLsn?: bigint) => {
    const out: Value[] = [];
    const req = {
      projection: [0],
      filters: [],
      limit: null,
      signal: null,
      ...(snapshotLsn === undefined ? {} : { snapshotLsn }),
    };
    for await (const b of s.scan(1, req)) {
      for (let i = 0; i < b.length; i++) out.push(valueAt(b.columns[0]!, i));
    }
    return out;
  };
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(await read(4n), []);
    assert.deepEqual(await read(6n), [1, 2]);
    assert.deepEqual(await read(8n), [2]);
    assert.deepEqual(await read(), [2, 3]);
    await s.checkpoint(9n, null); // the same answers from segments
  }
});

Deno.test("ADD / DROP / RENAME COLUMN work over segments written before them", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query("CREATE TABLE t (a INTEGER, b TEXT)");
  await db.query("INSERT INTO t VALUES (1, 'x'), (2, 'y')");
  await db.query("CHECKPOINT");
  await db.query("ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 7");
  await db.query("ALTER TABLE t ADD COLUMN r DOUBLE PRECISION DEFAULT random()");
  await db.query("ALTER TABLE t DROP COLUMN b");
  await db.query("ALTER TABLE t RENAME COLUMN a TO aa");
  await db.query("INSERT INTO t VALUES (3, 8, 0.5)");
  const before = await rows(db, "SELECT aa, c, r FROM t ORDER BY aa");
  await db.query("CHECKPOINT");
  await db.close();
  db = await Database.open({ path: "/db", env });
  const after = await rows(db, "SELECT aa, c, r FROM t ORDER BY aa");
  assert.deepEqual(after, before);
  assert.deepEqual(after.map((r) => [r[0], r[1]]), [[1, 7], [2, 7], [3, 8]]);
  assert.ok(after.every((r) => typeof r[2] === "number"));
  await db.close();
});

Deno.test("ttl drops whole expired partitions at a checkpoint; DROP TABLE removes its files", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  await db.query(
    "CREATE TABLE old (ts TIMESTAMPTZ NOT NULL, v INTEGER) " +
      "WITH (timestamp = 'ts', partition_by = 'day', ttl = '30 days')",
  );
  await db.query("INSERT INTO old VALUES ('2016-01-01', 1), (now(), 2)");
  await db.query("CHECKPOINT");
  assert.deepEqual(await rows(db, "SELECT v FROM old"), [[2]]);
  await db.query("DROP TABLE old");
  await db.query("CHECKPOINT");
  assert.deepEqual((await files(env, "/db")).filter((f) => f.startsWith("tables/")), []);
  await db.close();
});

Deno.test("time filters prune partitions and segments: the storage returns fewer rows", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query(
    "INSERT INTO cpu SELECT timestamptz '2016-01-01' + g * interval '1 hour', 'h', g " +
      "FROM generate_series(0, 95) AS g",
  );
  await db.query("CHECKPOINT");
  const r = await db.query(
    "EXPLAIN ANALYZE SELECT count(*) FROM cpu WHERE ts >= '2016-01-04' AND ts < '2016-01-04 12:00'",
  );
  const scanLine = r.rows.map((x) => String(x[0])).find((l) => l.includes("Scan"));
  assert.ok(scanLine, r.rows.join("\n"));
  // 96 rows in 4 day partitions: only the last day's partition is read, and its learned index
  // narrows that to about the 12 rows asked for
  const scanned = Number(/rows=(\d+)/.exec(scanLine!)![1]);
  assert.ok(scanned >= 12 && scanned <= 24, scanLine);
  assert.deepEqual(
    await rows(db, "SELECT count(*) FROM cpu WHERE ts >= '2016-01-04' AND ts < '2016-01-04 12:00'"),
    [[12n]],
  );
  await db.close();
});

Deno.test("bad table options are 22023 / 42703 with a position", async () => {
  const db = await Database.open({ memory: true });
  const code = async (sql: string) => {
    try {
      await db.query(sql);
      return "ok";
    } catch (e) {
      assert.ok(e instanceof DbError);
      assert.ok(e.position !== undefined, `no position for ${sql}`);
      return e.code;
    }
  };
  assert.equal(await code("CREATE TABLE a (t TIMESTAMP) WITH (timestamp = 'nope')"), "42703");
  assert.equal(await code("CREATE TABLE a (t INTEGER) WITH (timestamp = 't')"), "22023");
  assert.equal(
    await code("CREATE TABLE a (t TIMESTAMP) WITH (timestamp = 't', partition_by = 'fortnight')"),
    "22023",
  );
  assert.equal(
    await code("CREATE TABLE a (t TIMESTAMP) WITH (timestamp = 't', ttl = 'soon')"),
    "22023",
  );
  assert.equal(await code("CREATE TABLE a (t TIMESTAMP) WITH (colour = 'red')"), "22023");
  assert.equal(await code("CREATE TABLE a (t TIMESTAMP) WITH (partition_by = 'day')"), "22023");
  assert.equal(
    await code("CREATE TABLE a (t TIMESTAMP, h TEXT) WITH (timestamp = t, dedup_keys = 'h')"),
    "ok",
  );
  assert.equal(await code("ALTER TABLE a DROP COLUMN t"), "2BP01");
  await db.close();
});

Deno.test("a damaged manifest stops the open with XX001; a damaged segment fails the read, not the process", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query("CREATE TABLE t (x INTEGER)");
  await db.query("INSERT INTO t VALUES (1)");
  await db.query("CHECKPOINT");
  await db.close();
  const seg = (await files(env, "/db")).find((f) => f.endsWith(".parquet"))!;
  const good = (await env.fs.readFile(`/db/${seg}`))!;
  const bad = good.slice();
  bad[Math.floor(bad.length / 3)]! ^= 0xff;
  await env.fs.writeFileAtomic(`/db/${seg}`, bad);
  db = await Database.open({ path: "/db", env });
  await assert.rejects(
    db.query("SELECT * FROM t"),
    (e) => e instanceof DbError && e.code === "XX001",
  );
  await db.close();
  await env.fs.writeFileAtomic(`/db/${seg}`, good);
  const manifest = (await env.fs.readFile(`/db/${manifestFileName}`))!;
  const text = new TextDecoder().decode(manifest).replace('"rows":1', '"rows":2');
  await env.fs.writeFileAtomic(`/db/${manifestFileName}`, new TextEncoder().encode(text));
  await assert.rejects(
    Database.open({ path: "/db", env }),
    (e) => e instanceof DbError && e.code === "XX001" && /manifest/.test(e.message),
  );
});

Deno.test("files the manifest does not name (a crash mid-checkpoint) are removed at open", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query("CREATE TABLE t (x INTEGER)");
  await db.query("INSERT INTO t VALUES (1)");
  await db.close();
  await env.fs.mkdirp("/db/tables/1-t");
  await env.fs.writeFileAtomic("/db/tables/1-t/0000000099.parquet", new Uint8Array([1, 2, 3]));
  db = await Database.open({ path: "/db", env });
  assert.ok(!(await files(env, "/db")).includes("tables/1-t/0000000099.parquet"));
  assert.deepEqual(await rows(db, "SELECT x FROM t"), [[1]]);
  await db.close();
});

Deno.test("host equality and time ranges read one series near the range (learned index); answers equal memory's", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  const mem = await Database.open({ memory: true });
  const fill = "INSERT INTO cpu SELECT timestamptz '2016-01-01' + (g / 10) * interval '1 minute' " +
    "+ (g % 7) * interval '1 second', 'h' || (g % 10), g FROM generate_series(0, 9999) AS g";
  for (const d of [db, mem]) {
    await d.query(cpuDdl);
    await d.query(fill);
  }
  await db.query("CHECKPOINT");
  const scanRows = async (sql: string) => {
    const r = await db.query(`EXPLAIN ANALYZE ${sql}`);
    const line = r.rows.map((x) => String(x[0])).find((l) => l.includes("Scan"))!;
    return Number(/rows=(\d+)/.exec(line)![1]);
  };
  const q = "SELECT count(*) FROM cpu WHERE host = 'h3' AND ts >= '2016-01-01 10:00' " +
    "AND ts < '2016-01-01 11:00'";
  assert.deepEqual(await rows(db, q), await rows(mem, q));
  // 60 matching rows in the segment: the index window may add a few, never the other hosts'
  const scanned = await scanRows(q);
  assert.ok(scanned >= 60 && scanned < 100, `scan rows ${scanned}`);
  await db.query(fill.replace("'2016-01-01'", "'2016-01-01 03:00'")); // memtable rows too
  await mem.query(fill.replace("'2016-01-01'", "'2016-01-01 03:00'"));
  const rnd = new SeededRandom(7);
  for (let i = 0; i < 60; i++) {
    const a = Math.floor(rnd.nextFloat() * 2000), b = a + Math.floor(rnd.nextFloat() * 400);
    const host = rnd.nextFloat() < 0.5 ? `AND host = 'h${Math.floor(rnd.nextFloat() * 11)}'` : "";
    const lo = rnd.nextFloat() < 0.8
      ? `ts >= timestamptz '2016-01-01' + ${a} * interval '1 minute'`
      : "true";
    const hi = rnd.nextFloat() < 0.8
      ? `ts <= timestamptz '2016-01-01' + ${b} * interval '1 minute'`
      : "true";
    const sql = `SELECT count(*), sum(usage) FROM cpu WHERE ${lo} AND ${hi} ${host}`;
    assert.deepEqual(await rows(db, sql), await rows(mem, sql), sql);
  }
  await db.close();
  await mem.close();
});

Deno.test("ALTER TABLE ... DROP PARTITION drops whole partitions, logged and checkpointed", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query(
    "INSERT INTO cpu VALUES ('2016-01-01 01:00+00', 'a', 1), ('2016-01-02 01:00+00', 'a', 2), " +
      "('2016-01-03 01:00+00', 'a', 3)",
  );
  await db.query("CHECKPOINT");
  await db.query("INSERT INTO cpu VALUES ('2016-01-02 02:00+00', 'b', 4)");
  await db.query("ALTER TABLE cpu DROP PARTITION LIST '2016-01-02', '2016-01-09'");
  assert.deepEqual(await rows(db, "SELECT usage FROM cpu ORDER BY ts"), [[1], [3]]);
  env.fs.crash(); // replayed from the WAL
  db = await Database.open({ path: "/db", env });
  assert.deepEqual(await rows(db, "SELECT usage FROM cpu ORDER BY ts"), [[1], [3]]);
  await db.query("ALTER TABLE cpu DROP PARTITION '2016-01-01'");
  await db.query("CHECKPOINT");
  assert.ok(!(await files(env, "/db")).some((f) => f.includes("ts_day=2016-01-01")));
  await assert.rejects(
    db.query("ALTER TABLE cpu DROP PARTITION 2016"),
    (e) => e instanceof DbError && e.code === "42601",
  );
  await db.query("CREATE TABLE plain (x INTEGER)");
  await assert.rejects(
    db.query("ALTER TABLE plain DROP PARTITION 'all'"),
    (e) => e instanceof DbError && e.code === "42809",
  );
  await db.close();
});

Deno.test("the last point per host comes from the latest-row table, kept at ingest and rebuilt after changes", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  const mem = await Database.open({ memory: true });
  const lastpoint = "SELECT DISTINCT ON (host) host, ts, usage FROM cpu ORDER BY host, ts DESC";
  const scanRows = async () => {
    const r = await db.query(`EXPLAIN ANALYZE ${lastpoint}`);
    const line = r.rows.map((x) => String(x[0])).find((l) => l.includes("Scan"))!;
    return Number(/rows=(\d+)/.exec(line)![1]);
  };
  const fill = (day: string) =>
    `INSERT INTO cpu SELECT timestamptz '${day}' + (g / 5) * interval '1 minute', ` +
    `'h' || (g % 5), g FROM generate_series(0, 999) AS g`;
  for (const d of [db, mem]) {
    await d.query(cpuDdl);
    await d.query(fill("2016-01-01"));
  }
  const same = async () => assert.deepEqual(await rows(db, lastpoint), await rows(mem, lastpoint));
  await same();
  assert.equal(await scanRows(), 5); // built by the first query: five hosts, five rows
  await db.query("CHECKPOINT");
  for (const d of [db, mem]) await d.query(fill("2016-01-02"));
  await same();
  assert.equal(await scanRows(), 5); // kept up to date by the appends
  for (const d of [db, mem]) {
    await d.query("DELETE FROM cpu WHERE ts > '2016-01-02 03:00' AND host = 'h2'");
  }
  await same(); // a delete may remove a latest row: rebuilt
  assert.equal(await scanRows(), 5);
  await db.close();
  db = await Database.open({ path: "/db", env });
  await same(); // and after a restart
  // a DISTINCT ON that is not by the series key reads every row, with the same answer
  const other =
    "SELECT DISTINCT ON (usage > 10) usage > 10, ts FROM cpu ORDER BY usage > 10, ts DESC";
  assert.deepEqual(await rows(db, other), await rows(mem, other));
  await db.close();
  await mem.close();
});

Deno.test("background checkpoints (in the Worker) run under inserts and queries; deletes wait for them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const events: Record<string, unknown>[] = [];
    const limits = { memtableBytesMax: 200_000, partitionSegmentsMax: 4 };
    let db = await Database.open({ path: dir, limits, log: (e) => events.push(e) });
    const mem = await Database.open({ memory: true });
    for (const d of [db, mem]) await d.query(cpuDdl);
    for (let i = 0; i < 30; i++) {
      const sql = "INSERT INTO cpu SELECT timestamptz '2016-01-01' + " +
        `(g + ${
          i * 2000
        }) * interval '10 second', 'h' || (g % 13), g FROM generate_series(0, 1999) AS g`;
      await db.query(sql);
      await mem.query(sql);
      if (i % 7 === 3) {
        for (const d of [db, mem]) await d.query(`DELETE FROM cpu WHERE usage = ${i}`);
      }
      const q = "SELECT count(*), sum(usage), min(ts), max(ts) FROM cpu";
      assert.deepEqual(await rows(db, q), await rows(mem, q));
    }
    assert.ok(events.some((e) => e.event === "checkpoint" && e.background === true));
    await db.close();
    db = await Database.open({ path: dir, limits });
    const q = "SELECT host, count(*), sum(usage) FROM cpu GROUP BY host ORDER BY host";
    assert.deepEqual(await rows(db, q), await rows(mem, q));
    await db.close();
    await mem.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a dropped table's folder goes at the next checkpoint; verifyDir reads without writing", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query("INSERT INTO cpu VALUES ('2016-01-01 00:00:00+00', 'b', 1)");
  await db.query("CHECKPOINT");
  assert.deepEqual(await env.fs.readDir("/db/tables"), ["1-cpu"]);
  let report = await ParquetStorage.verifyDir({ env, dir: "/db", limits: defaultLimits });
  assert.deepEqual(report, { problems: [], segments: 1, rows: 1 });
  // a folder the manifest does not name (a crash between manifest and removal) is a warning
  await db.query("DROP TABLE cpu");
  await env.fs.mkdirp("/db/tables/7-old/ts_day=2016-01-01");
  await env.fs.writeFileAtomic("/db/tables/7-old/ts_day=2016-01-01/x.parquet", new Uint8Array(4));
  report = await ParquetStorage.verifyDir({ env, dir: "/db", limits: defaultLimits });
  assert.deepEqual(report.problems.map((p) => `${p.severity} ${p.file}`), [
    "warning tables/7-old",
  ]);
  assert.deepEqual(
    await env.fs.readDir("/db/tables"),
    ["1-cpu", "7-old"],
    "verifyDir removed nothing",
  );
  await db.query("CHECKPOINT");
  assert.deepEqual(await env.fs.readDir("/db/tables"), ["7-old"]);
  await db.close();
  const again = await Database.open({ path: "/db", env });
  assert.deepEqual(
    await env.fs.readDir("/db/tables"),
    [],
    "the next open removes the stray folder",
  );
  await again.close();
});

Deno.test("TRUNCATE keeps the table's folder: the recreated table's segments survive checkpoints", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query(cpuDdl);
  await db.query("INSERT INTO cpu VALUES ('2016-01-01 00:00:00+00', 'a', 1)");
  await db.query("CHECKPOINT");
  await db.query("TRUNCATE cpu");
  await db.query("INSERT INTO cpu VALUES ('2016-01-02 00:00:00+00', 'b', 2)");
  await db.query("CHECKPOINT");
  assert.deepEqual(await rows(db, "SELECT host FROM cpu"), [["b"]]);
  await db.close();
  db = await Database.open({ path: "/db", env });
  assert.deepEqual(await rows(db, "SELECT host FROM cpu"), [["b"]]);
  await db.close();
});

Deno.test("VERIFY DATABASE: no rows when clean, one row per problem (a damaged segment)", async () => {
  const env = memEnv();
  const db = await Database.open({ path: "/db", env });
  await db.query("CREATE TABLE t (x INTEGER, s TEXT)");
  await db.query("INSERT INTO t VALUES (1, 'a'), (2, 'b'); CHECKPOINT");
  const clean = await db.query("VERIFY DATABASE");
  assert.deepEqual([clean.command, clean.rows], ["SELECT 0", []]);
  const seg = (await files(env, "/db")).find((f) => f.endsWith(".parquet"))!;
  const bytes = (await env.fs.readFile(`/db/${seg}`))!;
  bytes[10]! ^= 0xff;
  await env.fs.writeFileAtomic(`/db/${seg}`, bytes);
  const bad = await db.query("VERIFY DATABASE");
  assert.ok(bad.rows.length > 0 && String(bad.rows[0]![0]).includes(seg), JSON.stringify(bad.rows));
  await db.close();
});

Deno.test("a manifest temp file left by a crash is removed at open", async () => {
  const env = memEnv();
  let db = await Database.open({ path: "/db", env });
  await db.query("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); CHECKPOINT");
  await db.close();
  await env.fs.writeFileAtomic("/db/manifest.json.tmp-1234", new Uint8Array([1, 2]));
  db = await Database.open({ path: "/db", env });
  assert.ok(!(await env.fs.readDir("/db")).some((n) => n.includes(".tmp-")));
  assert.deepEqual(await rows(db, "SELECT x FROM t"), [[1]]);
  await db.close();
});

Deno.test("wal.sync: each writing result says fsync or interval; interval writes survive a reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE t (x INTEGER)");
    const r = await db.query("INSERT INTO t VALUES (1)");
    assert.equal(r.durability, "fsync");
    assert.equal((await db.query("SELECT x FROM t")).durability, undefined); // nothing written
    await db.close();
    db = await Database.open({ path: dir, wal: { sync: "interval", syncIntervalMs: 10 } });
    const i = await db.query("INSERT INTO t VALUES (2)");
    assert.equal(i.durability, "interval");
    await db.close();
    db = await Database.open({ path: dir });
    assert.deepEqual(await rows(db, "SELECT x FROM t ORDER BY x"), [[1], [2]]);
    await db.close();
    const mem = await Database.open({ memory: true });
    await mem.query("CREATE TABLE t (x INTEGER)");
    assert.equal((await mem.query("INSERT INTO t VALUES (1)")).durability, undefined);
    await mem.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- MVCC marks in the Parquet engine (the shared cases are in storageConformance above) ----

/** A time-series table: ts (id 1), host (id 2), v (id 3); segments sort by (host, ts). */
function seriesTable(id: number, options: Partial<TableOptions> = {}): TableSchema {
  const col = (cid: number, name: string, type: DataType) => ({
    id: cid,
    name,
    type,
    notNull: false,
    default: null,
  });
  return {
    id,
    schema: "public",
    name: `s${id}`,
    columns: [col(1, "ts", Types.timestamp), col(2, "host", Types.text), col(3, "v", Types.int4)],
    nextColumnId: 4,
    options: {
      timestampColumnId: 1,
      partitionBy: "none",
      ttlMicros: null,
      dedupKeyColumnIds: [],
      ...options,
    },
  };
}

/** Appends (ts, host, v) rows to a {@link seriesTable}. */
async function putSeries(
  s: ParquetStorage,
  id: number,
  rows: readonly (readonly [number, string, number])[],
  lsn: bigint,
): Promise<void> {
  await s.append(id, {
    columns: [
      columnFromValues(Types.timestamp, rows.map((r) => r[0])),
      columnFromValues(Types.text, rows.map((r) => r[1])),
      columnFromValues(Types.int4, rows.map((r) => r[2])),
    ],
    length: rows.length,
  }, lsn);
}

/** Column `pos` of the rows a view sees, in scan order. */
async function scanColumn(
  s: ParquetStorage,
  id: number,
  pos: number,
  view: RowView = {},
  extra: Partial<ScanRequest> = {},
): Promise<Value[]> {
  const out: Value[] = [];
  const req = { projection: [pos], filters: [], limit: null, signal: null, ...view, ...extra };
  for await (const b of s.scan(id, req)) {
    for (let i = 0; i < b.length; i++) out.push(valueAt(b.columns[0]!, i));
  }
  return out;
}

/** Positions (ascending) in a view of the rows whose column `pos` is one of `values`. */
async function positionsOf(
  s: ParquetStorage,
  id: number,
  pos: number,
  view: RowView,
  values: readonly Value[],
): Promise<number[]> {
  const out: number[] = [];
  (await scanColumn(s, id, pos, view)).forEach((v, i) => {
    if (values.includes(v)) out.push(i);
  });
  assert.equal(out.length, values.length);
  return out;
}

const numeric = (vs: Value[]) => vs.sort((a, b) => (a as number) - (b as number));

/** The manifest's delete vectors: per segment, [row, LSN] pairs. */
async function manifestDeletes(env: Env, dir: string): Promise<[number, number][][]> {
  const path = `${dir}/${manifestFileName}`;
  const m = decodeManifest((await env.fs.readFile(path))!, path);
  return m.tables.flatMap((t) =>
    t.partitions.flatMap((p) =>
      p.segments.map((seg) =>
        seg.deletedRows.map((r, i): [number, number] => [r, seg.deleteLsns[i]!])
      )
    )
  );
}

Deno.test("pending marks survive a checkpoint in memory only: the manifest has none, a reopen finds the rows live", async () => {
  const env = memEnv();
  let s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  await s.createTable(seriesTable(1));
  // arrival order interleaves the hosts; the segment sorts by (host, ts)
  await putSeries(s, 1, [[4, "b", 1], [3, "a", 2], [2, "b", 3], [1, "a", 4], [5, "a", 5]], 1n);
  assert.deepEqual(await scanColumn(s, 1, 2), [1, 2, 3, 4, 5]);
  assert.deepEqual(await s.markRows(1, await positionsOf(s, 1, 2, {}, [1, 4]), {}, 7), {
    kind: "marked",
  });
  assert.deepEqual(await s.markRows(1, await positionsOf(s, 1, 2, {}, [3]), {}, 9), {
    kind: "marked",
  });
  await s.deleteRows(1, await positionsOf(s, 1, 2, {}, [2]), 2n);
  await s.checkpoint(2n, { catalog: 1 });
  // the rows moved: the marks moved with them
  assert.deepEqual(await scanColumn(s, 1, 2), [4, 5, 3, 1]);
  assert.deepEqual(await scanColumn(s, 1, 2, { ownMarks: new Set([7]) }), [5, 3]);
  assert.deepEqual([...await s.markedPositions(new Set([7]))], [[1, [0, 3]]]);
  assert.deepEqual([...await s.markedPositions(new Set([9]))], [[1, [2]]]);
  assert.deepEqual(await s.markRows(1, [0], {}, 8), { kind: "marked_by_other", mark: 7 });
  // only the committed delete is on disk
  assert.deepEqual(await manifestDeletes(env, "/s"), [[[1, 2]]]);
  assert.deepEqual(await s.verify(), []);
  assert.deepEqual(
    (await ParquetStorage.verifyDir({ env, dir: "/s", limits: defaultLimits })).problems,
    [],
  );
  // mark 9 commits after the checkpoint; the next checkpoint writes that delete, not mark 7
  await s.deleteRows(1, (await s.markedPositions(new Set([9]))).get(1)!, 3n);
  await s.checkpoint(3n, { catalog: 2 });
  assert.deepEqual(await manifestDeletes(env, "/s"), [[[1, 2], [3, 3]]]);
  assert.deepEqual(await scanColumn(s, 1, 2, { ownMarks: new Set([7]) }), [5]);
  // mark 7 never commits: after a reopen its rows are live and free
  await s.close();
  s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  assert.deepEqual(s.recovered()?.catalog, { catalog: 2 });
  assert.deepEqual(await scanColumn(s, 1, 2, { ownMarks: new Set([7]) }), [4, 5, 1]);
  assert.deepEqual(await s.markedPositions(new Set([7])), new Map());
  assert.deepEqual(await s.markRows(1, [0, 2], {}, 8), { kind: "marked" });
  assert.deepEqual(await scanColumn(s, 1, 2, { snapshotLsn: 2n }), [4, 5, 3, 1]);
  await s.close();
});

Deno.test("compaction keeps marked rows and rows deleted after the horizon, drops the rest", async () => {
  const env = memEnv();
  const limits = { ...defaultLimits, partitionSegmentsMax: 2 };
  let s = await ParquetStorage.open({ env, dir: "/s", limits });
  const x = { id: 1, name: "x", type: Types.int4, notNull: false, default: null };
  await s.createTable({ id: 1, schema: "public", name: "t", columns: [x], nextColumnId: 2 });
  const put = (from: number, lsn: bigint) =>
    s.append(1, {
      columns: [columnFromValues(Types.int4, Array.from({ length: 10 }, (_, i) => from + i))],
      length: 10,
    }, lsn);
  await put(0, 1n);
  await s.checkpoint(1n, null);
  await put(10, 2n);
  await s.checkpoint(2n, null);
  await put(20, 3n); // the third segment comes from this memtable: the checkpoint merges all
  const all = Array.from({ length: 30 }, (_, i) => i);
  const early = [0, 10, 20], late = [1, 11, 21], marked = [2, 12, 22];
  await s.deleteRows(1, await positionsOf(s, 1, 0, {}, early), 4n);
  await s.deleteRows(1, await positionsOf(s, 1, 0, {}, late), 8n);
  await s.markRows(1, await positionsOf(s, 1, 0, {}, marked), {}, 5);
  s.setHorizon(6n);
  const stats = await s.checkpoint(8n, null);
  assert.equal(stats.segmentsCompacted, 3);
  const report = await ParquetStorage.verifyDir({ env, dir: "/s", limits });
  assert.equal(report.segments, 1);
  assert.equal(report.rows, 27); // the rows deleted at 4 (at or below the horizon) are gone
  const live = all.filter((v) => !early.includes(v) && !late.includes(v));
  assert.deepEqual(
    numeric(await scanColumn(s, 1, 0, { snapshotLsn: 6n })),
    all.filter((v) => !early.includes(v)),
  );
  assert.deepEqual(numeric(await scanColumn(s, 1, 0)), live);
  assert.deepEqual(
    numeric(await scanColumn(s, 1, 0, { ownMarks: new Set([5]) })),
    live.filter((v) => !marked.includes(v)),
  );
  assert.deepEqual(
    [...await s.markedPositions(new Set([5]))],
    [[1, await positionsOf(s, 1, 0, {}, marked)]],
  );
  assert.deepEqual((await manifestDeletes(env, "/s")).flat().map((d) => d[1]), [8, 8, 8]);
  // rollback after the merge
  await s.unmarkRows(new Set([5]));
  assert.deepEqual(numeric(await scanColumn(s, 1, 0, { ownMarks: new Set([5]) })), live);
  // the horizon passes the late deletes: the next rewrite drops them too
  await s.markRows(1, await positionsOf(s, 1, 0, {}, [3]), {}, 6);
  s.setHorizon(8n);
  await put(30, 9n);
  await put(40, 9n);
  await s.checkpoint(9n, null);
  await put(50, 10n);
  await s.checkpoint(10n, null); // three segments again: merged
  const after = await ParquetStorage.verifyDir({ env, dir: "/s", limits });
  assert.deepEqual([after.segments, after.rows], [1, 54]);
  assert.deepEqual(await manifestDeletes(env, "/s"), [[]]);
  assert.deepEqual(
    numeric(await scanColumn(s, 1, 0, { ownMarks: new Set([6]) })),
    [...live, ...Array.from({ length: 30 }, (_, i) => 30 + i)].filter((v) => v !== 3),
  );
  await s.close();
  s = await ParquetStorage.open({ env, dir: "/s", limits });
  assert.equal((await scanColumn(s, 1, 0, { ownMarks: new Set([6]) })).length, 54);
  await s.close();
});

Deno.test("dedup_keys: a marked row stays through the checkpoint's dedup and compaction", async () => {
  const env = memEnv();
  const s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  await s.createTable(seriesTable(1, { dedupKeyColumnIds: [2] }));
  await putSeries(s, 1, [[1, "a", 1], [1, "b", 2], [2, "a", 3]], 1n);
  await putSeries(s, 1, [[1, "b", 4]], 2n); // replaces (b, 1), in the same memtable batch
  assert.deepEqual(numeric(await scanColumn(s, 1, 2)), [1, 3, 4]);
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [1, 4]), {}, 3);
  await s.deleteRows(1, await positionsOf(s, 1, 2, {}, [3]), 3n);
  const check = async (live: number[]) => {
    assert.deepEqual(numeric(await scanColumn(s, 1, 2)), live);
    assert.deepEqual(
      numeric(await scanColumn(s, 1, 2, { ownMarks: new Set([3]) })),
      live.filter((v) => v !== 1 && v !== 4),
    );
    assert.deepEqual(
      [...await s.markedPositions(new Set([3]))],
      [[1, await positionsOf(s, 1, 2, {}, [1, 4])]],
    );
  };
  await check([1, 4]);
  await s.checkpoint(3n, null); // the memtable's dedup keeps the marked rows
  await check([1, 4]);
  await putSeries(s, 1, [[1, "c", 5]], 4n);
  await s.checkpoint(4n, null); // two segments sharing time 1: a dedup table merges them
  await check([1, 4, 5]);
  await putSeries(s, 1, [[1, "c", 6]], 5n); // replaces (c, 1)
  await check([1, 4, 6]);
  await s.unmarkRows(new Set([3]));
  assert.deepEqual(numeric(await scanColumn(s, 1, 2, { ownMarks: new Set([3]) })), [1, 4, 6]);
  assert.deepEqual(await manifestDeletes(env, "/s"), [[]]);
  await s.close();
});

Deno.test("dedup_keys: segments with disjoint times are not rewritten; a late write merges", async () => {
  const env = memEnv();
  const s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  await s.createTable(seriesTable(1, { dedupKeyColumnIds: [2] }));
  await putSeries(s, 1, [[1, "a", 1], [2, "a", 2]], 1n);
  await s.checkpoint(1n, null);
  await putSeries(s, 1, [[3, "a", 3], [4, "a", 4]], 2n);
  await s.checkpoint(2n, null);
  // in-order ingest: two segments, each written once
  assert.equal((await manifestDeletes(env, "/s")).length, 2);
  assert.deepEqual(numeric(await scanColumn(s, 1, 2)), [1, 2, 3, 4]);
  // a late write to time 2 replaces a row of the first segment: the scan deduplicates the
  // memtable against the segment it overlaps, and the checkpoint merges the two
  await putSeries(s, 1, [[2, "a", 20]], 3n);
  assert.deepEqual(numeric(await scanColumn(s, 1, 2)).map(Number).sort((a, b) => a - b), [
    1,
    3,
    4,
    20,
  ]);
  await s.checkpoint(3n, null);
  assert.equal((await manifestDeletes(env, "/s")).length, 2);
  assert.deepEqual(numeric(await scanColumn(s, 1, 2)).map(Number).sort((a, b) => a - b), [
    1,
    3,
    4,
    20,
  ]);
  // a write spanning both segments' times merges all three
  await putSeries(s, 1, [[1, "a", 10], [4, "a", 40]], 4n);
  await s.checkpoint(4n, null);
  assert.equal((await manifestDeletes(env, "/s")).length, 1);
  assert.deepEqual(numeric(await scanColumn(s, 1, 2)).map(Number).sort((a, b) => a - b), [
    3,
    10,
    20,
    40,
  ]);
  await s.close();
});

/** A file system whose next manifest write waits until `release` is called. */
class GatedFileSystem extends MemoryFileSystem {
  #gate: { reached: () => void; open: Promise<void> } | null = null;

  /** Holds the next manifest write; resolves when a checkpoint reaches it. */
  hold(): { reached: Promise<void>; release: () => void } {
    const reached = Promise.withResolvers<void>();
    const open = Promise.withResolvers<void>();
    this.#gate = { reached: reached.resolve, open: open.promise };
    return { reached: reached.promise, release: open.resolve };
  }

  override writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const gate = this.#gate;
    if (gate === null || !path.endsWith(manifestFileName)) return super.writeFileAtomic(path, data);
    this.#gate = null;
    gate.reached();
    return gate.open.then(() => super.writeFileAtomic(path, data));
  }
}

Deno.test("marks set and ended while a background checkpoint runs reach the new segments", async () => {
  const env = { ...realEnv(), fs: new GatedFileSystem() };
  // every checkpoint rewrites the partition: old segments are merged, memtables sorted
  const limits = { ...defaultLimits, partitionSegmentsMax: 0 };
  const s = await ParquetStorage.open({ env, dir: "/s", limits });
  await s.createTable(seriesTable(1));
  await putSeries(s, 1, [[9, "b", 1], [8, "a", 2], [7, "b", 3]], 1n);
  await s.checkpoint(1n, null);
  await putSeries(s, 1, [[6, "b", 4], [5, "a", 5], [4, "c", 6]], 2n);
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [2, 5]), {}, 3); // before the checkpoint
  const gate = env.fs.hold();
  const run = s.checkpointInBackground(2n, null);
  await gate.reached; // segments written, manifest not yet: the old layout is still read
  await s.unmarkRows(new Set([3]));
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [1, 6]), {}, 4); // a segment and a memtable
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [5]), {}, 5);
  gate.release();
  await run;
  assert.deepEqual(await scanColumn(s, 1, 2), [5, 2, 4, 3, 1, 6]); // one sorted segment now
  assert.deepEqual(await s.markedPositions(new Set([3])), new Map());
  assert.deepEqual([...await s.markedPositions(new Set([4]))], [[1, [4, 5]]]);
  assert.deepEqual([...await s.markedPositions(new Set([5]))], [[1, [0]]]);
  assert.deepEqual(await scanColumn(s, 1, 2, { ownMarks: new Set([3, 4, 5]) }), [2, 4, 3]);
  assert.deepEqual(await manifestDeletes(env, "/s"), [[]]);
  // and a delete committed meanwhile (callers normally wait for the checkpoint) is kept too
  const gate2 = env.fs.hold();
  await putSeries(s, 1, [[3, "a", 7]], 3n);
  const run2 = s.checkpointInBackground(3n, null);
  await gate2.reached;
  await s.deleteRows(1, (await s.markedPositions(new Set([5]))).get(1)!, 4n);
  gate2.release();
  await run2;
  assert.deepEqual(await scanColumn(s, 1, 2), [7, 2, 4, 3, 1, 6]);
  assert.deepEqual(await scanColumn(s, 1, 2, { snapshotLsn: 3n }), [7, 5, 2, 4, 3, 1, 6]);
  assert.deepEqual([...await s.markedPositions(new Set([4]))], [[1, [4, 5]]]);
  await s.close();
});

Deno.test("the latest-row table ignores marks; a scan with own marks does not use it", async () => {
  const env = memEnv();
  const s = await ParquetStorage.open({ env, dir: "/s", limits: defaultLimits });
  await s.createTable(seriesTable(1));
  await putSeries(s, 1, [[1, "a", 1], [2, "a", 2], [1, "b", 3], [3, "b", 4]], 1n);
  const last = (view: RowView = {}) =>
    scanColumn(s, 1, 2, view, { latestBy: [2] }).then((v) => numeric(v));
  assert.deepEqual(await last(), [2, 4]); // from the latest-row table
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [4]), {}, 6);
  assert.deepEqual(await last(), [2, 4]); // the mark is not committed
  assert.deepEqual(await last({ ownMarks: new Set() }), [2, 4]);
  // the owner's view: every row it sees (a superset of the latest per series), not row 4
  assert.deepEqual(await last({ ownMarks: new Set([6]) }), [1, 2, 3]);
  await s.checkpoint(1n, null);
  assert.deepEqual(await last({ ownMarks: new Set([6]) }), [1, 2, 3]);
  await s.unmarkRows(new Set([6]));
  assert.deepEqual(await last(), [2, 4]);
  await s.markRows(1, await positionsOf(s, 1, 2, {}, [4]), {}, 7);
  await s.deleteRows(1, (await s.markedPositions(new Set([7]))).get(1)!, 2n); // the commit
  assert.deepEqual(await last(), [2, 3]);
  assert.deepEqual(await last({ snapshotLsn: 1n }), [1, 2, 3, 4]);
  await s.close();
});

Deno.test("old row versions leave the live memtable once the horizon passes their delete", async () => {
  const env = memEnv();
  const s = await ParquetStorage.open({ env, dir: "/h", limits: defaultLimits });
  const a = { id: 1, name: "a", type: Types.int4, notNull: false, default: null };
  await s.createTable({ id: 1, schema: "public", name: "t", columns: [a], nextColumnId: 2 });
  const n = 4000;
  await s.append(
    1,
    { columns: [columnFromValues(Types.int4, [...Array(n).keys()])], length: n },
    1n,
  );
  // delete every other row at LSN 2
  await s.deleteRows(1, Array.from({ length: n / 2 }, (_, i) => i), 2n);
  const count = async (req: Partial<ScanRequest> = {}) => {
    let k = 0;
    for await (
      const b of s.scan(1, { projection: [0], filters: [], limit: null, signal: null, ...req })
    ) {
      k += b.length;
    }
    return k;
  };
  const bytes = s.unflushedBytes();
  s.setHorizon(1n); // a snapshot at LSN 1 still needs them
  assert.equal(await count({ snapshotLsn: 1n }), n);
  assert.equal(s.unflushedBytes(), bytes);
  s.setHorizon(2n);
  assert.ok(s.unflushedBytes() < bytes * 0.75, `${s.unflushedBytes()} of ${bytes} bytes left`);
  assert.equal(await count(), n / 2);
  // positions in the latest view did not move: position 0 is still the first live row
  await s.deleteRows(1, [0], 3n);
  const first: Value[] = [];
  for await (const b of s.scan(1, { projection: [0], filters: [], limit: 1, signal: null })) {
    first.push(valueAt(b.columns[0]!, 0));
  }
  assert.deepEqual(first, [n / 2 + 1]);
  await s.close();
});

Deno.test("a retired segment's file stays while a scan of it is paused, and goes at the next checkpoint", async () => {
  const env = memEnv();
  // a partition with more than 2 segments is compacted into one at the next checkpoint
  const db = await Database.open({ path: "/db", env, limits: { partitionSegmentsMax: 2 } });
  await db.query("CREATE TABLE t (x INTEGER)");
  for (let k = 0; k < 2; k++) {
    await db.query(
      `INSERT INTO t SELECT x FROM generate_series(${k * 3000 + 1}, ${(k + 1) * 3000}) g(x)`,
    );
    await db.query("CHECKPOINT");
  }
  const parquet = async () => (await files(env, "/db")).filter((f) => f.endsWith(".parquet"));
  const before = await parquet();
  assert.equal(before.length, 2);
  const s = db.session();
  const stream = await s.stream("SELECT x FROM t");
  const first = await stream.next();
  assert.ok(!first.done);
  // a third segment: the checkpoint compacts all three and retires the two the scan reads
  await db.query("INSERT INTO t SELECT x FROM generate_series(6001, 7000) g(x)");
  await db.query("CHECKPOINT");
  const during = await parquet();
  assert.ok(during.some((f) => !before.includes(f)), "compacted into a new segment");
  assert.ok(
    before.every((f) => during.includes(f)),
    "the retired files stay while the scan is open",
  );
  let rows = first.value.length;
  for await (const b of stream) rows += b.length;
  assert.equal(rows, 6000, "the paused scan read its snapshot to the end");
  await db.query("INSERT INTO t VALUES (0)");
  await db.query("CHECKPOINT");
  const after = await parquet();
  assert.ok(before.every((f) => !after.includes(f)), "removed once no scan is open");
  assert.equal((await db.query("SELECT count(*) FROM t")).rows[0]![0], 7001n);
  await s.close();
  await db.close();
});

Deno.test("series lookups: all series columns (one map lookup), some of them, none, a missing series", async () => {
  const db = await Database.open({ path: "/db", env: memEnv() });
  await db.query(
    "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, region TEXT, v INTEGER) " +
      "WITH (timestamp = 'ts', dedup_keys = 'host, region')",
  );
  const values: string[] = [];
  for (let h = 0; h < 20; h++) {
    for (let t = 0; t < 5; t++) {
      values.push(`('2020-01-01 00:0${t}:00', 'h${h}', 'r${h % 3}', ${h * 10 + t})`);
    }
  }
  await db.query(`INSERT INTO m VALUES ${values.join(", ")}`);
  await db.query("CHECKPOINT");
  const q = (where: string) => rows(db, `SELECT v FROM m WHERE ${where} ORDER BY v`);
  assert.deepEqual(await q("host = 'h7' AND region = 'r1' AND ts = '2020-01-01 00:03:00'"), [[73]]);
  assert.deepEqual(await q("host = 'h7' AND region = 'r1'"), [[70], [71], [72], [73], [74]]);
  assert.deepEqual(await q("host = 'h7' AND region = 'r2'"), []);
  assert.deepEqual(await q("host = 'h7'"), [[70], [71], [72], [73], [74]]);
  assert.deepEqual(
    await q("region = 'r2' AND ts = '2020-01-01 00:01:00'"),
    [2, 5, 8, 11, 14, 17].map((h) => [h * 10 + 1]),
  );
  assert.deepEqual(await q("host = 'nope' AND region = 'r1'"), []);
  assert.deepEqual(await q("ts = '2020-01-01 00:04:00' AND v < 30"), [[4], [14], [24]]);
  await db.close();
});

Deno.test("an idle checkpoint Worker is stopped and a later checkpoint starts a new one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await Database.open({
      path: dir,
      limits: { ...defaultLimits, checkpointWorkerIdleMs: 50 },
    });
    await db.query(
      "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, v INTEGER) " +
        "WITH (timestamp = 'ts', dedup_keys = 'host')",
    );
    for (let round = 0; round < 3; round++) {
      // three days: three partitions, so the checkpoint hands two of them to the Worker
      await db.query(
        `INSERT INTO m VALUES ('2020-0${round + 1}-01', 'a', ${round}), ` +
          `('2020-0${round + 1}-02', 'a', ${round}), ('2020-0${round + 1}-03', 'a', ${round})`,
      );
      await db.query("CHECKPOINT");
      // past the idle time: the Worker of this round is gone before the next one checkpoints
      await new Promise((r) => setTimeout(r, 150));
    }
    const want = [[0], [0], [0], [1], [1], [1], [2], [2], [2]];
    assert.deepEqual(await rows(db, "SELECT v FROM m ORDER BY v"), want);
    await db.close();
    const again = await Database.open({ path: dir });
    assert.deepEqual(await rows(again, "SELECT v FROM m ORDER BY v"), want);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("latest rows in a streamed query: its snapshot's answer, also when rows commit before the first pull", async () => {
  const db = await Database.open({ path: "/db", env: memEnv() });
  await db.query(
    "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, v INTEGER) " +
      "WITH (timestamp = 'ts', dedup_keys = 'host')",
  );
  await db.query("INSERT INTO m VALUES ('2020-01-01', 'a', 1), ('2020-01-01', 'b', 1)");
  await db.query("CHECKPOINT");
  const latest = "SELECT DISTINCT ON (host) host, v FROM m ORDER BY host, ts DESC";
  const pull = async (stream: AsyncIterable<{ length: number }>) => {
    let rows = 0;
    for await (const b of stream) rows += b.length;
    return rows;
  };
  const s = db.session();
  // no commit in between: the latest-row table answers
  assert.equal(await pull(await s.stream(latest)), 2);
  assert.deepEqual(await rows(db, latest), [["a", 1], ["b", 1]]);
  // a commit after the stream took its snapshot, before its first pull: not seen
  const stream = await s.stream(
    "SELECT DISTINCT ON (host) host, v FROM m ORDER BY host, ts DESC",
  );
  await db.query("INSERT INTO m VALUES ('2020-01-02', 'a', 2), ('2020-01-02', 'c', 2)");
  const seen: unknown[][] = [];
  for await (const b of stream) {
    for (let i = 0; i < b.length; i++) seen.push(b.columns.map((c) => valueAt(c, i)));
  }
  assert.deepEqual(seen, [["a", 1], ["b", 1]]);
  // and a query after it sees the commit
  assert.deepEqual(await rows(db, latest), [["a", 2], ["b", 1], ["c", 2]]);
  await s.close();
  await db.close();
});

Deno.test("many series under a time range: short per-series ranges are gathered into batches, rows and LIMIT exact", async () => {
  const db = await Database.open({ path: "/db", env: memEnv() });
  await db.query(
    "CREATE TABLE m (ts TIMESTAMP NOT NULL, host TEXT, v INTEGER) " +
      "WITH (timestamp = 'ts', dedup_keys = 'host')",
  );
  const hosts = 3000, readings = 4;
  const values: string[] = [];
  for (let h = 0; h < hosts; h++) {
    for (let r = 0; r < readings; r++) values.push(`('2020-01-01 00:0${r}:00', 'h${h}', ${r})`);
  }
  await db.query(`INSERT INTO m VALUES ${values.join(", ")}`);
  await db.query("DELETE FROM m WHERE host = 'h7' AND v = 1");
  await db.query("CHECKPOINT");
  const between = "ts >= '2020-01-01 00:01:00' AND ts < '2020-01-01 00:03:00'";
  // two readings of every host but h7's deleted one
  assert.deepEqual(await rows(db, `SELECT count(*), sum(v) FROM m WHERE ${between}`), [[
    BigInt(hosts * 2 - 1),
    BigInt(hosts * 3 - 1),
  ]]);
  assert.deepEqual(
    await rows(db, `SELECT count(*) FROM (SELECT v FROM m WHERE ${between} LIMIT 2500) s`),
    [[2500n]],
  );
  // a range that covers the segment reads it whole
  assert.deepEqual(
    await rows(
      db,
      "SELECT count(*) FROM m WHERE ts >= '2019-01-01' AND ts <= '2020-01-01 00:03:00'",
    ),
    [[BigInt(hosts * readings - 1)]],
  );
  await db.close();
});
