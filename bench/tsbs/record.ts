/**
 * The records of the peer benchmark suite (`deno task bench`): every workload returns
 * {@link BenchRecord}s, one per (workload, engine, metric), and the runner writes them, with the
 * machine and versions, to `bench/results/<date>.json`.
 *
 * @example
 * ```ts
 * import { type BenchRecord, ratio } from "./record.ts";
 * const omen: BenchRecord = {
 *   workload: "point", engine: "omendb", metric: "latency", value: 0.02, unit: "ms",
 *   rows: 1_000_000, hosts: 100, p50: 0.02, p99: 0.05, n: 200,
 * };
 * const duck: BenchRecord = { ...omen, engine: "duckdb", value: 0.5, p50: 0.5, p99: 0.9 };
 * console.assert(ratio(omen, duck) === 25); // lower is better for latency: 25x faster
 * ```
 *
 * @module
 */

/**
 * The engines a workload can measure. `omendb` is the embedded library (`mod.ts`); `postgres` is
 * PostgreSQL 15 (the concurrency workloads).
 */
export type EngineName =
  | "omendb"
  | "omendb-http"
  | "omendb-pg"
  | "duckdb"
  | "sqlite"
  | "influxdb"
  | "postgres";

/** One measured figure. */
export interface BenchRecord {
  /** Workload name, e.g. `ingest-http`, `point`, `lastpoint`, `concurrency-100`, `memory`. */
  readonly workload: string;
  /** Engine measured. */
  readonly engine: EngineName;
  /** What `value` is: `latency`, `throughput`, `peak-memory`, `rss-after`, `disk`, `recovery`... */
  readonly metric: string;
  /** The figure (for latency: the median). */
  readonly value: number;
  /** Unit of `value`, `p50` and `p99`: `ms`, `rows/s`, `queries/s`, `bytes`, `s`. */
  readonly unit: string;
  /** Rows in the data set the figure was measured on. */
  readonly rows: number;
  /** Hosts (series) in that data set: 100, or 100,000 for the high-cardinality variant. */
  readonly hosts: number;
  /** Median over the timed repetitions (null when the figure is a single measurement). */
  readonly p50: number | null;
  /** 99th percentile, nearest rank (null when single). */
  readonly p99: number | null;
  /** Timed repetitions behind the figure (warm-up runs excluded). */
  readonly n: number;
  /** Caveats written next to the number (e.g. "in memory, not durable"). */
  readonly note?: string;
  /** Extra series for charts, e.g. ingest throughput over time: [seconds, rows/s] pairs. */
  readonly series?: readonly (readonly [number, number])[];
}

/** True when a lower value of this unit is better (latencies, memory, disk, seconds). */
export function lowerIsBetter(unit: string): boolean {
  return !unit.endsWith("/s");
}

/**
 * How many times better `subject` is than `peer` (above 1: the subject wins), for two records
 * of the same workload and metric.
 */
export function ratio(subject: BenchRecord, peer: BenchRecord): number {
  return lowerIsBetter(subject.unit) ? peer.value / subject.value : subject.value / peer.value;
}

/** What the runner hands every workload. */
export interface WorkloadContext {
  /** Rows of the TSBS cpu data set (1,000,000 quick, 10,000,000 full; a few thousand in the smoke test). */
  readonly rows: number;
  /** Hosts (series) of the data set: 100 by default, 100,000 for the high-cardinality variant. */
  readonly hosts: number;
  /** True for `--quick` (fewer repetitions) and the smoke test. */
  readonly quick: boolean;
  /** Timed repetitions per measurement (warm-up runs come on top and are discarded). */
  readonly repeat: number;
  /** Untimed warm-up runs per measurement. */
  readonly warmup: number;
  /** A scratch directory the workload may fill; the runner deletes it afterwards. */
  readonly workDir: string;
  /** Engines to measure; a workload skips the others (the smoke test passes omendb and duckdb). */
  readonly engines: readonly EngineName[];
  /** Progress output (one line per call). */
  log(message: string): void;
}

/** A workload of the suite: returns its records, or throws when engines disagree on an answer. */
export type Workload = (ctx: WorkloadContext) => Promise<BenchRecord[]>;

/**
 * Most runs of a load workload (ingest, bulk insert) in a full run, whatever `--repeat` says: one
 * run loads the whole data set (10,000,000 rows take a minute on some engines).
 */
export const loadRunsFullMax = 3;
