import assert from "node:assert/strict";
import { postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";
import { compareOutcomes, showOutcome } from "./compare.ts";
import { type Divergence, divergences, findDivergence } from "./divergences.ts";
import { DuckdbEngine } from "./duckdb_engine.ts";
import { OmenEngine } from "./omen_engine.ts";
import { isUnsupported } from "./outcome.ts";
import { PostgresEngine } from "./postgres_engine.ts";

const pgStatus = await postgresPrereq();

Deno.test("the divergence list has unique ids, triggers and an example each", () => {
  const ids = new Set(divergences.map((d) => d.id));
  assert.equal(ids.size, divergences.length);
  for (const d of divergences) {
    assert.ok(d.triggers.length > 0, d.id);
    assert.ok(d.example.sql.length > 0, d.id);
    assert.ok(d.description.length > 20, d.id);
    if (d.evidence === "types") assert.ok(d.types !== undefined, d.id);
  }
});

async function checkEntry(
  d: Divergence,
  engines: { duck: DuckdbEngine; pg: PostgresEngine; omen: OmenEngine },
): Promise<void> {
  const { setup, sql } = d.example;
  const duck = await engines.duck.run(setup, sql);
  const pg = await engines.pg.run(setup, sql);
  const shown = `\nDuckDB: ${showOutcome(duck)}\nPostgreSQL: ${showOutcome(pg)}`;
  if (d.evidence === "types") {
    assert.ok(duck.ok && pg.ok, shown);
    assert.ok(compareOutcomes(duck, pg, null).equal, `values should agree${shown}`);
    assert.equal(duck.columns[0]?.type, d.types?.duck, shown);
    assert.equal(pg.columns[0]?.type, d.types?.pg, shown);
    return;
  }
  const order = d.evidence === "order" ? { keyColumns: [0], limited: false, offset: false } : null;
  if (order !== null) {
    assert.ok(compareOutcomes(duck, pg, null).equal, `the rows should agree as a bag${shown}`);
  }
  assert.ok(!compareOutcomes(duck, pg, order).equal, `the engines no longer differ${shown}`);
  const features = new Set(d.triggers);
  assert.ok(
    d.matches({ features, duck, pg, order }),
    `the entry does not recognise its example${shown}`,
  );
  assert.equal(
    findDivergence({ features, duck, pg, order })?.id,
    d.id,
    `another entry wins${shown}`,
  );
  // OmenDB must side with PostgreSQL (or, where SQL leaves it open, with either engine).
  const omen = await engines.omen.run(setup, sql);
  if (isUnsupported(omen)) {
    console.warn(`[divergences] ${d.id}: OmenDB does not support the example yet`);
    return;
  }
  const withPg = compareOutcomes(omen, pg, order).equal;
  const withDuck = compareOutcomes(omen, duck, order).equal;
  assert.ok(
    withPg || (d.pgDecides === false && withDuck),
    `OmenDB should agree with PostgreSQL${shown}\nOmenDB: ${showOutcome(omen)}`,
  );
}

/**
 * Fuzz findings an entry explains beyond its own example (the minimal scripts the fuzzer
 * printed): DuckDB and PostgreSQL still differ on each, the entry recognises it, and OmenDB
 * sides with PostgreSQL.
 */
const findings: readonly {
  readonly id: string;
  readonly seed: number;
  readonly features: readonly string[];
  readonly setup: readonly string[];
  readonly sql: string;
}[] = [
  {
    id: "division_by_zero",
    seed: 1357911,
    features: ["arith.div", "arith.int8", "select.no_from"],
    setup: [],
    sql: "SELECT 0 AS r0, ((CAST(-1024 AS BIGINT) * CAST(9007199254740993 AS BIGINT)) / " +
      "CAST(0 AS BIGINT)) AS r1",
  },
  {
    id: "interval_order",
    seed: 8642097,
    features: ["agg.min", "subquery.scalar"],
    setup: [
      "CREATE TABLE t0 (c0 INTERVAL)",
      "INSERT INTO t0 VALUES (INTERVAL '-10 months -24 days 00:30:37'), (INTERVAL '1 month'), " +
      "(INTERVAL '-14 months 26 days 11:30:15'), (INTERVAL '-13 months -4 days -23:21:38')",
      "CREATE TABLE t1 (c1 BOOLEAN)",
      "INSERT INTO t1 VALUES (FALSE), (TRUE)",
    ],
    sql: "SELECT 0 AS r0, (SELECT min(b.c0) FROM t0 AS b) AS r1 FROM t1 AS a",
  },
  {
    id: "interval_equality",
    seed: 8128,
    features: ["agg.filter", "compare.interval", "literal.interval_mixed"],
    setup: [
      "CREATE TABLE t0 (c0 BIGINT)",
      "INSERT INTO t0 VALUES (CAST(-9223372036854775808 AS BIGINT)), (NULL), (NULL), " +
      "(CAST(-9223372036854775808 AS BIGINT)), (NULL), (NULL)",
    ],
    sql: "SELECT c0 AS r0, count(*) FILTER (WHERE (nullif(INTERVAL '10 days 12:00:00', " +
      "INTERVAL '00:00:00') < nullif(coalesce(INTERVAL '1 months -20 days 00:00:00', " +
      "INTERVAL '00:00:00'), INTERVAL '0 months 0 days 00:00:00'))) AS r1, count(*) AS r2 " +
      "FROM t0 GROUP BY ROLLUP (c0)",
  },
  {
    id: "nan_divided_by_zero",
    seed: 196418,
    features: ["arith.div", "arith.float8", "is_null", "literal.nan"],
    setup: ["CREATE TABLE t1 (c0 BOOLEAN)", "INSERT INTO t1 VALUES (NULL), (FALSE)"],
    sql: "SELECT 0 AS r0 FROM t1 AS a WHERE ((CAST('NaN' AS DOUBLE PRECISION) / " +
      "CAST(0.0 AS DOUBLE PRECISION)) IS NULL)",
  },
  {
    id: "nan_divided_by_zero",
    seed: 8191,
    features: ["arith.div", "arith.mod", "literal.nan", "case", "join.self"],
    setup: [
      "CREATE TABLE t0 (c0 INTEGER)",
      "INSERT INTO t0 VALUES (55), (7), (CAST(-32 AS INTEGER)), (2)",
    ],
    sql: "SELECT (((CASE WHEN TRUE THEN CAST('NaN' AS DOUBLE PRECISION) END) / " +
      "(CAST(0 AS BIGINT) % a.c0)) = CAST('0.000' AS NUMERIC(12,3))) AS r0 " +
      "FROM t0 AS a, t0 AS b WHERE (a.c0 = b.c0)",
  },
  {
    id: "variance_rounding",
    seed: 1299709,
    features: ["agg.stddev", "agg.filter", "grouping_sets.rollup", "having"],
    setup: [
      "CREATE TABLE t0 (c0 BOOLEAN)",
      "INSERT INTO t0 VALUES (TRUE), (TRUE), (TRUE), (TRUE), (NULL), (TRUE), (FALSE), (TRUE), " +
      "(TRUE), (TRUE)",
    ],
    sql: "SELECT c0 AS r0, bool_and(c0) AS r1 FROM t0 GROUP BY ROLLUP (c0) HAVING " +
      "(stddev_samp((CAST(1778753426005200107 AS BIGINT))::DOUBLE PRECISION) FILTER (WHERE " +
      "('ｚ' <> ('É' || upper('ｚ')))) >= CAST(0.25 AS DOUBLE PRECISION))",
  },
  {
    id: "date_trunc_null_comparison",
    seed: 104729,
    features: ["agg.count", "func.date_trunc", "func.coalesce", "subquery", "subquery.scalar"],
    setup: [
      "CREATE TABLE t0 (c2 TIMESTAMP)",
      "INSERT INTO t0 VALUES (TIMESTAMP '2038-03-30 02:18:18'), (NULL), (TIMESTAMP '2063-01-05 02:51:04')",
    ],
    sql: "SELECT 0 AS r0, (SELECT count(*) FROM t0 AS b WHERE coalesce((TIMESTAMP " +
      "'1970-01-01 00:00:01' != date_trunc('day', b.c2)))) AS r1 FROM t0 AS a",
  },
  {
    id: "interval_equality",
    seed: 7919,
    features: ["func.nullif", "case.simple", "compare.interval", "literal.interval_mixed"],
    setup: ["CREATE TABLE t0 (c1 INTEGER)", "INSERT INTO t0 VALUES (NULL), (-62)"],
    sql: "SELECT nullif((NOT FALSE), (CASE '' WHEN ' ' THEN FALSE ELSE (INTERVAL " +
      "'-11 months 3 days 00:00:00' <= INTERVAL '-10 months -28 days 00:00:00') END)) AS r0, " +
      "c1 AS r1 FROM t0",
  },
  {
    id: "numeric_division_is_double",
    seed: 65537,
    features: ["distinct", "arith.numeric", "arith.div", "cte"],
    setup: [
      "CREATE TABLE t1 (c1 BIGINT, c4 NUMERIC(12,3))",
      "INSERT INTO t1 VALUES (CAST(85 AS BIGINT), CAST('-0.001' AS NUMERIC(12,3))), " +
      "(CAST(-88 AS BIGINT), CAST('-0.001' AS NUMERIC(12,3)))",
    ],
    sql: "WITH s AS (SELECT DISTINCT (((- c4) / c1) * c1) AS d0 FROM t1) " +
      "SELECT CAST(NULL AS BOOLEAN) AS r0 FROM s",
  },
  {
    id: "union_numeric_scale",
    seed: 999331,
    features: ["setop", "setop.union", "func.round", "arith.numeric", "distinct"],
    setup: ["CREATE TABLE t0 (c0 INTEGER)", "INSERT INTO t0 VALUES (2147483647), (-2147483648)"],
    sql: "(SELECT DISTINCT '' AS r0, CAST('-0.001' AS NUMERIC(12,3)) AS r1 FROM t0) UNION " +
      "(SELECT DISTINCT '' AS r0, (c0 * round((CAST('0.000' AS NUMERIC(12,3)) * " +
      "CAST(0 AS BIGINT)), 1)) AS r1 FROM t0)",
  },
  {
    id: "error_evaluation_order",
    seed: 2718281,
    features: ["in_list", "cast.text_to_bool", "subquery.derived"],
    setup: [
      "CREATE TABLE t0 (c0 TEXT)",
      "INSERT INTO t0 VALUES ('ABC'), ('Hello'), (NULL), ('true'), ('Hello')",
    ],
    sql: "SELECT FALSE AS r0 FROM (SELECT 1 AS d0 FROM t0 WHERE ((INTERVAL '90 minutes' > " +
      "INTERVAL '1 months 36 days -09:13:09') NOT IN (CAST(c0 AS BOOLEAN), FALSE, " +
      "(c0 <= 'z')))) AS s",
  },
  {
    id: "error_evaluation_order",
    seed: 2718281,
    features: ["join.left", "join.non_equi", "data.empty"],
    setup: [
      "CREATE TABLE t0 (c0 INTERVAL)",
      "CREATE TABLE t2 (c0 INTEGER, c2 TEXT)",
      "INSERT INTO t2 VALUES (2, NULL), (-7, 'z')",
    ],
    sql: "SELECT * FROM t2 AS a LEFT JOIN t2 AS b ON (a.c2 = b.c2) LEFT JOIN t0 AS c ON " +
      "CAST((CAST(9007199254740993 AS BIGINT))::INTEGER AS BOOLEAN)",
  },
  {
    id: "date_trunc_null_comparison",
    seed: 1732050,
    features: ["agg.count", "func.date_trunc", "where", "logic"],
    setup: [
      "CREATE TABLE t0 (c2 TIMESTAMP)",
      "INSERT INTO t0 VALUES (TIMESTAMP '1991-11-29 16:48:42'), (NULL), (NULL)",
    ],
    sql: "SELECT count(*) AS r0 FROM t0 WHERE ((TIMESTAMP '1970-01-01 00:00:01' != " +
      "date_trunc('day', c2)) OR FALSE)",
  },
  {
    id: "overflow_missed_in_comparison",
    seed: 6060606,
    features: ["arith.int4", "between", "select.no_from"],
    setup: [],
    sql: "SELECT DISTINCT ((0 - CAST(-2147483648 AS INTEGER)) BETWEEN 0 AND " +
      "CAST(CAST(0 AS BIGINT) AS INTEGER)) AS r0, 0 AS r1",
  },
  // DuckDB's message names the function: STDDEV_SAMP, VARSAMP
  ...["stddev", "variance"].map((fn) => ({
    id: "variance_of_nan",
    seed: 6060606,
    features: ["agg.count", "agg.stddev", "data.nan", "having"],
    setup: [
      "CREATE TABLE t0 (c2 DOUBLE PRECISION)",
      "INSERT INTO t0 VALUES (1e-300), (-0.5), (CAST('NaN' AS DOUBLE PRECISION)), (NULL), (0.1)",
    ],
    sql: `SELECT ${fn}(c2) AS r0 FROM t0 HAVING (count(*) = 0)`,
  })),
  {
    id: "interval_equality",
    seed: 6060606,
    features: ["case", "compare.interval", "setop.union"],
    setup: [],
    sql: "SELECT CAST((CASE WHEN (INTERVAL '-2 months 6 days' = INTERVAL '-1 months -24 days') " +
      "THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END) AS TEXT) AS r1",
  },
  {
    id: "constant_folded_error",
    seed: 8080808,
    features: ["cast.int8_to_numeric", "data.empty", "literal", "setop", "setop.union"],
    setup: [
      "CREATE TABLE t0 (c4 BIGINT)",
      "INSERT INTO t0 VALUES (12), (1)",
      "CREATE TABLE t1 (c3 INTEGER)",
    ],
    sql: "(SELECT DISTINCT CAST('0' AS NUMERIC(12,3)) AS r0 FROM t0) UNION (SELECT DISTINCT " +
      "CAST((CAST(2147483647 AS BIGINT) + CAST(0 AS BIGINT)) AS NUMERIC(12,3)) AS r0 FROM t1)",
  },
  {
    id: "interval_equality",
    seed: 6060606,
    features: ["case", "compare.interval", "setop.union"],
    setup: [],
    sql: "SELECT CAST(0.0 AS DOUBLE PRECISION) AS r0, '' AS r1 UNION SELECT 0.0, CAST((CASE " +
      "WHEN (INTERVAL '-2 months 6 days' = INTERVAL '-1 months -24 days') THEN CAST(0 AS BIGINT) " +
      "END) AS TEXT)",
  },
  {
    id: "sum_constants_reassociated",
    seed: 7272727,
    features: ["arith", "arith.div", "arith.int8", "column", "cte", "cte.recursive", "literal"],
    setup: [],
    sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 0) " +
      "SELECT ((CAST(-2147483649 AS BIGINT) + (r.n + CAST(9223372036854775807 AS BIGINT))) / " +
      "r.n) AS r0 FROM r",
  },
  {
    id: "numeric_division_is_double",
    seed: 6262626,
    features: [
      "agg",
      "agg.count_distinct",
      "arith",
      "arith.div",
      "arith.numeric",
      "group_by",
      "grouping_sets.rollup",
    ],
    setup: [
      "CREATE TABLE t0 (c0 NUMERIC(12,3))",
      "INSERT INTO t0 VALUES (NULL), (CAST('2.5' AS NUMERIC(12,3))), " +
      "(CAST('880.072' AS NUMERIC(12,3))), (CAST('-614.854' AS NUMERIC(12,3)))",
    ],
    sql: "SELECT c0 AS r0, count(DISTINCT ((c0 / CAST(1234567890123456789 AS BIGINT)) + " +
      "CAST(9 AS NUMERIC(12,3)))) AS r1 FROM t0 GROUP BY ROLLUP (c0)",
  },
];

async function checkFinding(
  f: (typeof findings)[number],
  engines: { duck: DuckdbEngine; pg: PostgresEngine; omen: OmenEngine },
): Promise<void> {
  const duck = await engines.duck.run(f.setup, f.sql);
  const pg = await engines.pg.run(f.setup, f.sql);
  const omen = await engines.omen.run(f.setup, f.sql);
  const shown = `\nDuckDB: ${showOutcome(duck)}\nPostgreSQL: ${showOutcome(pg)}\nOmenDB: ${
    showOutcome(omen)
  }`;
  assert.ok(!compareOutcomes(duck, pg, null).equal, `the engines no longer differ${shown}`);
  const features = new Set(f.features);
  assert.equal(findDivergence({ features, duck, pg, order: null })?.id, f.id, shown);
  assert.ok(compareOutcomes(omen, pg, null).equal, `OmenDB should agree with PostgreSQL${shown}`);
}

prereqTest([pgStatus], {
  name: "every listed divergence really exists between DuckDB and PostgreSQL 15",
  fn: async (t) => {
    const server = await PostgresServer.start();
    const duck = await DuckdbEngine.open();
    const omen = new OmenEngine();
    try {
      const engines = { duck, pg: new PostgresEngine(server), omen };
      for (const d of divergences) {
        await t.step(d.id, () => checkEntry(d, engines));
      }
      for (const f of findings) {
        await t.step(`${f.id} (fuzz seed ${f.seed})`, () => checkFinding(f, engines));
      }
    } finally {
      await omen.close();
      await duck.close();
      await server.stop();
    }
  },
});
