/**
 * The server's metrics, all named `omendb_*`, served by `GET /metrics`. docs/operations.md lists
 * them with their meaning.
 *
 * Request and query metrics are counted as requests run (server/http/handler.ts,
 * sql_route.ts). Database, WAL and process metrics are copied from their sources at each scrape
 * ({@link ServerMetrics.collect}). The ingest counters are hooks for the line-protocol route:
 *
 * ```ts ignore
 * // in a route handler, with ctx: RouteContext
 * ctx.metrics.ingest.bytes.inc(bodyBytes);   // request body bytes received
 * ctx.metrics.ingest.lines.inc(lines);       // lines parsed, good or bad
 * ctx.metrics.ingest.rejected.inc(bad);      // lines refused (syntax, type conflict...)
 * ctx.metrics.ingest.rows.inc(rows);         // rows written
 * ctx.metrics.ingest.mergedPoints.inc(n);    // points merged into a row of the same series and time
 * ```
 *
 * @example
 * ```ts
import { createServerMetrics } from "./server_metrics.ts";
 * const metrics = createServerMetrics();
 * metrics.ingest.lines.inc(5000);
 * metrics.query.duration.labels("select").observe(0.004);
 * const text = metrics.registry.expose();
 * console.assert(text.includes("omendb_ingest_lines_total 5000\n"));
 * console.assert(text.includes('omendb_query_duration_seconds_count{kind="select"} 1\n'));
 * ```
 *
 * @module
 */
import type { DatabaseStats } from "../core/engine/database.ts";
import type { WalStats } from "../core/plugin/wal.ts";
import process from "node:process";
import { omendbVersion } from "./version.ts";
import {
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramChild,
  MetricsRegistry,
} from "./metrics.ts";
import type { PgServerStats } from "./pgwire/server.ts";

/** Buckets of the duration histograms, in seconds: 0.5 ms to 60 s. */
export const durationBucketsSeconds: readonly number[] = Object.freeze([
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
]);

/** The statement kinds of `omendb_query_duration_seconds`. */
export const statementKinds = ["select", "insert", "update", "delete", "ddl", "other"] as const;

/** One statement kind. */
export type StatementKind = typeof statementKinds[number];

/** The process's own resource use, as {@link readProcessSample} reads it. */
export interface ProcessSample {
  /** Resident set size. */
  readonly residentBytes: number;
  /** V8 heap in use. */
  readonly heapUsedBytes: number;
  /** V8 heap reserved. */
  readonly heapTotalBytes: number;
  /** Memory outside the V8 heap held by JS objects (ArrayBuffers, WASM). */
  readonly externalBytes: number;
  /** User plus system CPU time since the process started. */
  readonly cpuSeconds: number;
}

/** Reads this process's memory and CPU time (`Deno.memoryUsage`, `process.cpuUsage`). */
export function readProcessSample(): ProcessSample {
  const m = Deno.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    residentBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** What {@link ServerMetrics.collect} reads from the database; every member is optional. */
export interface MetricsDatabase {
  /** See `Database.stats`. */
  stats?(): DatabaseStats;
  /** See `Database.walStats`; `null` for an in-memory database. */
  walStats?(): WalStats | null;
}

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /** The server's version, for `omendb_build_info`; `omendbVersion` by default. */
  readonly version?: string;
  /** Reads the process's memory and CPU; {@link readProcessSample} by default. */
  readonly process?: () => ProcessSample;
  /** Process start, in seconds since the epoch; from `performance.timeOrigin` by default. */
  readonly startTimeSeconds?: number;
  /** The PostgreSQL protocol server's counters, read at each scrape (absent: not running). */
  readonly pg?: () => PgServerStats | null;
}

/** Every `omendb_*` metric family, grouped by subject. */
export interface ServerMetrics {
  /** The registry holding them; `registry.expose()` gives the text that `/metrics` serves. */
  readonly registry: MetricsRegistry;
  /** HTTP requests. */
  readonly http: {
    /** `omendb_http_requests_total{route,status_class}`. */
    readonly requests: Counter<readonly ["route", "status_class"]>;
    /** `omendb_http_requests_in_flight`. */
    readonly inFlight: Gauge;
    /** `omendb_http_request_duration_seconds{route}`. */
    readonly duration: Histogram<readonly ["route"]>;
    /** `omendb_http_requests_rejected_total`: refused with 503 over `http.inflight_requests_max`. */
    readonly rejected: Counter;
  };
  /** SQL queries run by `POST /sql`. */
  readonly query: {
    /** `omendb_query_duration_seconds{kind}`: successful and failed queries. */
    readonly duration: Histogram<readonly ["kind"]>;
    /** The children of `duration`, by kind, looked up once. */
    readonly byKind: Readonly<Record<StatementKind, HistogramChild>>;
    /** `omendb_query_errors_total{sqlstate_class}`. */
    readonly errors: Counter<readonly ["sqlstate_class"]>;
  };
  /** Hooks for the line-protocol write route; nothing else counts these. */
  readonly ingest: {
    /** `omendb_ingest_lines_total`: lines parsed, accepted or rejected. */
    readonly lines: Counter;
    /** `omendb_ingest_rows_total`: rows written to tables. */
    readonly rows: Counter;
    /** `omendb_ingest_bytes_total`: request body bytes received (after decompression). */
    readonly bytes: Counter;
    /** `omendb_ingest_rejected_lines_total`: lines refused. */
    readonly rejected: Counter;
    /** `omendb_ingest_merged_points_total`: points merged into a row of the same series and time. */
    readonly mergedPoints: Counter;
  };
  /** `omendb_ready`: 1 when `GET /ready` would answer 200. */
  readonly ready: Gauge;
  /** The PostgreSQL protocol server, copied from its counters by `collect`. */
  readonly pg: {
    /** `omendb_pg_connections`: open connections. */
    readonly connections: Gauge;
    /** `omendb_pg_connections_accepted_total`. */
    readonly accepted: Counter;
    /** `omendb_pg_connections_refused_total`: refused with 53300. */
    readonly refused: Counter;
    /** `omendb_pg_busy_poll_turns_total`: event-loop turns spent polling after responses. */
    readonly busyPollTurns: Counter;
  };
  /** Copies the database, WAL and process values into their gauges; `expose` calls it. */
  collect(db: MetricsDatabase, ready: boolean): void;
}

/**
 * Creates the `omendb_*` families in a registry of their own. The database gauges are filled
 * by {@link ServerMetrics.collect}, which the `/metrics` route calls before exposing.
 */
export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new MetricsRegistry();
  const processSample = options.process ?? readProcessSample;

  const http = {
    requests: registry.counter({
      name: "omendb_http_requests_total",
      help: "HTTP requests answered, by route (path, or unmatched) and status class (2xx...).",
      labelNames: ["route", "status_class"] as const,
    }),
    inFlight: registry.gauge({
      name: "omendb_http_requests_in_flight",
      help: "HTTP requests being handled now.",
    }),
    duration: registry.histogram({
      name: "omendb_http_request_duration_seconds",
      help: "Time from receiving an HTTP request to having its response, by route.",
      labelNames: ["route"] as const,
      buckets: durationBucketsSeconds,
    }),
    rejected: registry.counter({
      name: "omendb_http_requests_rejected_total",
      help: "HTTP requests refused with 503 because http.inflight_requests_max were in flight.",
    }),
  };
  const queryDuration = registry.histogram({
    name: "omendb_query_duration_seconds",
    help: "Time to run the SQL of one POST /sql request, failed ones included, by statement " +
      "kind (select, insert, update, delete, ddl, other).",
    labelNames: ["kind"] as const,
    buckets: durationBucketsSeconds,
  });
  const queryErrors = registry.counter({
    name: "omendb_query_errors_total",
    help: "Queries that failed, by SQLSTATE class (the code's first two characters).",
    labelNames: ["sqlstate_class"] as const,
    seriesMax: 100,
  });
  const ingest = {
    lines: registry.counter({
      name: "omendb_ingest_lines_total",
      help: "Line-protocol lines parsed, accepted or rejected.",
    }),
    rows: registry.counter({
      name: "omendb_ingest_rows_total",
      help: "Rows written by line-protocol writes.",
    }),
    bytes: registry.counter({
      name: "omendb_ingest_bytes_total",
      help: "Line-protocol request body bytes received, after decompression.",
    }),
    rejected: registry.counter({
      name: "omendb_ingest_rejected_lines_total",
      help: "Line-protocol lines refused (bad syntax, type conflicts, limits).",
    }),
    mergedPoints: registry.counter({
      name: "omendb_ingest_merged_points_total",
      help: "Line-protocol points merged into a row of the same series and timestamp.",
    }),
  };
  // every statement kind exists from the start: a dashboard sees zeros, not missing series
  const byKind = Object.fromEntries(
    statementKinds.map((kind) => [kind, queryDuration.labels(kind)]),
  ) as Record<StatementKind, HistogramChild>;
  const query = { duration: queryDuration, byKind, errors: queryErrors };

  const pg = {
    connections: registry.gauge({
      name: "omendb_pg_connections",
      help: "PostgreSQL protocol connections open now.",
    }),
    accepted: registry.counter({
      name: "omendb_pg_connections_accepted_total",
      help: "PostgreSQL protocol connections accepted (cancel requests included).",
    }),
    refused: registry.counter({
      name: "omendb_pg_connections_refused_total",
      help: "PostgreSQL protocol connections refused with 53300 over pg.max_connections.",
    }),
    busyPollTurns: registry.counter({
      name: "omendb_pg_busy_poll_turns_total",
      help: "Event-loop turns spent polling for the next PostgreSQL request after a response " +
        "(pg.busy_poll_us).",
    }),
  };
  const ready = registry.gauge({
    name: "omendb_ready",
    help: "1 when GET /ready answers 200 (database open, WAL writable, not shutting down).",
  });
  const db = {
    transactions: registry.gauge({
      name: "omendb_transactions_active",
      help: "Transactions open: BEGIN blocks and running statements.",
    }),
    sessions: registry.gauge({
      name: "omendb_sessions_open",
      help: "Database sessions open (each POST /sql request has one while it runs).",
    }),
    unflushed: registry.gauge({
      name: "omendb_memtable_unflushed_bytes",
      help: "Bytes of committed rows in memtables that no checkpoint has written yet.",
    }),
    tables: registry.gauge({ name: "omendb_tables", help: "Tables in the catalog." }),
    plans: registry.gauge({
      name: "omendb_plan_cache_entries",
      help: "Generic query plans kept for reuse.",
    }),
    planHits: registry.counter({
      name: "omendb_plan_cache_hits_total",
      help: "Queries that ran a kept plan instead of binding and optimizing again.",
    }),
    planMisses: registry.counter({
      name: "omendb_plan_cache_misses_total",
      help: "Queries bound and optimized because no kept plan fitted.",
    }),
    syncQueries: registry.counter({
      name: "omendb_queries_sync_total",
      help: "Queries with a kept plan answered without awaiting (the synchronous executor).",
    }),
  };
  const wal = {
    appends: registry.counter({
      name: "omendb_wal_appends_total",
      help: "WAL append calls accepted (0 for an in-memory database).",
    }),
    records: registry.counter({ name: "omendb_wal_records_total", help: "WAL records written." }),
    writes: registry.counter({
      name: "omendb_wal_writes_total",
      help: "Writes to WAL files (one per group-commit batch).",
    }),
    fsyncs: registry.counter({
      name: "omendb_wal_fsyncs_total",
      help: "fdatasync calls on WAL files.",
    }),
    files: registry.gauge({ name: "omendb_wal_files", help: "WAL segment files now." }),
    bytes: registry.gauge({
      name: "omendb_wal_bytes",
      help: "Bytes in the WAL segment files now, headers included.",
    }),
  };
  const proc = {
    resident: registry.gauge({
      name: "omendb_process_resident_memory_bytes",
      help: "Resident set size of the server process.",
    }),
    heapUsed: registry.gauge({
      name: "omendb_process_heap_used_bytes",
      help: "V8 heap in use.",
    }),
    heapTotal: registry.gauge({
      name: "omendb_process_heap_total_bytes",
      help: "V8 heap reserved.",
    }),
    external: registry.gauge({
      name: "omendb_process_external_memory_bytes",
      help: "Memory held by JS objects outside the V8 heap (ArrayBuffers, WASM).",
    }),
    cpu: registry.counter({
      name: "omendb_process_cpu_seconds_total",
      help: "User and system CPU time of the server process.",
    }),
    start: registry.gauge({
      name: "omendb_process_start_time_seconds",
      help: "Start time of the server process, in seconds since the Unix epoch.",
    }),
  };
  registry.gauge({
    name: "omendb_build_info",
    help: "Always 1; the labels say which OmenDB and Deno versions run.",
    labelNames: ["version", "deno"] as const,
  }).labels(options.version ?? omendbVersion, Deno.version.deno).set(1);
  proc.start.set(options.startTimeSeconds ?? Math.floor(performance.timeOrigin / 1000));

  return {
    registry,
    http,
    query,
    ingest,
    ready,
    pg,
    collect(database: MetricsDatabase, isReady: boolean): void {
      ready.set(isReady ? 1 : 0);
      const ps = options.pg?.() ?? null;
      if (ps !== null) {
        pg.connections.set(ps.connections);
        pg.accepted.set(ps.accepted);
        pg.refused.set(ps.refused);
        pg.busyPollTurns.set(ps.busyPollTurns);
      }
      const s = database.stats?.();
      if (s !== undefined) {
        db.transactions.set(s.activeTransactions);
        db.sessions.set(s.sessions);
        db.unflushed.set(s.unflushedBytes);
        db.tables.set(s.tables);
        db.plans.set(s.planCacheEntries);
        db.planHits.set(s.planCacheHits);
        db.planMisses.set(s.planCacheMisses);
        db.syncQueries.set(s.syncQueries);
      }
      const w = database.walStats?.() ?? null;
      if (w !== null) {
        wal.appends.set(w.appends);
        wal.records.set(w.records);
        wal.writes.set(w.writes);
        wal.fsyncs.set(w.fsyncs);
        wal.files.set(w.files);
        wal.bytes.set(w.bytes);
      }
      const p = processSample();
      proc.resident.set(p.residentBytes);
      proc.heapUsed.set(p.heapUsedBytes);
      proc.heapTotal.set(p.heapTotalBytes);
      proc.external.set(p.externalBytes);
      proc.cpu.set(p.cpuSeconds);
    },
  };
}

/** The statement kind of a command tag: `SELECT 2` -> select, `CREATE TABLE` -> ddl. */
export function statementKindOf(commandTag: string): StatementKind {
  const space = commandTag.indexOf(" ");
  const verb = (space < 0 ? commandTag : commandTag.slice(0, space)).toUpperCase();
  switch (verb) {
    case "SELECT":
      return "select";
    case "INSERT":
      return "insert";
    case "UPDATE":
      return "update";
    case "DELETE":
      return "delete";
    case "CREATE":
    case "DROP":
    case "ALTER":
    case "TRUNCATE":
    case "COMMENT":
      return "ddl";
    default:
      return "other";
  }
}

/**
 * The statement kind of SQL text that failed (there is no command tag): its first keyword,
 * after blanks, comments and opening parentheses. `WITH ...` is `other`.
 */
export function statementKindOfSql(sql: string): StatementKind {
  const m = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*([a-zA-Z]+)/.exec(sql);
  return m === null ? "other" : statementKindOf(m[1]!);
}

/** The SQLSTATE class label of a code: its first two characters, or `XX` if it is malformed. */
export function sqlStateClassOf(code: string): string {
  return /^[0-9A-Z]{5}$/.test(code) ? code.slice(0, 2) : "XX";
}
