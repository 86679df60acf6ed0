/**
 * The eight TSBS-style queries of the peer suite, each in three dialects: PostgreSQL-style SQL
 * (OmenDB embedded, over HTTP and PostgreSQL wire, and DuckDB), SQLite SQL (time as INTEGER
 * microseconds) and InfluxQL. Parameters (host, start time) come from a seeded PRNG that every
 * engine shares, several sets per run, so that caching one answer does not help.
 *
 * Every query names its output columns and their kinds; the answer check
 * (`answers.ts`) normalizes by these kinds, and the InfluxDB adapter picks columns by name.
 *
 * @example
 * ```ts
 * import { cpuDataWindow, queryParamSets, querySpecs } from "./queries.ts";
 * const data = cpuDataWindow(1000, 10);
 * const range = querySpecs.find((q) => q.name === "range")!;
 * const [p] = queryParamSets(range, data, 1, 7);
 * const sql = range.sql("cpu", p!);
 * console.assert(sql.text.includes("hostname = $1") && sql.params.length === 3);
 * console.assert(range.influxql(p!).includes("FROM cpu"));
 * ```
 *
 * @module
 */
import { SeededRandom } from "../../core/env/random.ts";
import { cpuMetricNames, describeCpuDataSet } from "../../tests/data/tsbs.ts";

/** Microseconds in one second. */
const microsPerSecond = 1_000_000;
/** One minute, in microseconds. */
const minuteMicros = 60 * microsPerSecond;
/** One hour, in microseconds. */
const hourMicros = 3600 * microsPerSecond;
/** The window of `range` and `single-groupby-1-1-1`, in microseconds (TSBS: 1 hour). */
export const hostWindowMicros = hourMicros;
/** The window of `double-groupby-1` and `high-cpu-1`, in microseconds (TSBS: 12 hours). */
export const wideWindowMicros = 12 * hourMicros;
/** Rows `groupby-orderby-limit` returns (TSBS: the last 5 minutes). */
export const orderbyLimitRows = 5;
/** `high-cpu-1` keeps rows with usage_user above this (TSBS: 90). */
export const highCpuThreshold = 90;
/** Default number of parameter sets per query and run. */
export const queryParamSetsDefault = 10;

/** How a result column is normalized for the answer check. */
export type ColumnKind = "ts" | "float" | "text";

/** One output column of a query. */
export interface QueryColumn {
  /** Output name (SQL alias; the InfluxDB adapter looks the column up under `influx` or this). */
  readonly name: string;
  /** Kind, for normalization. */
  readonly kind: ColumnKind;
  /** The column's name in an InfluxDB answer when it differs (`time` for time buckets). */
  readonly influx?: string;
}

/** The time span of a generated data set (what random parameters are drawn from). */
export interface CpuDataWindow {
  /** Rows of the data set. */
  readonly rows: number;
  /** Hosts (series). */
  readonly hosts: number;
  /** First timestamp, microseconds since the epoch. */
  readonly startMicros: number;
  /** Seconds between two readings of a host. */
  readonly intervalSeconds: number;
  /** Readings every host has (the last reading may cover only some hosts). */
  readonly fullReadings: number;
  /** One past the last timestamp, microseconds since the epoch. */
  readonly endMicros: number;
}

/** The window of the TSBS cpu data set with `rows` rows over `hosts` hosts (default generator settings). */
export function cpuDataWindow(rows: number, hosts: number): CpuDataWindow {
  const set = describeCpuDataSet({ rows, hosts });
  const readings = Math.ceil(rows / hosts);
  return {
    rows,
    hosts,
    startMicros: set.startMicros,
    intervalSeconds: set.intervalSeconds,
    fullReadings: Math.floor(rows / hosts),
    endMicros: set.startMicros + Math.max(readings, 1) * set.intervalSeconds * microsPerSecond,
  };
}

/** One parameter set: a host and a time window (unused fields are ignored by the query). */
export interface QueryParams {
  /** Host name, `host_<n>`. */
  readonly host: string;
  /** Window start (or the exact time of a point lookup), microseconds since the epoch. */
  readonly fromMicros: number;
  /** Window end (exclusive), microseconds since the epoch. */
  readonly toMicros: number;
}

/** SQL text with its positional parameters (`$1`... or `?`). */
export interface SqlWithParams {
  /** The statement. */
  readonly text: string;
  /** Its parameter values: strings and numbers. */
  readonly params: readonly (string | number)[];
}

/** Kinds of parameter drawing. */
type ParamShape = "point" | "host-window" | "wide-window" | "whole" | "before";

/** One query of the suite. */
export interface QuerySpec {
  /** Workload name (TSBS's where it has one). */
  readonly name: string;
  /** One line: what it asks. */
  readonly description: string;
  /** Output columns, in order. */
  readonly columns: readonly QueryColumn[];
  /** How parameters are drawn. */
  readonly shape: ParamShape;
  /** Window length for the window shapes, microseconds. */
  readonly windowMicros: number;
  /**
   * The row order the SQL's ORDER BY gives, for answers that InfluxDB returns per series: the
   * number of leading columns to sort on, and whether descending.
   */
  readonly order: { readonly columns: number; readonly descending: boolean };
  /** PostgreSQL-dialect SQL (OmenDB, DuckDB) on table `table`, `$n` parameters. */
  sql(table: string, p: QueryParams): SqlWithParams;
  /** SQLite SQL (time is INTEGER microseconds), `?` parameters. */
  sqlite(p: QueryParams): SqlWithParams;
  /** InfluxQL, parameters inlined (nanosecond time literals). */
  influxql(p: QueryParams): string;
  /** Caveat of this query's formulation on some engine, written next to its numbers. */
  readonly note?: string;
}

const rowColumns: readonly QueryColumn[] = [
  { name: "time", kind: "ts" },
  { name: "hostname", kind: "text" },
  { name: "region", kind: "text" },
  { name: "datacenter", kind: "text" },
  ...cpuMetricNames.map((m): QueryColumn => ({ name: m, kind: "float" })),
];
const rowList = rowColumns.map((c) => c.name).join(", ");
const metricList = cpuMetricNames.join(", ");
const tagList = "hostname, region, datacenter";

function iso(micros: number): string {
  return new Date(micros / 1000).toISOString();
}
function ns(micros: number): string {
  return `${micros}000`;
}
/** SQLite: a µs time truncated to a bucket of `bucketMicros`. */
function sqliteBucket(bucketMicros: number): string {
  return `(time / ${bucketMicros}) * ${bucketMicros}`;
}
/** A host name quoted for InfluxQL (host names are `host_<n>`, no quotes inside). */
function influxString(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** The eight queries, in report order. */
export const querySpecs: readonly QuerySpec[] = [
  {
    name: "point",
    description: "one host, one exact timestamp, all columns",
    columns: rowColumns,
    shape: "point",
    windowMicros: 0,
    order: { columns: 0, descending: false },
    sql: (t, p) => ({
      text: `SELECT ${rowList} FROM ${t} WHERE hostname = $1 AND time = $2::timestamptz`,
      params: [p.host, iso(p.fromMicros)],
    }),
    sqlite: (p) => ({
      text: `SELECT ${rowList} FROM cpu WHERE hostname = ? AND time = ?`,
      params: [p.host, p.fromMicros],
    }),
    influxql: (p) =>
      `SELECT ${metricList}, ${tagList} FROM cpu WHERE hostname = ${
        influxString(p.host)
      } AND time = ${ns(p.fromMicros)}`,
  },
  {
    name: "range",
    description: "one host, one hour, all columns",
    columns: rowColumns,
    shape: "host-window",
    windowMicros: hostWindowMicros,
    order: { columns: 1, descending: false },
    sql: (t, p) => ({
      text: `SELECT ${rowList} FROM ${t} WHERE hostname = $1 AND time >= $2::timestamptz ` +
        `AND time < $3::timestamptz ORDER BY time`,
      params: [p.host, iso(p.fromMicros), iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text:
        `SELECT ${rowList} FROM cpu WHERE hostname = ? AND time >= ? AND time < ? ORDER BY time`,
      params: [p.host, p.fromMicros, p.toMicros],
    }),
    influxql: (p) =>
      `SELECT ${metricList}, ${tagList} FROM cpu WHERE hostname = ${influxString(p.host)} ` +
      `AND time >= ${ns(p.fromMicros)} AND time < ${ns(p.toMicros)}`,
  },
  {
    name: "single-groupby-1-1-1",
    description: "max usage_user per minute, one host, one hour",
    columns: [
      { name: "minute", kind: "ts", influx: "time" },
      { name: "max_usage_user", kind: "float" },
    ],
    shape: "host-window",
    windowMicros: hostWindowMicros,
    order: { columns: 1, descending: false },
    sql: (t, p) => ({
      text:
        `SELECT date_trunc('minute', time) AS minute, max(usage_user) AS max_usage_user FROM ${t} ` +
        `WHERE hostname = $1 AND time >= $2::timestamptz AND time < $3::timestamptz ` +
        `GROUP BY 1 ORDER BY 1`,
      params: [p.host, iso(p.fromMicros), iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text:
        `SELECT ${
          sqliteBucket(minuteMicros)
        } AS minute, max(usage_user) AS max_usage_user FROM cpu ` +
        `WHERE hostname = ? AND time >= ? AND time < ? GROUP BY 1 ORDER BY 1`,
      params: [p.host, p.fromMicros, p.toMicros],
    }),
    influxql: (p) =>
      `SELECT max(usage_user) AS max_usage_user FROM cpu WHERE hostname = ${
        influxString(p.host)
      } AND time >= ${ns(p.fromMicros)} AND time < ${ns(p.toMicros)} GROUP BY time(1m) fill(none)`,
  },
  {
    name: "double-groupby-1",
    description: "avg usage_user per host per hour, all hosts, 12 hours",
    columns: [
      { name: "hour", kind: "ts", influx: "time" },
      { name: "hostname", kind: "text" },
      { name: "mean_usage_user", kind: "float" },
    ],
    shape: "wide-window",
    windowMicros: wideWindowMicros,
    order: { columns: 2, descending: false },
    sql: (t, p) => ({
      text:
        `SELECT date_trunc('hour', time) AS hour, hostname, avg(usage_user) AS mean_usage_user ` +
        `FROM ${t} WHERE time >= $1::timestamptz AND time < $2::timestamptz ` +
        `GROUP BY 1, 2 ORDER BY 1, 2`,
      params: [iso(p.fromMicros), iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text:
        `SELECT ${
          sqliteBucket(hourMicros)
        } AS hour, hostname, avg(usage_user) AS mean_usage_user ` +
        `FROM cpu WHERE time >= ? AND time < ? GROUP BY 1, 2 ORDER BY 1, 2`,
      params: [p.fromMicros, p.toMicros],
    }),
    influxql: (p) =>
      `SELECT mean(usage_user) AS mean_usage_user FROM cpu WHERE time >= ${
        ns(p.fromMicros)
      } AND time < ${ns(p.toMicros)} GROUP BY time(1h), hostname fill(none)`,
  },
  {
    name: "full-hourly-avg",
    description: "hourly average of all ten metrics over the whole table",
    columns: [
      { name: "hour", kind: "ts", influx: "time" },
      ...cpuMetricNames.map((m): QueryColumn => ({ name: `mean_${m}`, kind: "float" })),
    ],
    shape: "whole",
    windowMicros: 0,
    order: { columns: 1, descending: false },
    sql: (t, p) => ({
      text: `SELECT date_trunc('hour', time) AS hour, ${
        cpuMetricNames.map((m) => `avg(${m}) AS mean_${m}`).join(", ")
      } FROM ${t} WHERE time >= $1::timestamptz AND time < $2::timestamptz GROUP BY 1 ORDER BY 1`,
      params: [iso(p.fromMicros), iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text: `SELECT ${sqliteBucket(hourMicros)} AS hour, ${
        cpuMetricNames.map((m) => `avg(${m}) AS mean_${m}`).join(", ")
      } FROM cpu WHERE time >= ? AND time < ? GROUP BY 1 ORDER BY 1`,
      params: [p.fromMicros, p.toMicros],
    }),
    influxql: (p) =>
      `SELECT ${cpuMetricNames.map((m) => `mean(${m}) AS mean_${m}`).join(", ")} FROM cpu ` +
      `WHERE time >= ${ns(p.fromMicros)} AND time < ${ns(p.toMicros)} GROUP BY time(1h) fill(none)`,
    note:
      "the time bounds cover the whole data set (InfluxQL needs them for GROUP BY time); one parameter set",
  },
  {
    name: "lastpoint",
    description: "the latest row of every host",
    columns: rowColumns,
    shape: "whole",
    windowMicros: 0,
    order: { columns: 2, descending: false },
    sql: (t) => ({
      text: `SELECT DISTINCT ON (hostname) ${rowList} FROM ${t} ORDER BY hostname, time DESC`,
      params: [],
    }),
    sqlite: () => ({
      text:
        `SELECT ${
          rowColumns.map((c) => `c.${c.name}`).join(", ")
        } FROM cpu c JOIN (SELECT hostname, max(time) AS t FROM cpu GROUP BY hostname) m ` +
        `ON c.hostname = m.hostname AND c.time = m.t ORDER BY c.hostname`,
      params: [],
    }),
    influxql: () =>
      `SELECT ${metricList}, region, datacenter FROM cpu GROUP BY hostname ORDER BY time DESC LIMIT 1`,
    note:
      "InfluxQL: last row per series by ORDER BY time DESC LIMIT 1 (SELECT last(*) returns time 0 with several fields); SQLite: join on max(time) per host",
  },
  {
    name: "groupby-orderby-limit",
    description: "max usage_user per minute, all hosts, the last 5 minutes before a random time",
    columns: [
      { name: "minute", kind: "ts", influx: "time" },
      { name: "max_usage_user", kind: "float" },
    ],
    shape: "before",
    windowMicros: 0,
    order: { columns: 1, descending: true },
    sql: (t, p) => ({
      text:
        `SELECT date_trunc('minute', time) AS minute, max(usage_user) AS max_usage_user FROM ${t} ` +
        `WHERE time < $1::timestamptz GROUP BY 1 ORDER BY 1 DESC LIMIT ${orderbyLimitRows}`,
      params: [iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text:
        `SELECT ${
          sqliteBucket(minuteMicros)
        } AS minute, max(usage_user) AS max_usage_user FROM cpu ` +
        `WHERE time < ? GROUP BY 1 ORDER BY 1 DESC LIMIT ${orderbyLimitRows}`,
      params: [p.toMicros],
    }),
    influxql: (p) =>
      `SELECT max(usage_user) AS max_usage_user FROM cpu WHERE time < ${ns(p.toMicros)} ` +
      `GROUP BY time(1m) fill(none) ORDER BY time DESC LIMIT ${orderbyLimitRows}`,
    note: "SQLite has no index on time alone (only (hostname, time)), so it scans",
  },
  {
    name: "high-cpu-1",
    description: `rows with usage_user > ${highCpuThreshold}, one host, 12 hours`,
    columns: rowColumns,
    shape: "host-window",
    windowMicros: wideWindowMicros,
    order: { columns: 1, descending: false },
    sql: (t, p) => ({
      text:
        `SELECT ${rowList} FROM ${t} WHERE usage_user > ${highCpuThreshold} AND hostname = $1 ` +
        `AND time >= $2::timestamptz AND time < $3::timestamptz ORDER BY time`,
      params: [p.host, iso(p.fromMicros), iso(p.toMicros)],
    }),
    sqlite: (p) => ({
      text: `SELECT ${rowList} FROM cpu WHERE usage_user > ${highCpuThreshold} AND hostname = ? ` +
        `AND time >= ? AND time < ? ORDER BY time`,
      params: [p.host, p.fromMicros, p.toMicros],
    }),
    influxql: (p) =>
      `SELECT ${metricList}, ${tagList} FROM cpu WHERE usage_user > ${highCpuThreshold} ` +
      `AND hostname = ${influxString(p.host)} AND time >= ${ns(p.fromMicros)} AND time < ${
        ns(p.toMicros)
      }`,
  },
];

/** The query names, in report order. */
export const queryNames: readonly string[] = querySpecs.map((q) => q.name);

/** A start in [start, end - window], on a whole minute from the data's start. */
function windowStart(random: SeededRandom, data: CpuDataWindow, windowMicros: number): number {
  const slackMinutes = Math.floor(
    (data.endMicros - data.startMicros - windowMicros) / minuteMicros,
  );
  if (slackMinutes <= 0) return data.startMicros;
  return data.startMicros + (random.nextUint32() % (slackMinutes + 1)) * minuteMicros;
}

/**
 * `count` parameter sets for a query over a data set, from `seed` (the same seed gives every
 * engine the same sets). Queries without parameters get one set, and a set whose SQL parameters
 * repeat an earlier one's is dropped (when the window covers the whole data set, e.g. in the
 * high-cardinality variant, the sets of queries that take no host all coincide).
 */
export function queryParamSets(
  spec: QuerySpec,
  data: CpuDataWindow,
  count: number,
  seed: number,
): QueryParams[] {
  // one stream per query, so adding a query leaves the others' parameters unchanged
  let h = seed >>> 0;
  for (let i = 0; i < spec.name.length; i++) h = Math.imul(h ^ spec.name.charCodeAt(i), 16777619);
  const random = new SeededRandom(h >>> 0);
  const intervalMicros = data.intervalSeconds * microsPerSecond;
  const sets: QueryParams[] = [];
  const n = spec.shape === "whole" ? 1 : count;
  for (let i = 0; i < n; i++) {
    const host = `host_${random.nextUint32() % data.hosts}`;
    switch (spec.shape) {
      case "point": {
        const reading = random.nextUint32() % Math.max(data.fullReadings, 1);
        const t = data.startMicros + reading * intervalMicros;
        sets.push({ host, fromMicros: t, toMicros: t });
        break;
      }
      case "host-window":
      case "wide-window": {
        const from = windowStart(random, data, spec.windowMicros);
        sets.push({ host, fromMicros: from, toMicros: from + spec.windowMicros });
        break;
      }
      case "whole":
        sets.push({ host, fromMicros: data.startMicros, toMicros: data.endMicros });
        break;
      case "before": {
        // a reading time after the first 5 minutes, so that 5 whole buckets exist
        const first = Math.min(
          data.startMicros + orderbyLimitRows * minuteMicros,
          data.endMicros - intervalMicros,
        );
        const readings = Math.max(1, Math.floor((data.endMicros - first) / intervalMicros));
        const t = first + (random.nextUint32() % readings) * intervalMicros;
        sets.push({ host, fromMicros: data.startMicros, toMicros: t });
        break;
      }
      default: {
        const never: never = spec.shape;
        throw new Error(`unknown parameter shape ${String(never)}`);
      }
    }
  }
  const seen = new Set<string>();
  return sets.filter((p) => {
    const key = JSON.stringify(spec.sql("t", p).params);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
