// GET /metrics through the real handler and the real engine, without a socket; the exposition
// is checked by Prometheus's own promtool.
import assert from "node:assert/strict";
import { QueryStream } from "../../core/engine/query_stream.ts";
import { ManualClock } from "../../core/env/clock.ts";
import { realEnv } from "../../core/env/mod.ts";
import { MemoryFileSystem } from "../../core/env/memory_fs.ts";
import { Database } from "../../mod.ts";
import { promtoolCheckMetrics, promtoolPrereq } from "../../tests/support/promtool.ts";
import { prereqTest } from "../../tests/support/prereq.ts";
import { MetricsRegistry, prometheusContentType } from "../metrics.ts";
import { createServerMetrics, type ProcessSample } from "../server_metrics.ts";
import { createHttpHandler, type HttpHandler } from "./handler.ts";

const fakeProcess: ProcessSample = {
  residentBytes: 100_000_000,
  heapUsedBytes: 20_000_000,
  heapTotalBytes: 30_000_000,
  externalBytes: 4_000_000,
  cpuSeconds: 1.25,
};

/** The value of the sample `series` (name plus `{labels}` exactly as exposed), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

function sql(text: string): Request {
  return new Request("http://localhost/sql", { method: "POST", body: text });
}

async function scrape(handler: HttpHandler): Promise<string> {
  const res = await handler(new Request("http://localhost/metrics"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), prometheusContentType);
  return await res.text();
}

/** A durable database (WAL included, on an in-memory file system) behind a handler. */
async function withServer(
  fn: (handler: HttpHandler, db: Database, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const db = await Database.open({
    path: "/metrics",
    env: { ...realEnv(), fs: new MemoryFileSystem() },
  });
  const clock = new ManualClock();
  const metrics = createServerMetrics({
    process: () => fakeProcess,
    startTimeSeconds: 1_700_000_000,
  });
  try {
    await fn(createHttpHandler({ db, clock, metrics }), db, clock);
  } finally {
    await db.close();
  }
}

async function drive(handler: HttpHandler): Promise<void> {
  const statuses: number[] = [];
  for (
    const text of [
      "CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage DOUBLE PRECISION)",
      "INSERT INTO cpu VALUES ('2024-01-01', 'a', 0.5), ('2024-01-01', 'b', 0.25)",
      "SELECT host FROM cpu ORDER BY host",
      "UPDATE cpu SET usage = 1 WHERE host = 'a'",
      "DELETE FROM cpu WHERE host = 'b'",
      "SET TIME ZONE 'UTC'",
      "SELECT nope FROM cpu", // 42703
      "/* a comment */ (SELECT 1/0)", // 22012, a select by its first keyword
    ]
  ) {
    const res = await handler(sql(text));
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 400, 400]);
  const missing = await handler(new Request("http://localhost/nope/x?y=1"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
}

Deno.test("GET /metrics: requests, queries, database, WAL and process values", async () => {
  await withServer(async (handler) => {
    await drive(handler);
    const text = await scrape(handler);

    // HTTP: by route and status class; an unknown path is "unmatched", never its own series
    assert.equal(sample(text, 'omendb_http_requests_total{route="/sql",status_class="2xx"}'), 6);
    assert.equal(sample(text, 'omendb_http_requests_total{route="/sql",status_class="4xx"}'), 2);
    assert.equal(
      sample(text, 'omendb_http_requests_total{route="unmatched",status_class="4xx"}'),
      1,
    );
    assert.doesNotMatch(text, /nope/);
    assert.equal(sample(text, 'omendb_http_request_duration_seconds_count{route="/sql"}'), 8);
    assert.equal(
      sample(text, 'omendb_http_request_duration_seconds_bucket{route="/sql",le="+Inf"}'),
      8,
    );
    // the scrape itself is in flight while it is answered
    assert.equal(sample(text, "omendb_http_requests_in_flight"), 1);
    assert.equal(sample(text, "omendb_http_requests_rejected_total"), 0);

    // queries: by statement kind (from the command tag; from the first keyword when it failed)
    const kinds = { select: 3, insert: 1, update: 1, delete: 1, ddl: 1, other: 1 };
    for (const [kind, n] of Object.entries(kinds)) {
      assert.equal(sample(text, `omendb_query_duration_seconds_count{kind="${kind}"}`), n, kind);
    }
    assert.equal(sample(text, 'omendb_query_errors_total{sqlstate_class="42"}'), 1);
    assert.equal(sample(text, 'omendb_query_errors_total{sqlstate_class="22"}'), 1);

    // the database and its WAL
    assert.equal(sample(text, "omendb_ready"), 1);
    assert.equal(sample(text, "omendb_tables"), 1);
    assert.equal(sample(text, "omendb_transactions_active"), 0);
    assert.equal(sample(text, "omendb_sessions_open"), 1, "the embedded session");
    // each /sql query text above ran once: plans were made, none reused yet
    assert.ok(sample(text, "omendb_plan_cache_misses_total")! >= 1);
    assert.equal(sample(text, "omendb_plan_cache_hits_total"), 0);
    assert.ok(sample(text, "omendb_plan_cache_entries")! >= 1);
    assert.ok(sample(text, "omendb_memtable_unflushed_bytes")! > 0);
    assert.ok(sample(text, "omendb_wal_appends_total")! >= 4);
    assert.ok(sample(text, "omendb_wal_fsyncs_total")! >= 4);
    assert.equal(sample(text, "omendb_wal_files"), 1);
    assert.ok(sample(text, "omendb_wal_bytes")! > 0);

    // the process (sampled through the injected reader)
    assert.equal(sample(text, "omendb_process_resident_memory_bytes"), 100_000_000);
    assert.equal(sample(text, "omendb_process_heap_used_bytes"), 20_000_000);
    assert.equal(sample(text, "omendb_process_cpu_seconds_total"), 1.25);
    assert.equal(sample(text, "omendb_process_start_time_seconds"), 1_700_000_000);
    assert.match(text, /^omendb_build_info\{version="\d+\.\d+\.\d+",deno="[^"]+"\} 1$/m);

    // every family has HELP and TYPE lines, once
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]);
    assert.equal(new Set(families).size, families.length);
    assert.equal([...text.matchAll(/^# HELP /gm)].length, families.length);
    for (const name of families) assert.ok(name!.startsWith("omendb_"), name);
  });
});

Deno.test("GET /metrics: durations land in the right buckets; ingest hooks count", async () => {
  await withServer(async (handler, _db, clock) => {
    // a query that "takes" 30 ms on the manual clock
    const slow = createHttpHandler({
      db: {
        describeTable: () => null,
        insertBatch: () => Promise.reject(new Error("unused")),
        query: () => Promise.reject(new Error("unused")),
        session: () => ({
          query: () => Promise.reject(new Error("unused")),
          stream: () => {
            clock.advanceMs(30);
            return Promise.resolve(QueryStream.fromResult(
              { command: "SELECT 0", columns: [], rows: [], rowCount: 0 },
              2048,
            ));
          },
          close: () => Promise.resolve(),
        }),
      },
      clock,
    });
    const res = await slow(sql("SELECT 1"));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const text = await scrape(slow);
    const bucket = (le: string) =>
      sample(text, `omendb_query_duration_seconds_bucket{kind="select",le="${le}"}`);
    assert.equal(bucket("0.025"), 0);
    assert.equal(bucket("0.05"), 1);
    assert.equal(sample(text, 'omendb_query_duration_seconds_sum{kind="select"}'), 0.03);
    // no stats() or walStats(): database gauges stay 0, the scrape still works
    assert.equal(sample(text, "omendb_tables"), 0);

    // the hooks the line-protocol route calls
    const metrics = createServerMetrics();
    metrics.ingest.lines.inc(5);
    metrics.ingest.rows.inc(4);
    metrics.ingest.bytes.inc(300);
    metrics.ingest.rejected.inc(1);
    metrics.ingest.mergedPoints.inc(2);
    const own = metrics.registry.expose();
    assert.equal(sample(own, "omendb_ingest_lines_total"), 5);
    assert.equal(sample(own, "omendb_ingest_rows_total"), 4);
    assert.equal(sample(own, "omendb_ingest_bytes_total"), 300);
    assert.equal(sample(own, "omendb_ingest_rejected_lines_total"), 1);
    assert.equal(sample(own, "omendb_ingest_merged_points_total"), 2);
    await scrape(handler);
  });
});

prereqTest([await promtoolPrereq()], {
  name: "GET /metrics: promtool check metrics accepts the exposition",
  fn: async () => {
    // the real process sampler and a real data directory, after real traffic
    const dir = await Deno.makeTempDir({ prefix: "omendb_metrics_" });
    const db = await Database.open({ path: dir });
    try {
      const handler = createHttpHandler({ db });
      await drive(handler);
      const text = await scrape(handler);
      const checked = await promtoolCheckMetrics(text);
      assert.ok(checked.ok, `promtool exit ${checked.code}:\n${checked.output}\n---\n${text}`);
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }

    // escaping: label values and HELP texts with quotes, backslashes and newlines
    const r = new MetricsRegistry();
    r.counter({
      name: "t_escapes_total",
      help: 'A "help" text\\with a backslash\nand a newline.',
      labelNames: ["v"],
    }).labels('a "quoted"\\ value\nover two lines').inc();
    r.histogram({ name: "t_sizes_bytes", help: "Sizes.", labelNames: ["k"], buckets: [1, 10] })
      .labels("x").observe(5);
    const escaped = await promtoolCheckMetrics(r.expose());
    assert.ok(escaped.ok, `promtool exit ${escaped.code}:\n${escaped.output}\n${r.expose()}`);

    // and promtool does catch mistakes, so the checks above mean something
    const wrong = await promtoolCheckMetrics("# HELP t_x X.\n# TYPE t_x counter\nt_x 1\n");
    assert.equal(wrong.ok, false);
    assert.match(wrong.output, /_total/);
  },
});
