import assert from "node:assert/strict";
import fc from "fast-check";
import { postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";
import { DuckdbEngine } from "./duckdb_engine.ts";
import { formatFailure, runFuzz } from "./fuzz.ts";
import { exprArbitraries } from "./gen_expr.ts";
import { OmenEngine } from "./omen_engine.ts";
import { Oracle, withoutFinalLimit } from "./oracle.ts";
import { errorOutcome } from "./outcome.ts";
import { PostgresEngine } from "./postgres_engine.ts";
import { totalRow } from "./report.ts";

/** The seed of the default run: fixed, so a failure replays exactly. */
export const defaultRunSeed = 20_261_126;
/** Queries in the default run. */
export const defaultRunQueries = 300;
/** Features the default run must exercise: one per query generator, plus the new types. */
export const coveredFeatures = [
  "select",
  "join",
  "join.using",
  "subquery",
  "subquery.derived",
  "cte",
  "agg",
  "grouping_sets",
  "setop",
  "temporal",
  "arith.numeric",
];

const pgStatus = await postgresPrereq();

prereqTest([pgStatus], {
  name: `differential: ${defaultRunQueries} fixed-seed queries agree with DuckDB/PostgreSQL`,
  fn: async () => {
    const server = await PostgresServer.start();
    const duck = await DuckdbEngine.open();
    const omen = new OmenEngine();
    try {
      const oracle = new Oracle({
        subject: omen,
        reference: duck,
        tieBreaker: new PostgresEngine(server),
      });
      const result = await runFuzz(oracle, { seed: defaultRunSeed, numRuns: defaultRunQueries });
      console.log(result.report.format());
      const all = result.report.get(totalRow);
      assert.equal(all.queries, defaultRunQueries);
      assert.equal(result.runs, defaultRunQueries);
      // Every query generator, and the date/time and numeric expressions, take part.
      for (const f of coveredFeatures) {
        assert.ok(result.report.get(f).queries > 0, `no query used ${f}`);
      }
      assert.ok(
        result.mismatches.length === 0,
        `${result.mismatches.length} unlisted mismatch(es) with OmenDB:\n\n` +
          result.failures.map((f) => formatFailure(f, result.seed)).join("\n\n"),
      );
    } finally {
      await omen.close();
      await duck.close();
      await server.stop();
    }
  },
});

prereqTest([pgStatus], {
  name: "differential self-check: PostgreSQL as the subject has no unlisted mismatch",
  fn: async () => {
    // Two servers: the subject and the tie-breaker must not share tables.
    const subjectServer = await PostgresServer.start();
    const tieServer = await PostgresServer.start();
    const duck = await DuckdbEngine.open();
    try {
      const oracle = new Oracle({
        subject: new PostgresEngine(subjectServer),
        reference: duck,
        tieBreaker: new PostgresEngine(tieServer),
      });
      const result = await runFuzz(oracle, { seed: defaultRunSeed, numRuns: 150 });
      assert.ok(
        result.mismatches.length === 0,
        result.failures.map((f) => formatFailure(f, result.seed)).join("\n\n"),
      );
      assert.equal(result.report.get(totalRow).unsupported, 0);
      // The list is exercised: some differences were settled as listed divergences.
      assert.ok(result.report.get(totalRow).divergences > 0);
    } finally {
      await duck.close();
      await tieServer.stop();
      await subjectServer.stop();
    }
  },
});

Deno.test(
  "generator: dates and timestamps stay where float64 microseconds are exact (DESIGN.md §4)",
  async () => {
    // Timestamps are exact within 2^53 µs of 1970 (about 1685 to 2255); `date ± int` reduces its
    // integer (fuzz seed 1212121 reached year 20237). DuckDB evaluates each generated expression.
    const arbs = exprArbitraries([]);
    const duck = await DuckdbEngine.open();
    try {
      for (const type of ["date", "timestamp"] as const) {
        let years = 0;
        let datePlusInt = 0;
        for (const e of fc.sample(arbs[type], { seed: 1_212_121, numRuns: 400 })) {
          const o = await duck.exec(`SELECT CAST(EXTRACT(YEAR FROM ${e.sql}) AS INTEGER)`);
          const cell = o.ok ? o.rows[0]?.[0] : null;
          if (cell === null || cell === undefined) continue;
          assert.equal(cell.kind, "int");
          const year = Number(cell.value);
          assert.ok(year >= 1700 && year <= 2240, `year ${year} of ${e.sql}`);
          years++;
          if (e.features.includes("temporal.date_plus_int")) datePlusInt++;
        }
        assert.ok(years > 200, `${type}: only ${years} expressions gave a year`);
        assert.ok(datePlusInt > 10, `${type}: only ${datePlusInt} with date ± int`);
      }
    } finally {
      await duck.close();
    }
  },
);

Deno.test("oracle: a subject that differs from DuckDB is a mismatch without PostgreSQL", async () => {
  const duck = await DuckdbEngine.open();
  const broken = await DuckdbEngine.open();
  try {
    // The "subject" adds 1 to every query's answer: its results must be caught.
    const subject = {
      name: "broken",
      run: (setup: readonly string[], q: string) =>
        broken.run(setup, `SELECT x + 1 FROM (${q}) AS s(x)`),
      close: () => Promise.resolve(),
    };
    const oracle = new Oracle({ subject, reference: duck, tieBreaker: null });
    const r = await oracle.check({
      tables: [{ name: "t0", columns: [{ name: "c0", type: "int4" }], rows: [[1], [2]] }],
      query: { sql: "SELECT c0 FROM t0", features: ["select"], order: null },
    });
    assert.equal(r.verdict, "mismatch");
    assert.match(r.reason, /PostgreSQL is not available/);
  } finally {
    await broken.close();
    await duck.close();
  }
});

Deno.test("oracle: 0A000 from the subject counts as unsupported, never as a pass", async () => {
  const duck = await DuckdbEngine.open();
  try {
    const subject = {
      name: "nothing",
      run: () =>
        Promise.resolve({
          ok: false as const,
          stage: "query" as const,
          code: "0A000",
          sqlClass: "0A",
          message: "not supported yet",
        }),
      close: () => Promise.resolve(),
    };
    const result = await runFuzz(new Oracle({ subject, reference: duck, tieBreaker: null }), {
      seed: 1,
      numRuns: 20,
    });
    const all = result.report.get(totalRow);
    assert.equal(all.unsupported, 20);
    assert.equal(all.matched + all.ranOnBoth, 0);
  } finally {
    await duck.close();
  }
});

prereqTest([pgStatus], {
  name: "oracle: a data exception from a row LIMIT let PostgreSQL skip is excused only when " +
    "PostgreSQL raises it without the LIMIT",
  fn: async () => {
    const server = await PostgresServer.start();
    const duck = await DuckdbEngine.open();
    try {
      // the subject always raises 22008, as a plan that reaches the failing row first does
      const subject = {
        name: "eager",
        run: () => Promise.resolve(errorOutcome("query", "22008", "date out of range")),
        close: () => Promise.resolve(),
      };
      const oracle = new Oracle({
        subject,
        reference: duck,
        tieBreaker: new PostgresEngine(server),
      });
      const tables = [
        {
          name: "t0",
          columns: [{ name: "c2", type: "int4" as const }],
          rows: [[-7], [-56], [-527901209], [null]],
        },
        {
          name: "t1",
          columns: [{ name: "c0", type: "int4" as const }],
          rows: [[-22], [1], [25], [36], [-1030232252], [2147483647], [7]],
        },
      ];
      // the failing row (b.c2 = -527901209) is reached only in another join order
      const sql = "SELECT DATE '1970-01-01' + b.c2 + a.c0 AS r0, 0 AS r1 FROM t1 AS a " +
        "CROSS JOIN t0 AS b ORDER BY 2 LIMIT 2 OFFSET 1";
      const order = { keyColumns: [1], limited: true, offset: true };
      const excused = await oracle.check({
        tables,
        query: { sql, features: ["join", "limit", "offset", "order_by"], order },
      });
      assert.equal(excused.verdict, "divergence", excused.reason);
      assert.equal(excused.divergence, "error_evaluation_order");
      // without the LIMIT PostgreSQL answers too: the error is the subject's own
      const own = await oracle.check({
        tables,
        query: {
          sql: "SELECT a.c0 AS r0 FROM t1 AS a ORDER BY 1 LIMIT 2",
          features: ["limit", "order_by"],
          order: { keyColumns: [0], limited: true, offset: false },
        },
      });
      assert.equal(own.verdict, "mismatch");
    } finally {
      await duck.close();
      await server.stop();
    }
  },
});

Deno.test("oracle: withoutFinalLimit strips only the final LIMIT and OFFSET", () => {
  assert.equal(withoutFinalLimit("SELECT 1 LIMIT 2 OFFSET 1"), "SELECT 1");
  assert.equal(withoutFinalLimit("SELECT 1 OFFSET 3"), "SELECT 1");
  assert.equal(
    withoutFinalLimit("SELECT (SELECT 1 LIMIT 1) LIMIT 5"),
    "SELECT (SELECT 1 LIMIT 1)",
  );
  assert.equal(withoutFinalLimit("SELECT (SELECT 1 LIMIT 1) AS x"), null);
});
