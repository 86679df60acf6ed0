import assert from "node:assert/strict";
import { checkPrereq, prereqTest } from "../../tests/support/prereq.ts";
import { postgresPrereq } from "../../tests/support/postgres.ts";
import {
  concurrencyLevels,
  concurrencyLevelWorkloads,
  concurrencyWorkload,
  LatencyRecorder,
} from "./concurrency.ts";

Deno.test("latency recorder: nearest-rank quantiles of what was kept", () => {
  const r = new LatencyRecorder(100);
  assert.ok(Number.isNaN(r.quantile(0.5)));
  for (let i = 100; i >= 1; i--) r.add(i);
  assert.equal(r.count, 100);
  assert.equal(r.quantile(0.5), 50);
  assert.equal(r.quantile(0.99), 99);
  assert.equal(r.quantile(1), 100);
});

Deno.test("latency recorder: past its capacity operations are counted, not kept", () => {
  const r = new LatencyRecorder(3);
  for (const ms of [5, 1, 3, 1000, 2000]) r.add(ms);
  assert.equal(r.count, 5);
  assert.equal(r.quantile(1), 5); // 1000 and 2000 were not kept
});

Deno.test("one workload per level, named concurrency-<clients>", () => {
  assert.deepEqual(
    Object.keys(concurrencyLevelWorkloads),
    concurrencyLevels.map((n) => `concurrency-${n}`),
  );
});

// the data is loaded with `psql \copy`
const psql = await checkPrereq(
  "psql",
  async () => (await new Deno.Command("sh", { args: ["-c", "command -v psql"] }).output()).success,
  "apt-get install -y postgresql-client",
);
prereqTest([psql], {
  name: "concurrency on OmenDB: 3 clients, reads checked, throughput and latency records",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "omendb-concurrency-test-" });
    try {
      const records = await concurrencyWorkload([3])({
        rows: 5_000,
        hosts: 10,
        quick: true,
        repeat: 1,
        warmup: 0,
        workDir: dir,
        engines: ["omendb-pg"],
        log: () => {},
      });
      assert.deepEqual(records.map((r) => `${r.workload} ${r.engine} ${r.metric}`), [
        "concurrency-3 omendb-pg throughput",
        "concurrency-3 omendb-pg latency",
      ]);
      const [tp, lat] = records;
      assert.ok(tp!.value > 0 && tp!.unit === "queries/s" && tp!.rows === 5_000);
      assert.ok(lat!.p50! > 0 && lat!.p99! >= lat!.p50! && lat!.n === tp!.n);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

prereqTest([psql, await postgresPrereq()], {
  name: "concurrency on PostgreSQL 15: durable server, max_connections above the clients",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pg-concurrency-test-" });
    try {
      const records = await concurrencyWorkload([25])({
        rows: 5_000,
        hosts: 10,
        quick: true,
        repeat: 1,
        warmup: 0,
        workDir: dir,
        engines: ["postgres"],
        log: () => {},
      });
      assert.deepEqual(records.map((r) => `${r.workload} ${r.engine} ${r.metric}`), [
        "concurrency-25 postgres throughput",
        "concurrency-25 postgres latency",
      ]);
      assert.ok(records[0]!.value > 0);
      assert.match(records[0]!.note!, /fsync and synchronous_commit on/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
