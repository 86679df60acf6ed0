import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { Database, defaultPlugins, type Plugin } from "../../mod.ts";
import type { Value } from "../../core/types/column.ts";
import { decodeManifest, manifestFileName } from "./manifest.ts";
import { ParquetStorage } from "./parquet_storage.ts";

/**
 * The Parquet storage with its horizon past every delete (no reader keeps an old snapshot), so
 * compaction drops deleted rows. The database does not move the horizon itself yet.
 */
const parquetPastHorizon: Plugin = {
  name: "storage_parquet",
  apiVersion: 1,
  register(registry) {
    registry.addStorage({
      name: "parquet",
      async open(context) {
        const s = await ParquetStorage.open(context);
        s.setHorizon(BigInt(Number.MAX_SAFE_INTEGER));
        return s;
      },
    });
  },
};
const plugins = defaultPlugins.map((p) => p.name === "storage_parquet" ? parquetPastHorizon : p);

const ddl = "CREATE TABLE m (tstz TIMESTAMPTZ NOT NULL, i INTEGER, b BIGINT, d DOUBLE PRECISION, " +
  "s TEXT, flag BOOLEAN, dt DATE, ts TIMESTAMP) WITH (timestamp = 'tstz', partition_by = 'hour')";

/** Row n of the test table: every type, a NULL in each nullable column now and then. */
function rowSql(n: number): string {
  const nul = (every: number, v: string) => n % every === 0 ? "NULL" : v;
  const hour = n % 3;
  const tstz = `'2024-03-01 0${hour}:${String(n % 60).padStart(2, "0")}:00.${
    String(n * 7919 % 1_000_000).padStart(6, "0")
  }+00'`;
  const text = ["'a'", "''", "'héllo 🦆'", "'it''s'", `'row ${n}'`][n % 5]!;
  return `(${tstz}, ${nul(5, String(n * 1000 - 50_000))}, ` +
    `${nul(6, String(BigInt(n) * 123_456_789_012n - 9_000_000_000_000n))}, ` +
    `${nul(7, String(n / 8 - 3.3))}, ${nul(4, text)}, ${nul(3, n % 2 === 0 ? "true" : "false")}, ` +
    `${nul(8, `'19${50 + n % 50}-0${1 + n % 9}-1${n % 9}'`)}, ` +
    `${nul(9, `'2001-02-03 04:05:0${n % 10}.${String(n).padStart(6, "0")}'`)})`;
}

Deno.test("DuckDB reads the table's Parquet files (hive partitions, deletes compacted away) as OmenDB's SELECT returns it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb-interop-" });
  // partitionSegmentsMax 0: every checkpoint rewrites each partition, dropping deleted rows
  const db = await Database.open({ path: dir, plugins, limits: { partitionSegmentsMax: 0 } });
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  try {
    await db.query(ddl);
    const n = 120;
    await db.query(`INSERT INTO m VALUES ${Array.from({ length: n }, (_, i) => rowSql(i)).join()}`);
    await db.query("DELETE FROM m WHERE i % 3000 = 0"); // deletes in the memtable
    await db.query("CHECKPOINT");
    await db.query("DELETE FROM m WHERE s = 'a'"); // deletes in flushed segments
    await db.query(
      `INSERT INTO m VALUES ${Array.from({ length: 20 }, (_, i) => rowSql(n + i)).join()}`,
    );
    await db.query("CHECKPOINT");
    const path = `${dir}/${manifestFileName}`;
    const table = decodeManifest(await Deno.readFile(path), path).tables[0]!;
    assert.equal(table.partitions.length, 3);
    for (const p of table.partitions) assert.deepEqual(p.segments.map((s) => s.deletedRows), [[]]);

    const ours = (await db.query("SELECT * FROM m ORDER BY tstz, i")).rows;
    assert.ok(ours.length > 80 && ours.length < n + 20, `${ours.length} rows after deletes`);
    const glob = `${dir}/${table.folder}/**/*.parquet`;
    const reader = await conn.runAndReadAll(
      `SELECT epoch_us(tstz), i, b, d, s, flag, dt - DATE '1970-01-01', epoch_us(ts)
       FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY tstz, i`,
    );
    const theirs = reader.getRows();
    assert.equal(theirs.length, ours.length);
    // OmenDB: timestamps are microseconds and dates days since 1970 (numbers), BIGINT a bigint
    const canonical = (v: unknown): Value =>
      typeof v === "bigint" && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v as Value;
    ours.forEach((row, r) => {
      const want = row.map(canonical);
      want[2] = row[2] ?? null; // BIGINT stays a bigint on both sides
      const got = theirs[r]!.map((v, c) => c === 2 ? v : canonical(v));
      assert.deepEqual(got, want, `row ${r}`);
    });
    const parts = await conn.runAndReadAll(
      `SELECT DISTINCT tstz_hour FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY 1`,
    );
    assert.deepEqual(parts.getRows().map((r) => String(r[0])), [
      "2024-03-01T00",
      "2024-03-01T01",
      "2024-03-01T02",
    ]);
  } finally {
    conn.closeSync();
    duck.closeSync();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
