import assert from "node:assert/strict";
import {
  batchRowCount,
  ingestBatchLines,
  ingestHttpWorkload,
  ThroughputSampler,
} from "./ingest.ts";
import { checkPrereq, prereqTest } from "../../tests/support/prereq.ts";
import { influxInstalled } from "./servers.ts";
import type { WorkloadContext } from "./record.ts";

Deno.test("throughput sampler: rows per window, windows closed at the sample times", () => {
  const s = new ThroughputSampler(1000);
  s.add(5000);
  s.sample(1250); // 5000 rows in 0.25 s
  s.add(2000);
  s.add(3000);
  s.sample(1750); // 5000 rows in 0.5 s
  s.sample(2000); // nothing acknowledged
  s.sample(2000); // empty window: ignored
  s.sample(1900); // clock went backwards: ignored
  assert.deepEqual(s.series, [[0.25, 20_000], [0.75, 10_000], [1, 0]]);
  assert.equal(s.rows, 10_000);
});

Deno.test("throughput sampler: the windows add up to the rows acknowledged", () => {
  const s = new ThroughputSampler(0);
  let t = 0, total = 0;
  for (let i = 1; i <= 50; i++) {
    s.add(i * 7);
    total += i * 7;
    t += 100 + (i % 7) * 13;
    s.sample(t);
  }
  let prev = 0, sum = 0;
  for (const [sec, rate] of s.series) {
    sum += rate * (sec - prev);
    prev = sec;
  }
  assert.ok(Math.abs(sum - total) < 1e-6, `${sum} vs ${total}`);
});

Deno.test("batch row counts cover the rows exactly, the last batch short", () => {
  const rows = 12_345;
  const batches = Math.ceil(rows / ingestBatchLines);
  let sum = 0;
  for (let i = 0; i < batches; i++) sum += batchRowCount(i, rows, ingestBatchLines);
  assert.equal(sum, rows);
  assert.equal(batchRowCount(batches - 1, rows, ingestBatchLines), rows % ingestBatchLines);
  assert.equal(batchRowCount(batches, rows, ingestBatchLines), 0);
});

function context(workDir: string, engines: WorkloadContext["engines"]): WorkloadContext {
  return {
    rows: 12_000,
    hosts: 10,
    quick: true,
    repeat: 1,
    warmup: 0,
    workDir,
    engines,
    log: () => {},
  };
}

Deno.test("ingest-http on OmenDB: throughput with a series, CPU, and resources records", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb-ingest-test-" });
  try {
    const records = await ingestHttpWorkload(context(dir, ["omendb-http"]));
    const metric = (w: string, m: string) =>
      records.find((r) => r.workload === w && r.metric === m && r.engine === "omendb-http");
    const tp = metric("ingest-http", "throughput");
    assert.ok(tp !== undefined && tp.value > 0 && tp.unit === "rows/s" && tp.rows === 12_000);
    assert.ok((tp.series?.length ?? 0) >= 1);
    assert.ok(metric("ingest-http", "cpu-seconds")!.value > 0);
    for (const m of ["peak-memory", "rss-after", "disk", "restart", "recovery", "raw-payload"]) {
      const r = metric("resources", m);
      assert.ok(r !== undefined && r.value > 0 && Number.isFinite(r.value), m);
    }
    assert.ok(records.every((r) => r.engine === "omendb-http"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ingest-http skips engines that are not asked for", async () => {
  assert.deepEqual(await ingestHttpWorkload(context("/nonexistent", ["duckdb", "sqlite"])), []);
});

const influx = await checkPrereq("InfluxDB 1.x", influxInstalled, "apt-get install -y influxdb");
prereqTest([influx], {
  name: "ingest-http on InfluxDB: every acknowledged row is counted, also after SIGKILL",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "influx-ingest-test-" });
    try {
      const records = await ingestHttpWorkload(context(dir, ["influxdb"]));
      const recovery = records.find((r) => r.metric === "recovery");
      assert.ok(recovery !== undefined && recovery.value > 0);
      assert.ok(records.some((r) => r.workload === "ingest-http" && r.metric === "throughput"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
