/**
 * The registry of the peer suite's workloads, in run order. Each entry names a
 * {@link Workload}; `smoke` marks those the default test run exercises on a few thousand rows
 * (OmenDB and DuckDB only), `highCardinality` those the runner repeats on the high-cardinality
 * data set (100,000 hosts). Add an entry here to add a workload.
 *
 * @example
 * ```ts
 * import { workloadEntries } from "./workloads.ts";
 * console.assert(workloadEntries.some((w) => w.name === "lastpoint" && w.smoke));
 * ```
 *
 * @module
 */
import type { Workload } from "./record.ts";
import { querySpecs } from "./queries.ts";
import { QuerySuite } from "./query_suite.ts";
import { ingestHttpWorkload } from "./ingest.ts";
import { bulkInsertWorkload } from "./bulk_insert.ts";
import { concurrencyAllWorkload } from "./concurrency.ts";

/** One workload of the suite. */
export interface WorkloadEntry {
  /** Name, as `--only` takes it and records carry it. */
  readonly name: string;
  /** The workload. */
  readonly run: Workload;
  /** Part of the smoke test (answers checked, not speed). */
  readonly smoke: boolean;
  /** Also run on the high-cardinality data set (default false). */
  readonly highCardinality?: boolean;
}

/** The query workloads' shared passes (the runner narrows them with `querySuite.select`). */
export const querySuite: QuerySuite = new QuerySuite();

/** The query workloads of a suite: one entry per query, sharing the suite's passes. */
export function queryWorkloadEntries(suite: QuerySuite): WorkloadEntry[] {
  return querySpecs.map((q) => ({
    name: q.name,
    run: suite.workload(q.name),
    smoke: true,
    highCardinality: true,
  }));
}

/** Every workload of `deno task bench`, in run order. */
export const workloadEntries: WorkloadEntry[] = [
  // ingest-http also returns the resources records (memory, disk, restart and recovery times)
  // of the same runs
  { name: "ingest-http", run: ingestHttpWorkload, smoke: false },
  { name: "bulk-insert", run: bulkInsertWorkload, smoke: true },
  ...queryWorkloadEntries(querySuite),
  { name: "concurrency", run: concurrencyAllWorkload, smoke: false },
];
