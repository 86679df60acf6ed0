/**
 * Why the records in `ratchet.json` fail: one line per failure group, matched on record ids.
 * Every listed id must match a group (`ratchet_reasons_test.ts` checks it), so a new known
 * failure needs a reason before it can be ratcheted.
 *
 * @example
 * ```ts
 * import { reasonFor } from "./ratchet_reasons.ts";
 * console.assert(reasonFor("duckdb/test/sql/window/test_basic_window.test:10")!.includes("window"));
 * ```
 *
 * @module
 */

/** A failure group: the record ids it covers and why they fail. */
export interface RatchetReason {
  readonly ids: RegExp;
  readonly reason: string;
}

const DF = "datafusion/datafusion/sqllogictest/test_files/";
const DUCK = "duckdb/test/sql/";

function under(prefix: string, names: string): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^${escaped}(${names}):\\d+(#\\d+)?$`);
}

/** The failure groups, most specific first. */
export const ratchetReasons: readonly RatchetReason[] = [
  {
    ids: /\/window\/|pg_compat_window\.slt|test_nulls_first\.test|limit\.slt|cte\.slt:6\d\d/,
    reason:
      "window functions (OVER) run in a later issue; DuckDB's PRAGMA form of default_null_order",
  },
  { ids: /\/asof\//, reason: "ASOF JOIN is a later issue" },
  {
    ids: under(DF, "coalesce\\.slt"),
    reason:
      "DataFusion types literals as Int64/Float64 and reports Arrow types (Dictionary, LargeUtf8, List); OmenDB types them as PostgreSQL does",
  },
  {
    ids: under(DF, "cte\\.slt"),
    reason:
      "DataFusion expects errors for recursive CTE forms it lacks; OmenDB runs them as PostgreSQL does",
  },
  {
    ids: under(DF, "decimal\\.slt"),
    reason:
      "DataFusion's decimal result types (Decimal128 precision rules, Float64 for decimal literals) differ from PostgreSQL's numeric",
  },
  {
    ids: under(DF, "group\\.slt"),
    reason:
      "HAVING on an output alias and integer-to-date casts are DataFusion extensions PostgreSQL rejects (42703, 42846)",
  },
  {
    ids: under(DF, "interval\\.slt"),
    reason:
      "DataFusion interval syntax: nanoseconds, INTERVAL '5' WEEK as 35 days, INTERVAL '1' + '1' MONTH; PostgreSQL reads these differently or rejects them",
  },
  {
    ids: under(DF, "join\\.slt"),
    reason: "LEFT SEMI JOIN, INT UNSIGNED and FROM (t1) AS t1 are DataFusion syntax",
  },
  {
    ids: under(DF, "pg_compat/pg_compat_simple\\.slt"),
    reason:
      "the runner answers to both postgres and DataFusion (FORMAT.md), so the second CREATE is 42P07",
  },
  {
    ids: under(DF, "subquery\\.slt"),
    reason:
      "IN ((subquery)) is a scalar subquery in PostgreSQL (21000); struct() and ['field'] access; DataFusion planner errors for queries PostgreSQL runs",
  },
  {
    ids: under(DF, "timestamps\\.slt"),
    reason:
      "DataFusion timestamps are nanoseconds and carry an Arrow time zone per column (OmenDB prints timestamptz in the session zone); DataFusion reads SET TIME ZONE '+05:00' as east, PostgreSQL as POSIX (west); it rejects zone inputs PostgreSQL accepts; numeric-to-timestamp casts, chrono to_char formats, date + interval as date",
  },
  {
    ids: under(DUCK, "aggregate/aggregates/test_aggregate_types\\.test"),
    reason: "sum(boolean) is DuckDB; PostgreSQL has none (42883)",
  },
  {
    ids: under(DUCK, "aggregate/aggregates/test_avg\\.test"),
    reason:
      "DuckDB's avg over intervals, timestamps, HUGEINT and TIMETZ, range() and CREATE OR REPLACE TABLE",
  },
  {
    ids: under(DUCK, "aggregate/aggregates/test_stddev\\.test"),
    reason:
      "DuckDB's range() and SUMMARIZE; 1.0/0.0 is 22012 and float overflow 22003 in PostgreSQL",
  },
  {
    ids: under(DUCK, "aggregate/aggregates/test_string_agg\\.test"),
    reason: "the DuckDB setting debug_force_external; list_position and [...] list literals",
  },
  {
    ids: under(DUCK, "aggregate/distinct/test_distinct_on\\.test"),
    reason: "DuckDB lets DISTINCT ON keys differ from ORDER BY (PostgreSQL: 42P10); ORDER BY ALL",
  },
  {
    ids: under(
      DUCK,
      "aggregate/group/test_group_by\\.test|join/full_outer/test_full_outer_join\\.test|join/inner/test_join\\.test|join/left_outer/test_left_outer\\.test",
    ),
    reason: "SET debug_force_external, a DuckDB setting (42704 here)",
  },
  {
    ids: under(DUCK, "aggregate/grouping_sets/grouping_sets\\.test"),
    reason: "GROUP BY (a, b) as a row constructor",
  },
  {
    ids: under(DUCK, "aggregate/having/test_having\\.test"),
    reason: "HAVING on an output alias: PostgreSQL raises 42703",
  },
  {
    ids: under(DUCK, "cast/test_boolean_cast\\.test"),
    reason:
      "casts of smallint, bigint, numeric and float to boolean, and HUGEINT, are DuckDB; PostgreSQL casts only integer (42846)",
  },
  {
    ids: under(DUCK, "cte/test_cte\\.test"),
    reason: "column aliases on a CTE reference (FROM cte t(x)) and DuckDB's CTE materialization",
  },
  {
    ids: under(DUCK, "function/date/test_date_trunc\\.test"),
    reason:
      "date_trunc of a date is timestamptz in PostgreSQL; DuckDB-only units (isoyear, doy, dow, julian, yearweek, epoch) and stats(); PostgreSQL's millennium starts at 1001",
  },
  {
    ids: under(DUCK, "function/date/test_extract\\.test"),
    reason:
      "EXTRACT(YEARWEEK ...) is DuckDB; EXTRACT of a time field from a date is 0A000 in PostgreSQL 14+ (DuckDB gives 0)",
  },
  {
    ids: under(DUCK, "function/timestamp/test_time_bucket_timestamp\\.test"),
    reason:
      "DuckDB's timestamps end in 294247, PostgreSQL's in 294276 (BC input '3000-01-02 (BC)' reads as in PostgreSQL, which ignores the parentheses)",
  },
  {
    ids: under(DUCK, "join/natural/natural_join\\.test"),
    reason: "DuckDB's rowid and // operator; DEFAULT casts DuckDB accepts",
  },
  {
    ids: under(DUCK, "join/semianti/semijoin\\.test"),
    reason: "SEMI and ANTI JOIN are DuckDB syntax",
  },
  {
    ids: under(DUCK, "order/test_limit\\.test"),
    reason:
      "SQL-level PREPARE/EXECUTE is not supported yet; LIMIT with a percentage, DuckDB range() and CREATE OR REPLACE TABLE",
  },
  {
    ids: under(DUCK, "order/test_order_by\\.test"),
    reason:
      "ORDER BY a name or expression of a UNION's second branch: PostgreSQL raises 42703 or 0A000",
  },
  {
    ids: under(DUCK, "setops/test_setops\\.test"),
    reason: "SELECT 1 UNION ALL SELECT 'asdf': PostgreSQL resolves the literal as integer (22P02)",
  },
  {
    ids: under(DUCK, "subquery/exists/test_correlated_exists\\.test"),
    reason:
      "aggregates of outer columns inside a subquery (PostgreSQL's outer-level aggregates) are not supported yet; expected floats rounded by hand; DuckDB's delim_join_as_cte",
  },
  {
    ids: under(
      DUCK,
      "subquery/scalar/test_correlated_subquery\\.test|subquery/scalar/test_uncorrelated_scalar_subquery\\.test",
    ),
    reason:
      "the DuckDB setting scalar_subquery_error_on_multiple_rows; PostgreSQL raises 21000 for several rows",
  },
  {
    ids: under(DUCK, "types/decimal/test_decimal\\.test"),
    reason: "DuckDB's typeof() and DECIMAL's default width (18,3)",
  },
  {
    ids: under(DUCK, "types/interval/test_interval\\.test"),
    reason:
      "DuckDB interval text ('1 month' after ::VARCHAR) and interval inputs PostgreSQL rejects",
  },
  {
    ids: under(DUCK, "types/null/test_null\\.test"),
    reason: "the DuckDB setting ieee_floating_point_ops; x / 0 is 22012 in PostgreSQL",
  },
  {
    ids: under(DUCK, "types/timestamp/test_timestamp\\.test"),
    reason:
      "avg(timestamp), year() and other DuckDB-only functions; DuckDB rejects input PostgreSQL reads ('2017-07-23A13:10:11' is a date and the POSIX zone A13:10:11)",
  },
  {
    ids: /^risinglight\/tests\/sql\/subquery\.slt:/,
    reason:
      "a cross join without ORDER BY: SQL leaves the row order open and the expected order is RisingLight's",
  },
  {
    ids: /^sqlite\/test\/evidence\/in1\.test:/,
    reason: "'hello' IN (SELECT int column) is 22P02 in PostgreSQL; x'..' blob literals are SQLite",
  },
  {
    ids: /^sqlite\/test\/evidence\/slt_lang_update\.test:/,
    reason: "UPDATE SET x=3, x=4 assigns a column twice: PostgreSQL raises 42601",
  },
];

/** The reason a failing record is known to fail, or `null` when no group covers it. */
export function reasonFor(id: string): string | null {
  for (const r of ratchetReasons) if (r.ids.test(id)) return r.reason;
  return null;
}

/** Failing ids grouped by reason, largest group first; ids without a reason under `null`. */
export function groupByReason(ids: readonly string[]): [string | null, string[]][] {
  const groups = new Map<string | null, string[]>();
  for (const id of ids) {
    const reason = reasonFor(id);
    let g = groups.get(reason);
    if (g === undefined) groups.set(reason, g = []);
    g.push(id);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
}
