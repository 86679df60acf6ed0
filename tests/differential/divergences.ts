/**
 * Listed divergences: places where DuckDB (the reference) and PostgreSQL 15 disagree and OmenDB
 * follows PostgreSQL, as DESIGN.md §5 says it must. A mismatch with DuckDB only counts as a
 * divergence when PostgreSQL settles it for OmenDB *and* an entry here recognises its shape;
 * anything else fails. `divergences_test.ts` checks every entry against the real engines, so an
 * entry that stops being true (a DuckDB upgrade) is noticed.
 *
 * @module
 */

import { compareOutcomes, type OrderSpec } from "./compare.ts";
import { type Cell, cellKey } from "./cell.ts";
import type { Outcome } from "./outcome.ts";

/** What a divergence is recognised by. */
export interface DivergenceContext {
  /** The features of the query. */
  readonly features: ReadonlySet<string>;
  readonly duck: Outcome;
  readonly pg: Outcome;
  /** The query's ORDER BY, so an order-only difference counts as a difference. */
  readonly order?: OrderSpec | null;
}

/** One known DuckDB-vs-PostgreSQL difference. */
export interface Divergence {
  /** Stable identifier, used in reports. */
  readonly id: string;
  /** What differs, and what PostgreSQL (and so OmenDB) does. */
  readonly description: string;
  /** Feature tags of queries that can show it; one must be present. */
  readonly triggers: readonly string[];
  /** True when a DuckDB/PostgreSQL disagreement has this entry's shape. */
  matches(ctx: DivergenceContext): boolean;
  /**
   * Whether PostgreSQL is consulted even when OmenDB agrees with DuckDB on a query with a
   * trigger feature (default true: OmenDB must follow PostgreSQL). False for behaviour that
   * SQL leaves to the implementation, where agreeing with DuckDB is fine too.
   */
  readonly pgDecides?: boolean;
  /** A script that shows it: setup statements, then a query. */
  readonly example: { readonly setup: readonly string[]; readonly sql: string };
  /**
   * How the example is checked. `values` (default): the answers differ and {@link matches}
   * holds. `types`: the values agree within tolerance but the result types differ. `order`: the
   * rows agree as a bag but come in a different order under the example's ORDER BY (its first
   * column is the key).
   */
  readonly evidence?: "values" | "types" | "order";
  /** For `types` evidence: the DuckDB and PostgreSQL type names of the first column. */
  readonly types?: { readonly duck: string; readonly pg: string };
}

function pgError(o: Outcome, code: string): boolean {
  return !o.ok && o.code === code;
}

/**
 * True when the two results pair up row by row (as bags), every pair of cells equal or `near`,
 * and at least one pair only near: the same values computed slightly differently.
 */
function pairsUp(
  a: readonly (readonly Cell[])[],
  b: readonly (readonly Cell[])[],
  near: (x: Cell, y: Cell) => boolean,
): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  const close = (x: Cell, y: Cell): "same" | "near" | "no" =>
    cellKey(x) === cellKey(y) ? "same" : near(x, y) ? "near" : "no";
  const used = new Set<number>();
  let differ = false;
  for (const r of a) {
    const j = b.findIndex((s, k) =>
      !used.has(k) && s.length === r.length && r.every((c, i) => close(c, s[i]!) !== "no")
    );
    if (j < 0) return false;
    used.add(j);
    if (r.some((c, i) => close(c, b[j]![i]!) === "near")) differ = true;
  }
  return differ;
}

/** Integers that differ by one: a value rounded the other way. */
function offByOne(x: Cell, y: Cell): boolean {
  if (x === null || y === null || x.kind !== "int" || y.kind !== "int") return false;
  const d = x.value - y.value;
  return d === 1n || d === -1n;
}

/** Two integers, the first smaller: a count of distinct values that merged more of them. */
function countsFewer(x: Cell, y: Cell): boolean {
  return x !== null && y !== null && x.kind === "int" && y.kind === "int" && x.value < y.value;
}

/** Two floats (that differ, when {@link pairsUp} asks): the same aggregate rounded another way. */
function bothFloat(x: Cell, y: Cell): boolean {
  return x !== null && y !== null && x.kind === "float" && y.kind === "float";
}

/** Two booleans (that differ, when {@link pairsUp} asks): a comparison answered the other way. */
function bothBool(x: Cell, y: Cell): boolean {
  return x !== null && y !== null && x.kind === "bool" && y.kind === "bool";
}

/**
 * DuckDB's NULL against PostgreSQL's NaN, or a boolean computed from them (DuckDB's NULL
 * compared is NULL where PostgreSQL's NaN compares to a boolean).
 */
function nullOrBoolVsNaN(x: Cell, y: Cell): boolean {
  return (x === null && y !== null && y.kind === "float" && Number.isNaN(y.value)) ||
    (x === null && y !== null && y.kind === "bool") || bothBool(x, y);
}

/** A NULL against a boolean, either way round. */
function nullAgainstBool(x: Cell, y: Cell): boolean {
  return (x === null && y !== null && y.kind === "bool") ||
    (y === null && x !== null && x.kind === "bool");
}

/** Two integers (aggregates over rows a comparison kept: counts, sums). */
function bothInt(x: Cell, y: Cell): boolean {
  return x !== null && y !== null && x.kind === "int" && y.kind === "int";
}

/** The list. The first entry that matches a disagreement explains it. */
export const divergences: readonly Divergence[] = [
  {
    id: "constant_folded_error",
    description: "PostgreSQL folds constant sub-expressions while planning, so a data exception " +
      "in a constant is raised even when no row evaluates it (empty table, WHERE that keeps no " +
      "row); DuckDB returns no rows (or, when the constant is in one branch of a UNION over an " +
      "empty table, the other branches' rows). SQL leaves this to the " +
      "implementation: OmenDB may agree with either engine.",
    triggers: ["literal"],
    pgDecides: false,
    matches: ({ duck, pg, features }) =>
      duck.ok && !pg.ok && pg.sqlClass === "22" &&
      (duck.rows.length === 0 || (features.has("setop") && features.has("data.empty"))),
    example: {
      setup: ["CREATE TABLE e (x INTEGER)"],
      sql: "SELECT 2147483647 * 2 AS big FROM e",
    },
  },
  {
    id: "uncorrelated_subquery_over_no_rows",
    description: "An uncorrelated scalar subquery in the select list of a query that returns no " +
      "rows: DuckDB computes it anyway (and raises its errors); PostgreSQL runs an InitPlan " +
      "only when a row needs its value, so over no rows it is never run.",
    triggers: ["subquery.scalar"],
    matches: ({ duck, pg }) => !duck.ok && pg.ok && pg.rows.length === 0,
    example: {
      setup: [
        "CREATE TABLE s (c TEXT)",
        "INSERT INTO s VALUES ('x')",
        "CREATE TABLE e (b BOOLEAN)",
      ],
      sql: "SELECT e.b, (SELECT count(*) FROM s WHERE CAST(s.c AS BOOLEAN)) AS n FROM e",
    },
  },
  {
    id: "division_by_zero",
    description: "x / 0 and x % 0: DuckDB returns NULL (integers and floats alike); " +
      "PostgreSQL raises 22012 division_by_zero, or 22003 when x itself overflows first " +
      "(-((-2147483647 + -2) / 0)): DuckDB's NULL then hides the overflow (its optimizer " +
      "makes x / 0 NULL without computing x, so other columns of the row may be set).",
    triggers: ["arith.div", "arith.mod"],
    matches: ({ duck, pg }) =>
      duck.ok &&
      (pgError(pg, "22012") ||
        (pgError(pg, "22003") && duck.rows.every((r) => r.some((c) => c === null)))),
    example: { setup: [], sql: "SELECT 1 / 0 AS q" },
  },
  {
    id: "nan_divided_by_zero",
    description: "NaN / 0 in float8: DuckDB returns NULL, as for any x / 0; PostgreSQL " +
      "returns NaN (float8div raises 22012 only for a dividend that is not NaN). So " +
      "(NaN / 0) IS NULL is true in DuckDB and false in PostgreSQL: a WHERE keeps other rows.",
    triggers: ["literal.nan", "arith.div"],
    matches: ({ duck, pg, features }) =>
      features.has("literal.nan") && features.has("arith.div") && duck.ok && pg.ok &&
      (duck.rows.length !== pg.rows.length || pairsUp(duck.rows, pg.rows, nullOrBoolVsNaN)),
    example: {
      setup: [],
      sql: "SELECT (CAST('NaN' AS DOUBLE PRECISION) / CAST(0.0 AS DOUBLE PRECISION)) AS q",
    },
  },
  {
    id: "float_out_of_range",
    description: "float8 arithmetic that overflows (or underflows to zero): DuckDB returns " +
      "±Infinity, NULL or 0; PostgreSQL raises 22003 'value out of range'. This includes " +
      "avg/var/stddev of float8, whose transition (float8_accum) sums squares: values past " +
      "1e154 overflow there.",
    triggers: ["arith.float8", "agg.avg", "agg.stddev"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22003"),
    example: {
      setup: [],
      sql: "SELECT CAST(1e300 AS DOUBLE PRECISION) * CAST(1e300 AS DOUBLE PRECISION) AS x",
    },
  },
  {
    id: "text_to_integer_rounds",
    description: "CAST('1.5' AS INTEGER): DuckDB parses the decimal and rounds it to 2; " +
      "PostgreSQL raises 22P02 invalid_text_representation.",
    triggers: ["cast.text_to_int4", "cast.text_to_int8"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22P02"),
    example: { setup: [], sql: "SELECT CAST('1.5' AS INTEGER) AS i" },
  },
  {
    id: "float8_to_text",
    description: "float8 to text: DuckDB writes '1.0', 'nan', 'inf'; PostgreSQL writes the " +
      "shortest form: '1', 'NaN', 'Infinity'.",
    triggers: ["cast.float8_to_text"],
    matches: ({ duck, pg }) => duck.ok && pg.ok,
    example: { setup: [], sql: "SELECT CAST(CAST(1 AS DOUBLE PRECISION) AS TEXT) AS s" },
  },
  {
    id: "order_by_constant",
    description: "ORDER BY a bare non-integer constant (ORDER BY FALSE, ORDER BY 'a'): DuckDB " +
      "accepts it; PostgreSQL raises 42601 'non-integer constant in ORDER BY'.",
    triggers: ["order_by"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "42601"),
    example: { setup: [], sql: "SELECT 1 AS a ORDER BY FALSE" },
  },
  {
    id: "interval_order",
    description: "Ordering intervals with negative parts: PostgreSQL compares the whole span " +
      "(30-day months, 24-hour days), so '1 mon -21 days 18:30:18' (about 9.8 days) sorts " +
      "before '10 days 12:00:00'; DuckDB normalises the fields differently and sorts them the " +
      "other way. The rows agree; only their order differs (and so, under a LIMIT or OFFSET, " +
      "or in a scalar subquery's ORDER BY ... LIMIT 1, which rows are kept, and which interval " +
      "min() and max() return).",
    triggers: ["order_by", "subquery.limit1", "agg.min", "agg.max"],
    matches: ({ duck, pg, order, features }) =>
      duck.ok && pg.ok && pg.columns.some((c) => c.type === "interval") &&
      // the rows agree, or a LIMIT kept different ones of the differently ordered rows (the
      // query's own, or a scalar subquery's ORDER BY ... LIMIT 1), or min/max picked another
      (compareOutcomes(duck, pg, null).equal ||
        ((order?.limited === true || order?.offset === true ||
          features.has("subquery.limit1") || features.has("agg.min") ||
          features.has("agg.max")) &&
          duck.rows.length === pg.rows.length)),
    example: {
      setup: [],
      sql:
        "SELECT v FROM (VALUES (INTERVAL '1 mon -21 days 18:30:18'), (INTERVAL '10 days 12:00:00')) s(v) ORDER BY 1",
    },
    evidence: "order",
  },
  {
    id: "overflow_missed_in_comparison",
    description: "An int8 product that overflows inside a comparison: DuckDB compares without " +
      "raising (0 = -3 * 3074457345618258603 is false); PostgreSQL raises 22003. Likewise an " +
      "int4 difference that overflows in a BETWEEN ((0 - -2147483648) BETWEEN 0 AND 0).",
    triggers: ["compare", "between"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22003"),
    example: {
      setup: [],
      sql: "SELECT (0 = (CAST(-3 AS BIGINT) * abs(CAST(-3074457345618258603 AS BIGINT)))) AS b",
    },
  },
  {
    id: "length_is_integer",
    description: "length() returns integer in PostgreSQL and BIGINT in DuckDB, so " +
      "length(s) + 2147483647 overflows with 22003 in PostgreSQL and not in DuckDB.",
    triggers: ["func.length"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22003"),
    example: { setup: [], sql: "SELECT (length('abc') + 2147483647) AS r0" },
  },
  {
    id: "sum_constants_reassociated",
    description: "An integer sum with constant terms on both sides of a column (-2147483649 + " +
      "(x + 9223372036854775807)): DuckDB's optimizer gathers the constants first (x + " +
      "(-2147483649 + 9223372036854775807)), so a sum whose written left-to-right order " +
      "overflows but whose total fits is returned; PostgreSQL adds as written and raises 22003.",
    triggers: ["arith.int4", "arith.int8"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22003"),
    example: {
      setup: [],
      sql: "SELECT (CAST(-2147483649 AS BIGINT) + (x + CAST(9223372036854775807 AS BIGINT))) " +
        "AS r FROM (VALUES (CAST(1 AS BIGINT))) AS v(x)",
    },
  },
  {
    id: "overflow_skipped_under_is_null",
    description: "An integer overflow inside the operand of IS [NOT] NULL: DuckDB's optimizer " +
      "decides the test without evaluating the operand (abs(x) is NULL only when x is) and " +
      "returns false; PostgreSQL evaluates it and raises 22003.",
    triggers: ["is_null"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22003"),
    example: {
      setup: [],
      sql: "SELECT (abs((CAST(-2147483648 AS INTEGER) + 0)) IS NULL) AS b",
    },
  },
  {
    id: "error_evaluation_order",
    description: "Which error a query raises, and whether it raises one, can depend on the " +
      "order in which the plan evaluates expressions: a query with two problems reports the " +
      "first one found (PostgreSQL's parse analysis, DuckDB's binder or optimizer), and a data " +
      "exception inside CASE, AND/OR, WHERE, an IN list, a join's ON, coalesce or nullif may " +
      "be skipped, reordered or " +
      "folded by one engine and not the other (DuckDB also rewrites some casts in comparisons, " +
      "and folds `x + NULL` to NULL without evaluating x). " +
      "Under LIMIT, which rows a plan reaches before it stops depends on its join order and on " +
      "how it breaks ties of the ORDER BY: OmenDB may raise the data exception of a row that " +
      "PostgreSQL's plan never reached, when PostgreSQL raises it too once the LIMIT is " +
      "removed (see stoppedEarly in oracle.ts). " +
      "SQL leaves evaluation order to the implementation: OmenDB may agree with either engine, " +
      "and may also skip a failing sub-expression whose value does not matter where both " +
      "engines raise its error (see skippedError in oracle.ts).",
    triggers: [
      "case",
      "logic",
      "where",
      "in_list",
      "join.non_equi",
      "func.coalesce",
      "func.nullif",
      "order_by",
      "literal.null",
    ],
    pgDecides: false,
    matches: ({ duck, pg }) =>
      (!duck.ok && !pg.ok && duck.sqlClass !== pg.sqlClass) ||
      (!duck.ok && pg.ok && duck.sqlClass === "22") ||
      (duck.ok && !pg.ok && pg.sqlClass === "22"),
    example: {
      setup: ["CREATE TABLE e (x BIGINT)", "INSERT INTO e VALUES (9007199254740992)"],
      sql: "SELECT x FROM e WHERE 0 <= CAST(x AS INTEGER)",
    },
  },
  {
    id: "date_range",
    description: "Dates outside PostgreSQL's range (4714-11-24 BC to 5874897 AD): DuckDB " +
      "computes them (DATE '1970-01-01' - 2440589 is a date in 4714 BC); PostgreSQL raises " +
      "22008 'date out of range'.",
    triggers: ["temporal.date_plus_int"],
    matches: ({ duck, pg }) => duck.ok && pgError(pg, "22008"),
    example: {
      setup: [],
      sql: "SELECT CAST(((DATE '1970-01-01' - 2440589) - DATE '1970-01-01') AS INTEGER) AS d",
    },
  },
  {
    id: "decimal_overflow",
    description: "NUMERIC arithmetic whose exact result needs more digits than DuckDB's " +
      "DECIMAL keeps (its products keep their width, at most 38 digits): DuckDB raises an " +
      "'Out of Range Error'; PostgreSQL's numeric has no such limit.",
    triggers: ["arith.numeric"],
    matches: ({ duck, pg }) =>
      !duck.ok && duck.sqlClass === "22" && /DECIMAL/.test(duck.message) && pg.ok,
    example: {
      setup: [],
      sql: "SELECT CAST('123456.5' AS NUMERIC(12,3)) * CAST('123456.5' AS NUMERIC(12,3)) * " +
        "CAST('123456.5' AS NUMERIC(12,3)) * CAST('123456.5' AS NUMERIC(12,3)) AS p",
    },
  },
  {
    id: "numeric_division_is_double",
    description: "NUMERIC / NUMERIC: DuckDB computes a DOUBLE, so what follows works on a " +
      "binary float (round(1.005, 2) is 1.0, as 1.005 is 1.00499... in binary); PostgreSQL's " +
      "quotient stays numeric (decimal), and round gives 1.01. Cast to an integer, DuckDB's " +
      "double rounds halves to even (5.000 / 2.000 to 2), PostgreSQL's numeric away from zero (3). " +
      "Under DISTINCT, (x / n) * n of two rows can be one double in DuckDB and two numerics in " +
      "PostgreSQL (rounded at the quotient's scale); so can count(DISTINCT x / n + k), where " +
      "DuckDB counts fewer.",
    triggers: ["arith.div"],
    matches: ({ duck, pg, features }) =>
      duck.ok && pg.ok &&
      ((duck.columns.some((c) => c.type === "DOUBLE") &&
        pg.columns.some((c) => c.type === "numeric")) ||
        pairsUp(duck.rows, pg.rows, offByOne) ||
        // DISTINCT over quotients: DuckDB's doubles merge values PostgreSQL keeps apart
        (features.has("distinct") && features.has("arith.numeric") &&
          duck.rows.length < pg.rows.length) ||
        (features.has("agg.count_distinct") && features.has("arith.numeric") &&
          pairsUp(duck.rows, pg.rows, countsFewer))),
    example: {
      setup: [],
      sql: "SELECT round(CAST('1.005' AS NUMERIC(12,3)) / CAST(1 AS NUMERIC(12,3)), 2) AS r",
    },
  },
  {
    id: "filter_evaluates_arguments",
    description: "An aggregate with FILTER (WHERE ...): DuckDB evaluates the arguments for " +
      "every row, so an overflow in a row that FILTER drops raises an error; PostgreSQL " +
      "evaluates them only for rows that pass the filter.",
    triggers: ["agg.filter"],
    matches: ({ duck, pg }) => !duck.ok && duck.sqlClass === "22" && pg.ok,
    example: {
      setup: ["CREATE TABLE f (x INTEGER)", "INSERT INTO f VALUES (CAST(-2147483648 AS INTEGER))"],
      sql: "SELECT sum(x + x) FILTER (WHERE x > 0) AS n FROM f",
    },
  },
  {
    id: "variance_of_nan",
    description: "var_pop/var_samp/stddev over a group holding NaN or an infinity: DuckDB " +
      "can return 0 (a single NaN input gives var_pop 0), or raise 'out of range' for " +
      "infinities and NaN (also when a HAVING then drops the group); PostgreSQL returns NaN.",
    triggers: ["agg.stddev"],
    matches: ({ duck, pg }) =>
      pg.ok &&
      (pg.rows.some((r) =>
        r.some((c) => c !== null && c.kind === "float" && Number.isNaN(c.value))
      ) ||
        (!duck.ok && duck.sqlClass === "22" &&
          /(STDDEV|VAR)\w* is out of range/.test(duck.message))),
    example: {
      setup: [],
      sql: "SELECT var_pop(x) AS v FROM (VALUES (CAST('NaN' AS DOUBLE PRECISION))) AS t(x)",
    },
  },
  {
    id: "date_trunc_null_comparison",
    description: "A date or timestamp compared with date_trunc(...) of a NULL timestamp " +
      "column: DuckDB 1.5.6 answers true or false (NOT (DATE '1999-12-31' = " +
      "date_trunc('month', c)) is true for a NULL c), where PostgreSQL's comparison with NULL " +
      "is NULL; in a WHERE (or a subquery's) DuckDB then keeps other rows (and counts " +
      "them: count(*) over the WHERE differs).",
    triggers: ["func.date_trunc"],
    matches: ({ duck, pg, features }) =>
      duck.ok && pg.ok &&
      (duck.rows.length !== pg.rows.length ||
        pairsUp(duck.rows, pg.rows, (x, y) => x !== null && x.kind === "bool" && y === null) ||
        (features.has("agg.count") && (features.has("where") || features.has("subquery")) &&
          pairsUp(duck.rows, pg.rows, bothInt))),
    example: {
      setup: ["CREATE TABLE t (c1 TIMESTAMP)", "INSERT INTO t VALUES (NULL)"],
      sql: "SELECT NOT (DATE '1999-12-31' = date_trunc('month', c1)) AS r FROM t",
    },
  },
  {
    id: "union_numeric_scale",
    description: "A set operation over NUMERIC(12,3) and round(..., n) of a numeric with n < 3: " +
      "DuckDB types the result DECIMAL(38,n) and rounds the scaled values (0.001 becomes 0, " +
      "and a UNION then merges it with 0); PostgreSQL's result is NUMERIC without a typmod " +
      "and keeps every value.",
    triggers: ["setop"],
    matches: ({ duck, pg }) =>
      duck.ok && pg.ok && pg.columns.some((c) => c.type === "numeric") &&
      duck.columns.some((c) => /^DECIMAL\(\d+,[012]\)$/.test(c.type)),
    example: {
      setup: ["CREATE TABLE t1 (c0 NUMERIC(12,3))", "INSERT INTO t1 VALUES (2), (NULL)"],
      sql: "SELECT CAST('0.001' AS NUMERIC(12,3)) AS r UNION " +
        "SELECT round((c0 + CAST(0 AS BIGINT)) * CAST(0 AS BIGINT), 0) FROM t1",
    },
  },
  {
    id: "int_min_mod_minus_one",
    description: "The smallest integer % -1 (-9223372036854775808 % -1): PostgreSQL returns 0, " +
      "as the remainder is 0 whatever the quotient; DuckDB raises an overflow.",
    triggers: ["arith.mod"],
    matches: ({ duck, pg }) => !duck.ok && duck.sqlClass === "22" && pg.ok,
    example: {
      setup: [],
      sql: "SELECT CAST(-9223372036854775808 AS BIGINT) % CAST(-1 AS BIGINT) AS r",
    },
  },
  {
    id: "literal_input_at_parse",
    description: "A quoted literal cast to a type (CAST('abc' AS DATE)) is converted by " +
      "PostgreSQL's parser, so a bad literal raises 22xxx even in a column that no row or no " +
      "outer query uses; DuckDB drops an unused derived-table column without evaluating it. " +
      "Which unused expressions run is left to the implementation: OmenDB may agree with either.",
    triggers: [
      "cast.text_to_date",
      "cast.text_to_timestamp",
      "cast.text_to_interval",
      "cast.text_to_numeric",
      "cast.text_to_int4",
      "cast.text_to_int8",
      "cast.text_to_float8",
      "cast.text_to_bool",
    ],
    pgDecides: false,
    matches: ({ duck, pg }) => duck.ok && !pg.ok && pg.sqlClass === "22",
    example: {
      setup: ["CREATE TABLE e (x INTEGER)", "INSERT INTO e VALUES (1)"],
      sql: "SELECT 0 AS r0 FROM (SELECT CAST('V{4(' AS DATE) AS d0 FROM e) AS s",
    },
  },
  {
    id: "constant_folded_error_in_aggregate",
    description: "An aggregate over no rows still returns one row: PostgreSQL folds a constant " +
      "argument while planning and raises its data exception (count(2147483647 * 2) over an " +
      "empty table); DuckDB never evaluates the argument and returns count 0 or NULL. SQL " +
      "leaves this to the implementation: OmenDB may agree with either engine.",
    triggers: ["agg"],
    pgDecides: false,
    matches: ({ duck, pg }) => duck.ok && duck.rows.length === 1 && !pg.ok && pg.sqlClass === "22",
    example: {
      setup: ["CREATE TABLE e (x INTEGER)"],
      sql: "SELECT count(2147483647 * 2) AS n FROM e",
    },
  },
  {
    id: "variance_rounding",
    description: "var_pop/var_samp/stddev of float8 values that cancel badly (around 1e18, " +
      "spread by 1e9): PostgreSQL's Youngs-Cramer sums and DuckDB's algorithm round " +
      "differently, so the answers differ in the 7th digit, past the float tolerance; and " +
      "the deviation of equal values (stddev of -0.1 seven times) is a residue like 1e-17 in " +
      "PostgreSQL, 0 in DuckDB. Near 2^53, where float8 values are 2 or more apart, the two " +
      "differ in the first digits (stddev 2.19 against 2.24). Compared in a HAVING, that " +
      "keeps or drops groups. OmenDB computes PostgreSQL's " +
      "float8_accum.",
    triggers: ["agg.stddev"],
    matches: ({ duck, pg, features }) =>
      duck.ok && pg.ok &&
      (pairsUp(duck.rows, pg.rows, bothFloat) ||
        // compared in a HAVING or WHERE: the residue keeps rows that 0 does not
        (features.has("agg.stddev") && duck.rows.length !== pg.rows.length)),
    example: {
      setup: [],
      sql: "SELECT stddev(CAST(0.0 AS DOUBLE PRECISION) + (CAST(1234567890123456789 AS BIGINT) " +
        "+ x)) AS s FROM (VALUES (-39), (-1884873498), (-39)) AS v(x)",
    },
  },
  {
    id: "variance_of_integers_is_numeric",
    description: "var_pop/var_samp/stddev of integers or numeric: PostgreSQL computes them in " +
      "numeric and rounds to numeric division's result scale (16 significant digits for the " +
      "variance, the square root at the same scale: stddev 229350558 with no decimals); " +
      "DuckDB returns DOUBLE (229350558.4239067). The two differ below that scale's last digit.",
    triggers: ["agg.stddev"],
    matches: ({ duck, pg }) =>
      duck.ok && pg.ok &&
      pairsUp(duck.rows, pg.rows, (x, y) => {
        if (x === null || y === null || x.kind !== "float") return false;
        const v = y.kind === "int" ? Number(y.value) : y.kind === "float" ? y.value : NaN;
        return Math.abs(x.value - v) <= 0.5 + 1e-12 * Math.abs(v);
      }),
    example: {
      setup: [],
      sql: "SELECT stddev(x) AS s FROM (VALUES (-392476678), (-523624888), (7), (19)) AS v(x)",
    },
  },
  {
    id: "date_text_formats",
    description: "Text cast to date or timestamp in a form other than ISO YYYY-MM-DD: PostgreSQL " +
      "reads digit strings ('217010401' is year 21701), Julian days ('J1.5') and more; DuckDB " +
      "accepts only ISO and raises a conversion error.",
    triggers: ["cast.text_to_date", "cast.text_to_timestamp"],
    matches: ({ duck, pg }) => !duck.ok && pg.ok,
    example: { setup: [], sql: "SELECT CAST(CAST(217010401 AS TEXT) AS DATE) AS d" },
  },
  {
    id: "avg_integer_type",
    description: "avg(integer): DuckDB returns DOUBLE; PostgreSQL returns numeric. Values agree " +
      "within the float tolerance, so only the type differs (for the aggregate generators).",
    triggers: ["agg.avg"],
    matches: () => false,
    example: { setup: [], sql: "SELECT avg(x) AS a FROM (VALUES (1), (2), (2)) AS v(x)" },
    evidence: "types",
    types: { duck: "DOUBLE", pg: "numeric" },
  },
  {
    id: "interval_equality",
    description: "Comparing intervals with mixed-sign parts: PostgreSQL compares the whole span " +
      "(30-day months, 24-hour days), so '10 days 12:00' = '1 mon -19 days -12:00' is true; " +
      "DuckDB normalises the fields separately and says false: boolean cells differ, or a " +
      "WHERE keeps other rows (a table's mixed-sign intervals compared with <= too: " +
      "'1 mon -22 days -22:44:07' <= '10 days 12:00' is true in PostgreSQL; inside an " +
      "aggregate's FILTER the counts differ; under nullif one engine's NULL is the other's " +
      "boolean, and under CASE WHEN one engine's THEN the other's ELSE). Last in the list, so " +
      "any other entry explains a " +
      "query first.",
    triggers: ["temporal.interval_arith", "literal.interval_mixed", "compare.interval"],
    matches: ({ duck, pg, features }) =>
      duck.ok && pg.ok &&
      (duck.rows.length !== pg.rows.length || pairsUp(duck.rows, pg.rows, bothBool) ||
        (features.has("agg.filter") && pairsUp(duck.rows, pg.rows, bothInt)) ||
        // nullif(b, <interval comparison>): NULL in one engine, b in the other
        (features.has("func.nullif") && pairsUp(duck.rows, pg.rows, nullAgainstBool)) ||
        // CASE WHEN <interval comparison> THEN x [ELSE y] END: x in one engine, y (or NULL) in
        // the other
        (features.has("case") && pairsUp(duck.rows, pg.rows, () => true))),
    example: {
      setup: [],
      sql: "SELECT (INTERVAL '10 days 12:00' = INTERVAL '1 mon' - INTERVAL '19 days 12:00') AS r",
    },
  },
];

/**
 * The entry that explains a DuckDB/PostgreSQL disagreement on a query with the given features,
 * or null. The outcomes must really differ.
 */
export function findDivergence(
  ctx: DivergenceContext,
  list: readonly Divergence[] = divergences,
): Divergence | null {
  if (compareOutcomes(ctx.duck, ctx.pg, ctx.order ?? null).equal) return null;
  for (const d of list) {
    if (d.triggers.some((t) => ctx.features.has(t)) && d.matches(ctx)) return d;
  }
  return null;
}

/** Every entry that explains the disagreement (see {@link findDivergence}), in list order. */
export function findDivergences(
  ctx: DivergenceContext,
  list: readonly Divergence[] = divergences,
): Divergence[] {
  if (compareOutcomes(ctx.duck, ctx.pg, ctx.order ?? null).equal) return [];
  return list.filter((d) => d.triggers.some((t) => ctx.features.has(t)) && d.matches(ctx));
}

/** True when some entry can be triggered by one of the features (PostgreSQL is then consulted). */
export function mayDiverge(
  features: ReadonlySet<string>,
  list: readonly Divergence[] = divergences,
): boolean {
  return list.some((d) => d.pgDecides !== false && d.triggers.some((t) => features.has(t)));
}
