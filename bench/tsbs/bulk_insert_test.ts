import assert from "node:assert/strict";
import { bulkInsertWorkload, bulkVariants } from "./bulk_insert.ts";

Deno.test("bulk-insert: every variant loads and counts the rows; one record pair each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb-bulk-test-" });
  try {
    const records = await bulkInsertWorkload({
      rows: 7_000,
      hosts: 10,
      quick: true,
      repeat: 1,
      warmup: 0,
      workDir: dir,
      engines: ["omendb", "duckdb", "sqlite"],
      log: () => {},
    });
    assert.deepEqual(records.map((r) => `${r.engine} ${r.metric}`), [
      "omendb throughput",
      "omendb peak-memory",
      "duckdb throughput",
      "duckdb peak-memory",
      "duckdb throughput-file",
      "duckdb peak-memory-file",
      "sqlite throughput",
      "sqlite peak-memory",
    ]);
    for (const r of records.filter((r) => r.unit === "rows/s")) {
      assert.ok(r.value > 0 && r.rows === 7_000 && r.note !== undefined, r.engine);
    }
    assert.match(records[2]!.note!, /not durable/);
    // the scratch directories are gone
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bulk-insert: engines not asked for are skipped", async () => {
  const records = await bulkInsertWorkload({
    rows: 10,
    hosts: 1,
    quick: true,
    repeat: 1,
    warmup: 0,
    workDir: "/nonexistent",
    engines: ["influxdb"],
    log: () => {},
  });
  assert.deepEqual(records, []);
  assert.equal(bulkVariants.length, 4);
});
