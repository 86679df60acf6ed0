import assert from "node:assert/strict";
import { postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";
import { DuckdbEngine } from "./duckdb_engine.ts";
import { OmenEngine } from "./omen_engine.ts";
import { Oracle, postgresPlanDependent } from "./oracle.ts";
import { errorOutcome } from "./outcome.ts";
import { PostgresEngine } from "./postgres_engine.ts";
import { renderSetup, type SqlCase } from "./sql_case.ts";

const pgStatus = await postgresPrereq();

/** Fuzz seed 6060606's finding: an ON that raises, under an outer join PostgreSQL reassociates. */
const outerJoinCase: SqlCase = {
  tables: [
    { name: "t0", columns: [{ name: "c0", type: "int4" }], rows: [[1]] },
    {
      name: "t1",
      columns: [{ name: "c1", type: "int4" }, { name: "c2", type: "int4" }],
      rows: [[2147483647, 5]],
    },
  ],
  query: {
    sql: "SELECT a.c1 AS r0, b.c0 AS r1, c.c1 AS r2 FROM t1 AS a LEFT JOIN t0 AS b ON " +
      "((DATE '1970-01-02' - a.c1) IS NOT NULL) RIGHT JOIN t1 AS c ON (a.c2 = c.c1)",
    features: ["join", "join.left", "join.right", "join.three"],
    order: null,
  },
};

/**
 * Fuzz seed 8484848's case: DuckDB and OmenDB join in the written order; PostgreSQL's default
 * plan reassociates the outer joins and evaluates the ON's `% a.c4` on a's row (a zero).
 */
const followedDuckdbCase: SqlCase = {
  tables: [
    {
      name: "t0",
      columns: [{ name: "c2", type: "int4" }, { name: "c4", type: "int4" }],
      rows: [[2, 0]],
    },
    {
      name: "t1",
      columns: [{ name: "c0", type: "float8" }, { name: "c1", type: "int4" }],
      rows: [[-5.5, null], [-5.5, null]],
    },
  ],
  query: {
    sql: "SELECT b.c1 AS r0 FROM t0 AS a RIGHT JOIN t1 AS b ON (a.c2 = b.c0) LEFT JOIN t1 AS c " +
      "ON (CAST(-26 AS BIGINT) IN ((CAST(-11 AS INTEGER) % a.c4)))",
    features: ["join", "join.left", "join.right", "join.three", "arith.mod", "in_list"],
    order: null,
  },
};

prereqTest([pgStatus], {
  name: "oracle: an answer PostgreSQL gives only under another of its plans is " +
    `${postgresPlanDependent}, and only that answer`,
  fn: async () => {
    const server = await PostgresServer.start();
    const duck = await DuckdbEngine.open();
    const omen = new OmenEngine();
    const pg = new PostgresEngine(server);
    try {
      const setup = renderSetup(outerJoinCase.tables);
      const sql = outerJoinCase.query.sql;
      // PostgreSQL's default plan runs c LEFT JOIN a first: no a row matches, the ON never runs
      const byDefault = await pg.run(setup, sql);
      assert.ok(byDefault.ok, "PostgreSQL answers under its default plan");
      assert.equal(byDefault.rows.length, 1);
      // with the joins in their written order it evaluates the ON on a's row and raises, as
      // OmenDB does
      const written = await pg.runWithSettings(setup, sql, ["SET join_collapse_limit = 1"]);
      assert.ok(!written.ok && written.code === "22008", JSON.stringify(written));
      const again = await pg.run(setup, sql);
      assert.ok(again.ok, "the settings were reset after the query");
      const mine = await omen.run(setup, sql);
      assert.ok(!mine.ok && mine.code === "22008", JSON.stringify(mine));

      const oracle = new Oracle({ subject: omen, reference: duck, tieBreaker: pg });
      const r = await oracle.check(outerJoinCase);
      assert.equal(r.verdict, "divergence", r.reason);
      assert.equal(r.divergence, postgresPlanDependent);

      // also when DuckDB gives that answer too (not only an implementation-defined match)
      const f = await oracle.check(followedDuckdbCase);
      assert.ok(
        !(await pg.run(renderSetup(followedDuckdbCase.tables), followedDuckdbCase.query.sql)).ok,
      );
      assert.equal(f.verdict, "divergence", f.reason);
      assert.equal(f.divergence, postgresPlanDependent);

      // another error, which no plan of PostgreSQL's gives, stays a mismatch
      const wrong = {
        name: "wrong",
        run: () => Promise.resolve(errorOutcome("query", "22012", "division by zero")),
        close: () => Promise.resolve(),
      };
      const w = await new Oracle({ subject: wrong, reference: duck, tieBreaker: pg })
        .check(outerJoinCase);
      assert.equal(w.verdict, "mismatch", w.reason);
    } finally {
      await omen.close();
      await duck.close();
      await server.stop();
    }
  },
});
