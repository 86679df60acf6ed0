/**
 * Smoke test of the peer suite's query workloads, part of the default test run: a few thousand
 * rows on OmenDB embedded and DuckDB only, repeat 1, warm-up 0. It checks answers, not speed:
 * every query workload must give a record for both engines, with the answer check run and
 * passed; and an engine that answers wrong must fail the workload.
 */
import assert from "node:assert/strict";
import { queryWorkloadEntries } from "./workloads.ts";
import { QueryCheckError, QuerySuite } from "./query_suite.ts";
import { omenDbProvider } from "./engines/omendb.ts";
import { duckDbProvider } from "./engines/duckdb.ts";
import type { EngineProvider } from "./engines/engine.ts";
import type { WorkloadContext } from "./record.ts";
import { queryNames } from "./queries.ts";

/** Rows of the smoke data set. */
const smokeRows = 4000;
/** Hosts of the smoke data set. */
const smokeHosts = 10;

async function withContext<T>(fn: (ctx: WorkloadContext) => Promise<T>): Promise<T> {
  const workDir = await Deno.makeTempDir({ prefix: "omendb-smoke-" });
  try {
    return await fn({
      rows: smokeRows,
      hosts: smokeHosts,
      quick: true,
      repeat: 1,
      warmup: 0,
      workDir,
      engines: ["omendb", "duckdb"],
      log: () => {},
    });
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}

Deno.test("query workloads agree on OmenDB and DuckDB (smoke)", async () => {
  // 10 parameter sets: with the quick default of 5, high-cpu-1 finds no row above 90 here
  const suite = new QuerySuite({ providers: [omenDbProvider, duckDbProvider], paramSets: 10 });
  const entries = queryWorkloadEntries(suite).filter((w) => w.smoke);
  assert.deepEqual(entries.map((w) => w.name), queryNames);
  await withContext(async (ctx) => {
    for (const entry of entries) {
      const records = await entry.run(ctx);
      assert.deepEqual(records.map((r) => r.engine), ["omendb", "duckdb"], entry.name);
      for (const r of records) {
        assert.equal(r.n, 1);
        assert.ok(r.p50 !== null && r.p50 >= 0 && r.value === r.p50);
        assert.equal(r.rows, smokeRows);
      }
      const outcome = await suite.outcome(entry.name, ctx);
      assert.deepEqual(outcome.failures, []);
      const duck = outcome.checks.find((c) => c.engine === "duckdb");
      assert.ok(duck !== undefined, `${entry.name}: no answer check for duckdb`);
      assert.equal(duck.reference, "omendb");
      assert.equal(duck.difference, null);
      assert.ok(duck.paramSets >= 1);
      // the answers are not trivially empty
      assert.ok(duck.rows > 0, `${entry.name}: empty answers`);
    }
  });
});

Deno.test("an engine that answers wrong fails the workload (smoke)", async () => {
  // DuckDB with every float answer nudged by 0.1%: the check must catch it and skip its timing
  const skewed: EngineProvider = {
    engines: ["duckdb"],
    async open(options, wanted) {
      const opened = (await duckDbProvider.open(options, wanted))!;
      const inner = opened.engines[0]!;
      return {
        engines: [{
          name: "duckdb",
          note: "skewed",
          async run(spec, params) {
            const rows = await inner.run(spec, params);
            return rows.map((r) => r.map((v) => (typeof v === "number" ? v * 1.001 : v)));
          },
        }],
        close: opened.close,
      };
    },
  };
  const suite = new QuerySuite({ providers: [omenDbProvider, skewed] });
  suite.select(["single-groupby-1-1-1"]);
  await withContext(async (ctx) => {
    const error = await suite.workload("single-groupby-1-1-1")(ctx).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof QueryCheckError, "a wrong answer did not fail the workload");
    assert.match(error.message, /duckdb disagrees with omendb/);
    assert.match(error.message, /first difference at row 0/);
    assert.deepEqual(error.records.map((r) => r.engine), ["omendb"]);
  });
});
