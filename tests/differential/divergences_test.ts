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
    } finally {
      await omen.close();
      await duck.close();
      await server.stop();
    }
  },
});
